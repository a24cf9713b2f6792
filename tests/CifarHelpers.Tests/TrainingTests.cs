using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Runtime;
using CifarHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Sequential = TorchSharp.Modules.Sequential;

namespace CifarHelpers.Tests;

[Trait("Category", "Unit")]
public class TrainingTests
{
    public TrainingTests() => TorchRuntime.Initialize();

    static Sequential Build(string kind) => kind switch
    {
        "article" => FullyConnected.Create(),
        "deep" => Sequential(Linear(3072, 64), Tanh(), Linear(64, 32), Tanh(), Linear(32, 3), LogSoftmax(1)),
        "no tanh, no bias" => Sequential(Linear(3072, 16, hasBias: false), Linear(16, 4), LogSoftmax(-1)),
        "tanh before log-softmax" => Sequential(Linear(3072, 32), Tanh(), Linear(32, 3), Tanh(), LogSoftmax(1)),
        "one layer" => Sequential(Linear(3072, 5), LogSoftmax(1)),
        "one layer with tanh, no bias" => Sequential(Linear(3072, 4, hasBias: false), Tanh(), LogSoftmax(1)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [InlineData("article")]
    [InlineData("deep")]
    [InlineData("no tanh, no bias")]
    [InlineData("tanh before log-softmax")]
    [InlineData("one layer")]
    [InlineData("one layer with tanh, no bias")]
    public void FusedSgdTrainsAsAutogradAndSgdDo(string kind)
    {
        using var reference = Build(kind);
        using var fused = Build(kind);
        CopyWeights(reference, fused);
        using var before = reference.parameters().First().detach().clone();
        long classes = reference.parameters().Last().shape[0];
        using var images = randn(200, 3, 32, 32);
        using var labels = randint(0, classes, [200], dtype: int64);
        using var data = new ImageDataset(images, labels, [.. Enumerable.Range(0, (int)classes).Select(c => $"c{c}")]);
        using var loaderA = new BatchLoader(data, 64, shuffle: true, seed: 3);
        using var loaderB = new BatchLoader(data, 64, shuffle: true, seed: 3);

        var autograd = new Trainer(reference, optim.SGD(reference.parameters(), 0.05), NLLLoss()).Fit(loaderA, 3);
        var byHand = Trainer.FusedSgd(fused, 0.05).Fit(loaderB, 3);

        foreach (var (a, b) in autograd.Epochs.Zip(byHand.Epochs))
        {
            Assert.Equal(a.Loss, b.Loss, 1e-5);
            Assert.Equal(a.MeanLoss, b.MeanLoss, 1e-5);
        }
        foreach (var (a, b) in reference.parameters().Zip(fused.parameters()))
            Assert.True(allclose(a, b, rtol: 0, atol: 1e-5), $"{kind}: a parameter differs by {(a - b).abs().max().item<float>():E2}");
        // Twelve steps moved the weights: the comparison is not between two untouched models.
        Assert.True((reference.parameters().First() - before).abs().max().item<float>() > 1e-3);
        // The fused step never writes gradients.
        Assert.All(fused.parameters(), p => Assert.Null(p.grad));
    }

    /// <summary>
    /// Gives <paramref name="to"/> the weights of <paramref name="from"/>. Seeding torch's global generator twice would
    /// not do: tests in other classes run at the same time and draw from it in between.
    /// </summary>
    internal static void CopyWeights(Module from, Module to)
    {
        using var noGrad = no_grad();
        foreach (var (source, target) in from.parameters().Zip(to.parameters(), (a, b) => (a, b)))
            target.copy_(source);
    }

    [Fact]
    public void FusedSgdRefusesWhatItCannotTrain()
    {
        using var relu = Sequential(Linear(3072, 8), ReLU(), Linear(8, 2), LogSoftmax(1));
        Assert.Contains("ReLU", Assert.Throws<ArgumentException>(() => Trainer.FusedSgd(relu, 0.01)).Message);
        using var wrongDim = Sequential(Linear(3072, 8), Tanh(), Linear(8, 2), LogSoftmax(0));
        Assert.Throws<ArgumentException>(() => Trainer.FusedSgd(wrongDim, 0.01));
        using var noLogSoftmax = Sequential(Linear(3072, 8), Tanh(), Linear(8, 2));
        Assert.Throws<ArgumentException>(() => Trainer.FusedSgd(noLogSoftmax, 0.01));
        using var frozen = FullyConnected.Create();
        frozen.parameters().First().requires_grad = false;
        Assert.Contains("frozen", Assert.Throws<ArgumentException>(() => Trainer.FusedSgd(frozen, 0.01)).Message);
        using var model = FullyConnected.Create();
        Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.FusedSgd(model, 0));
    }
}
