using System.Diagnostics;
using System.Globalization;
using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Training;
using Tools.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace Bench;

static class Epochs
{
    /// <summary>
    /// Multiply-adds of one epoch, counted as 2 FLOPs each: the forward pass of both layers, the weight gradients
    /// of both layers, and the input gradient of the second layer (the images need no gradient).
    /// </summary>
    public static double FlopsPerEpoch(long images) =>
        images * 2.0 * (3072.0 * 512 + 512 * 2) * 2 + images * 2.0 * 512 * 2;

    /// <summary>One epoch the library's way, as <see cref="ArticleRecipe.Train"/> runs it; each call trains one more epoch.</summary>
    public static Action Library(ImageDataset train)
    {
        manual_seed(42);
        var model = FullyConnected.Create();
        var loader = new BatchLoader(train, ArticleRecipe.BatchSize, shuffle: true, seed: 42);
        var trainer = Trainer.FusedSgd(model, ArticleRecipe.LearningRate);
        return () => trainer.Fit(loader, 1);
    }

    /// <summary>One epoch of the library's loader and its autograd <see cref="Trainer"/> with <c>optim.SGD</c>.</summary>
    public static Action LibraryAutograd(ImageDataset train)
    {
        manual_seed(42);
        var model = FullyConnected.Create();
        var loader = new BatchLoader(train, ArticleRecipe.BatchSize, shuffle: true, seed: 42);
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
        readonly Tensor[] _images = Enumerable.Range(0, (int)source.Count).Select(i => source.Images[i].clone()).ToArray();
        readonly long[] _labels = source.Labels.data<long>().ToArray();

        public override long Count => _images.Length;

        public override Dictionary<string, Tensor> GetTensor(long index) =>
            new() { ["data"] = _images[index].alias(), ["label"] = tensor(_labels[index]) };
    }
}

/// <summary>
/// The baseline's epochs run in a second process, which loads TorchSharp without the library's malloc settings, as
/// a program written without this library would. The parent asks for one epoch at a time, so that the baseline's
/// epochs interleave with the library's and both see the same state of the machine.
/// </summary>
sealed class BaselineProcess : IDisposable
{
    readonly Exec _child;

    public BaselineProcess()
    {
        string self = Environment.ProcessPath!;
        string[] arguments = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? [typeof(BaselineProcess).Assembly.Location, "--baseline-child"]
            : ["--baseline-child"];
        _child = Exec.Start(self, arguments, interactive: true);
        Expect("ready");
    }

    /// <summary>Runs one baseline epoch in the child; its time in seconds and its minor page faults, as the child measured them.</summary>
    public (double Seconds, long Faults) Epoch()
    {
        _child.Input.WriteLine("epoch");
        _child.Input.Flush();
        double seconds = double.Parse(Expect("epoch_s"), CultureInfo.InvariantCulture);
        return (seconds, long.Parse(Expect("epoch_faults"), CultureInfo.InvariantCulture));
    }

    string Expect(string name)
    {
        while (_child.ReadLine() is { } line)
            if (line.StartsWith(name, StringComparison.Ordinal)) return line[name.Length..].TrimStart(':', ' ');
        var end = _child.Finish(TimeSpan.FromMinutes(1));
        throw new InvalidOperationException($"The baseline process ended ({end.ExitCode}) before it printed {name}:\n{Exec.Tail(end.Stderr)}");
    }

    public void Dispose()
    {
        _child.Finish(TimeSpan.FromMinutes(5)); // closes its input: the child ends at the end of its input
        _child.Dispose();
    }

    /// <summary>The child: prepares the data, then runs one epoch per "epoch" line on its input.</summary>
    public static int Child()
    {
        using var data = PreparedData.Library(Paths.Store());
        var epoch = Epochs.Baseline(data.Train);
        Console.WriteLine("ready");
        while (Console.ReadLine() is { } command)
        {
            if (command != "epoch") continue;
            var (seconds, faults) = Harness.Timed(epoch)();
            Console.WriteLine(FormattableString.Invariant($"epoch_s: {seconds}"));
            Console.WriteLine(FormattableString.Invariant($"epoch_faults: {faults}"));
        }
        return 0;
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
            int reps = Math.Max(3, (int)(4e9 / (2.0 * m * k * n)));
            torch.mm(a, b).Dispose();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) torch.mm(a, b).Dispose();
            best = Math.Max(best, 2.0 * m * k * n * reps / clock.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }
}
