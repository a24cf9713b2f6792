using System.Security.Cryptography;
using CifarHelpers.Data;
using static TorchSharp.torch;

namespace CifarHelpers.Tests;

[Trait("Category", "RealData")]
[Collection("real data")]
public class RealDataTests(RealData real)
{
    [Fact]
    public void TheSplitsHaveTheirCountsPerClass()
    {
        using var train = new Cifar10Dataset(real.RequireRoot(), train: true, log: TextWriter.Null);
        using var test = new Cifar10Dataset(real.RequireRoot(), train: false, log: TextWriter.Null);
        Assert.Equal(50_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.All(train.ClassCounts(), c => Assert.Equal(5_000, c));
        Assert.All(test.ClassCounts(), c => Assert.Equal(1_000, c));
        Assert.Equal(Cifar10Format.Classes, train.Classes);
    }

    [Fact]
    public void TheSixFilesMatchTheirOfficialMd5()
    {
        string dir = Path.Combine(real.RequireRoot(), Cifar10Format.BatchesFolder);
        foreach (var (file, md5) in Cifar10Format.FileMd5)
        {
            using var stream = File.OpenRead(Path.Combine(dir, file));
            Assert.Equal(md5, Convert.ToHexStringLower(MD5.HashData(stream)));
        }
        Assert.Equal(6, Cifar10Format.FileMd5.Count);
    }

    [Fact]
    public void MeanAndStdAreTheArticles()
    {
        using var train = new Cifar10Dataset(real.RequireRoot(), train: true, log: TextWriter.Null);
        var stats = ChannelStats.Of(train);
        double[] mean = [0.4914, 0.4822, 0.4465], std = [0.2470, 0.2435, 0.2616];
        for (int c = 0; c < 3; c++)
        {
            Assert.InRange(stats.Mean[c], mean[c] - 1e-4, mean[c] + 1e-4);
            Assert.InRange(stats.Std[c], std[c] - 1e-4, std[c] + 1e-4);
        }
    }

    [Fact]
    public void TheBirdAirplaneSubsetHasTenThousandAndTwoThousandImages()
    {
        var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
        using var train = new Cifar10Dataset(real.RequireRoot(), train: true, log: TextWriter.Null);
        using var val = new Cifar10Dataset(real.RequireRoot(), train: false, log: TextWriter.Null);
        using var cifar2 = train.Subset(labelMap);
        using var cifar2Val = val.Subset(labelMap);
        Assert.Equal(10_000, cifar2.Count);
        Assert.Equal(2_000, cifar2Val.Count);
        Assert.Equal([5_000L, 5_000], cifar2.ClassCounts());
        Assert.Equal([1_000L, 1_000], cifar2Val.ClassCounts());
        Assert.Equal(["airplane", "bird"], cifar2.Classes);
    }

    [Fact]
    public void NormalizedSubsetGivesWhatTheStepsGive()
    {
        var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
        var (cifar2, cifar2Val, stats) = NormalizedSubset.Load(real.RequireRoot(), labelMap, download: false, log: TextWriter.Null);
        using (cifar2)
        using (cifar2Val)
        {
            // The steps of notebooks 03 and 04, one at a time.
            ChannelStats expectedStats;
            using (var raw = new Cifar10Dataset(real.RequireRoot(), train: true, log: TextWriter.Null))
                expectedStats = ChannelStats.Of(raw);
            var transform = ImageTransforms.Compose(ImageTransforms.ToTensor(), ImageTransforms.Normalize(expectedStats.Mean, expectedStats.Std));
            foreach (var (split, loaded) in new[] { (true, cifar2), (false, cifar2Val) })
            {
                using var cifar10 = new Cifar10Dataset(real.RequireRoot(), train: split, log: TextWriter.Null, transform: transform);
                using var subset = cifar10.Subset(labelMap);
                using var expected = subset.ApplyTransform();
                Assert.True(allclose(expected.Images, loaded.Images, rtol: 0, atol: 0), $"the {(split ? "training" : "validation")} images differ");
                Assert.Equal(expected.Labels.data<long>().ToArray(), loaded.Labels.data<long>().ToArray());
                Assert.Equal(expected.Classes, loaded.Classes);
            }
            Assert.Equal(expectedStats.Mean, stats.Mean);
            Assert.Equal(expectedStats.Std, stats.Std);
            Assert.Equal([10_000L, 3, 32, 32], cifar2.Images.shape);
            Assert.Equal([2_000L, 3, 32, 32], cifar2Val.Images.shape);
        }
    }

    [Fact]
    public void TrainingItem99IsTheBytesAtItsOffsetInTheFirstFile()
    {
        using var train = new Cifar10Dataset(real.RequireRoot(), train: true, log: TextWriter.Null);
        var (img, label) = train[99];
        using (img)
        {
            byte[] file = File.ReadAllBytes(Path.Combine(real.Root, Cifar10Format.BatchesFolder, "data_batch_1.bin"));
            int offset = 99 * Cifar10Format.RecordBytes;
            Assert.Equal(file[offset], label);
            // The item is H×W×C; the file holds the red plane, then green, then blue.
            using var planes = img.permute(2, 0, 1).contiguous();
            Assert.Equal(file.AsSpan(offset + 1, Cifar10Format.ImageBytes).ToArray(), planes.data<byte>().ToArray());
        }
    }
}

[Trait("Category", "RealData")]
[Collection("real data")]
public class FusedTrainingOnRealDataTests(RealData real)
{
    [Fact]
    public void TheArticlesRunFusedStaysWithAutogradsRun()
    {
        var (train, val, _) = NormalizedSubset.Load(real.RequireRoot(), new Dictionary<int, int> { [0] = 0, [2] = 1 }, download: false, log: TextWriter.Null);
        val.Dispose();
        using var cifar2 = train;

        // ArticleRecipe.Train's step and settings, from the same initial weights as the autograd run.
        using var reference = CifarHelpers.Models.FullyConnected.Create();
        using var fused = CifarHelpers.Models.FullyConnected.Create();
        TrainingTests.CopyWeights(reference, fused);
        using var loader = new CifarHelpers.Data.BatchLoader(cifar2, 64, shuffle: true, seed: 42);
        using var fusedLoader = new CifarHelpers.Data.BatchLoader(cifar2, 64, shuffle: true, seed: 42);
        var history = new CifarHelpers.Training.Trainer(reference, optim.SGD(reference.parameters(), 1e-2), nn.NLLLoss()).Fit(loader, 3);
        var fusedHistory = CifarHelpers.Training.Trainer.FusedSgd(fused, CifarHelpers.Training.ArticleRecipe.LearningRate).Fit(fusedLoader, 3);

        foreach (var (a, b) in history.Epochs.Zip(fusedHistory.Epochs))
        {
            Assert.Equal(a.Loss, b.Loss, 1e-6);
            Assert.Equal(a.MeanLoss, b.MeanLoss, 1e-6);
        }
        foreach (var (a, b) in reference.parameters().Zip(fused.parameters()))
            Assert.True(allclose(a, b, rtol: 0, atol: 1e-6), $"a parameter differs by {(a - b).abs().max().item<float>():E2}");
    }
}
