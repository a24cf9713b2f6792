using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Runtime;
using CifarHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CifarHelpers.Tests;

/// <summary>
/// The library beside TorchSharp: it shadows none of its names, its dataset feeds TorchSharp's own loader, and its
/// loops take TorchSharp's batches.
/// </summary>
[Trait("Category", "Unit")]
public class InteropTests
{
    public InteropTests() => TorchRuntime.Initialize();

    [Fact]
    public void NoPublicTypeOfTheLibraryHasTheNameOfATorchSharpOrTorchVisionType()
    {
        // Every type TorchSharp and TorchVision make public, nested ones too (torch.utils.data.DataLoader is a method
        // of the static class torch.utils.data and a type, Modules.DataLoader), and the methods of their static
        // classes that a reader calls like constructors (torchvision.datasets.CIFAR10, torchvision.transforms.Normalize).
        var torchAssemblies = new[] { typeof(torch).Assembly, typeof(torchvision).Assembly };
        var theirs = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in torchAssemblies.SelectMany(a => a.GetTypes()).Where(t => t.IsPublic || t.IsNestedPublic))
        {
            theirs.Add(Simple(type.Name));
            if (type.IsAbstract && type.IsSealed) // static classes: their factory methods
                foreach (var method in type.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
                    if (method.Name.Length > 1 && char.IsUpper(method.Name[0])) theirs.Add(method.Name);
        }
        Assert.Contains("DataLoader", theirs);
        Assert.Contains("CIFAR10", theirs);
        Assert.Contains("ITransform", theirs);

        var ours = typeof(ImageDataset).Assembly.GetExportedTypes();
        Assert.NotEmpty(ours);
        var clashes = ours.Where(t => theirs.Contains(Simple(t.Name))).Select(t => t.FullName).ToList();
        Assert.True(clashes.Count == 0, $"these public types of the library have a TorchSharp or TorchVision name: {string.Join(", ", clashes)}");
    }

    static string Simple(string name) => name.Split('`')[0];

    [Fact]
    public void TorchSharpsOwnDataLoaderTakesOurDatasetAndOurTrainerAndEvaluatorTakeItsBatches()
    {
        using var data = new ImageDataset(randn(100, 3, 32, 32), arange(100, dtype: ScalarType.Int64).remainder(2), ["airplane", "bird"]);
        using var loader = torch.utils.data.DataLoader(data, 32, shuffle: true, seed: 5, disposeDataset: false);
        var shapes = new List<string>();
        foreach (var batch in loader) shapes.Add($"{string.Join(",", batch["data"].shape)} {string.Join(",", batch["label"].shape)}");
        Assert.Equal(["32,3,32,32 32", "32,3,32,32 32", "32,3,32,32 32", "4,3,32,32 4"], shapes);

        // The same model trained over TorchSharp's loader and over ours, in the same order, ends with the same weights.
        // The same start: b gets a's weights (the global generator is shared with tests running in parallel).
        using var a = FullyConnected.Create();
        using var b = FullyConnected.Create();
        using (no_grad())
            foreach (var (to, from) in b.parameters().Zip(a.parameters())) to.copy_(from);
        using var theirs = torch.utils.data.DataLoader(data, 32, shuffle: false, disposeDataset: false);
        using var ours = new BatchLoader(data, 32);
        var historyA = new Trainer(a, optim.SGD(a.parameters(), 0.01), nn.NLLLoss()).Fit(theirs, epochs: 2);
        var historyB = new Trainer(b, optim.SGD(b.parameters(), 0.01), nn.NLLLoss()).Fit(ours, epochs: 2);
        Assert.Equal(historyB.Epochs.Select(e => e.MeanLoss), historyA.Epochs.Select(e => e.MeanLoss));
        Assert.Equal([0, 1], historyA.Epochs.Select(e => e.Epoch));
        Assert.True(a.parameters().Zip(b.parameters()).All(p => (p.First == p.Second).all().item<bool>()));
        Assert.Equal(Evaluator.Evaluate(b, ours, classes: 2).Correct, Evaluator.Evaluate(a, theirs, classes: 2).Correct);
        // The dataset is still there after both loaders are done.
        Assert.Equal(100, data.Count);
        Assert.Equal([3L, 32, 32], data.GetTensor(99)["data"].shape);
    }

    [Fact]
    public void TheEvaluatorRestoresTheModelsModeEvenWhenABatchThrows()
    {
        using var model = FullyConnected.Create();
        using var data = new ImageDataset(randn(10, 3, 32, 32), zeros(10, dtype: ScalarType.Int64), ["airplane", "bird"]);
        using var loader = new BatchLoader(data, 5);

        model.train();
        Evaluator.Evaluate(model, loader, classes: 2);
        Assert.True(model.training);

        model.eval();
        Evaluator.Evaluate(model, loader, classes: 2);
        Assert.False(model.training);

        model.train();
        static IEnumerable<(Tensor, Tensor)> Broken()
        {
            yield return (randn(5, 3, 32, 32), zeros(5, dtype: ScalarType.Int64));
            throw new IOException("the disk went away");
        }
        Assert.Throws<IOException>(() => Evaluator.Evaluate(model, Broken(), classes: 2));
        Assert.True(model.training);
    }

    [Fact]
    public void ABatchWithoutTheExpectedKeysIsNamed()
    {
        var batches = new[] { new Dictionary<string, Tensor> { ["image"] = zeros(1, 3, 32, 32), ["target"] = zeros(1, dtype: ScalarType.Int64) } };
        var e = Assert.Throws<KeyNotFoundException>(() => Batches.FromDictionaries(batches).ToList());
        Assert.Contains("image, target", e.Message);
        Assert.Single(Batches.FromDictionaries(batches, "image", "target"));
    }

    [Fact]
    public void ACheckpointRecordsTheModelsParametersAndTheBooksNetMatchesConvNet()
    {
        using var fc = FullyConnected.Create();
        Assert.Equal("0.weight[512,3072] 0.bias[512] 2.weight[2,512] 2.bias[2]", ModelSummary.Signature(fc));
        Assert.Equal([1572864L, 512, 1024, 2], ModelSummary.ParameterCounts(fc));
        using var cnn = new ConvNet();
        Assert.Equal("conv1.weight[16,3,3,3] conv1.bias[16] conv2.weight[8,16,3,3] conv2.bias[8] fc1.weight[32,512] fc1.bias[32] fc2.weight[2,32] fc2.bias[2]",
                     ModelSummary.Signature(cnn));
        using var tenClasses = FullyConnected.Create(classes: 10);
        Assert.NotEqual(ModelSummary.Signature(fc), ModelSummary.Signature(tenClasses));
    }
}
