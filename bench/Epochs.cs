using System.Diagnostics;
using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;
using DataLoader = CifarHelpers.Data.DataLoader;

namespace Bench;

static class Epochs
{
    /// <summary>
    /// Multiply-adds of one epoch, counted as 2 FLOPs each: the forward pass of both layers, the weight gradients
    /// of both layers, and the input gradient of the second layer (the images need no gradient).
    /// </summary>
    public static double FlopsPerEpoch(long images) =>
        images * 2.0 * (3072.0 * 512 + 512 * 2) * 2 + images * 2.0 * 512 * 2;

    /// <summary>One epoch of the library's loader and Trainer; each call trains one more epoch.</summary>
    public static Action Library(ImageDataset train)
    {
        manual_seed(42);
        var model = FullyConnected.Create();
        var loader = new DataLoader(train, ArticleRecipe.BatchSize, shuffle: true, seed: 42);
        var trainer = new Trainer(model, optim.SGD(model.parameters(), ArticleRecipe.LearningRate), nn.NLLLoss());
        return () => trainer.Fit(loader, 1);
    }

    /// <summary>One epoch the straightforward way: TorchSharp's DataLoader over per-image tensors.</summary>
    public static Action Baseline(ImageDataset train)
    {
        manual_seed(42);
        var model = FullyConnected.Create();
        var optimizer = optim.SGD(model.parameters(), ArticleRecipe.LearningRate);
        var lossFn = nn.NLLLoss();
        var perImage = new PerImageDataset(train);
        var loader = torch.utils.data.DataLoader(perImage, 64, shuffle: true, seed: 42, disposeBatch: true, disposeDataset: false);
        return () =>
        {
            foreach (var batch in loader)
            {
                using var scope = NewDisposeScope();
                var imgs = batch["data"];
                var outputs = model.forward(imgs.view(imgs.shape[0], -1));
                var loss = lossFn.forward(outputs, batch["label"]);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
        };
    }

    /// <summary>One tensor per image, as a list of (image, label) pairs gives them.</summary>
    sealed class PerImageDataset(ImageDataset source) : torch.utils.data.Dataset
    {
        readonly Tensor[] _images = Enumerable.Range(0, source.Count).Select(i => source.Images[i].clone()).ToArray();
        readonly long[] _labels = source.Labels.data<long>().ToArray();

        public override long Count => _images.Length;

        public override Dictionary<string, Tensor> GetTensor(long index) =>
            new() { ["data"] = _images[index].alias(), ["label"] = tensor(_labels[index]) };
    }
}

static class MatMul
{
    /// <summary>The best GFLOP/s of torch.mm on 2048³ and on the first layer's own shapes.</summary>
    public static double PeakGflops()
    {
        double best = 0;
        foreach (var (m, k, n) in new[] { (2048, 2048, 2048), (64, 3072, 512), (512, 64, 3072) })
        {
            using var a = randn(m, k);
            using var b = randn(k, n);
            using var c = empty(m, n);
            int reps = Math.Max(3, (int)(4e9 / (2.0 * m * k * n)));
            torch.mm(a, b).Dispose();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) torch.mm(a, b).Dispose();
            best = Math.Max(best, 2.0 * m * k * n * reps / clock.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }
}
