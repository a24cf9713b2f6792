using CifarHelpers.Data;
using CifarHelpers.Runtime;
using static TorchSharp.torch;

namespace CifarHelpers.Tests;

[Trait("Category", "Unit")]
public class DatasetTests
{
    public DatasetTests() => TorchRuntime.Initialize();

    static ImageDataset Random(int n, long seed = 1)
    {
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        var images = randint(0, 256, [n, 3, 32, 32], dtype: ScalarType.Byte, generator: generator);
        var labels = arange(n, dtype: ScalarType.Int64).remainder(10);
        return new ImageDataset(images, labels, Cifar10Format.Classes);
    }

    [Fact]
    public void ARawItemIsHeightWidthChannelBytesAndToTensorMakesChwFloats()
    {
        using var data = Random(4);
        byte[] before = data.Images.data<byte>().ToArray();
        var (img, label) = data[2];
        using (img)
        {
            Assert.Equal(2, label);
            Assert.Equal([32L, 32, 3], img.shape);
            Assert.Equal(ScalarType.Byte, img.dtype);
            Assert.Equal(data.Images[2, 1, 5, 7].item<byte>(), img[5, 7, 1].item<byte>());

            using var t = ImageTransforms.ToTensor().Apply(img);
            Assert.Equal([3L, 32, 32], t.shape);
            Assert.Equal(ScalarType.Float32, t.dtype);
            Assert.Equal(data.Images[2, 1, 5, 7].item<byte>() / 255f, t[1, 5, 7].item<float>(), 6);
        }
        // Disposing an item leaves the dataset intact.
        Assert.Equal([4L, 3, 32, 32], data.Images.shape);
        Assert.Equal(before, data.Images.data<byte>().ToArray());
    }

    [Fact]
    public void NormalizeWorksOnOneImageAndOnABatchAlike()
    {
        var normalize = ImageTransforms.Normalize([0.5, 0.25, 0.1], [0.5, 0.25, 2.0]);
        using var batch = rand(5, 3, 4, 4);
        using var all = normalize.Apply(batch);
        using var one = normalize.Apply(batch[3]);
        Assert.True(one.allclose(all[3]));
        Assert.Equal((batch[0, 2, 1, 1].item<float>() - 0.1f) / 2f, all[0, 2, 1, 1].item<float>(), 6);
        Assert.Throws<ArgumentException>(() => normalize.Apply(rand(3, 4)));
    }

    [Fact]
    public void TheWholeSplitPathEqualsThePerItemPath()
    {
        var transform = ImageTransforms.Compose(ImageTransforms.ToTensor(), ImageTransforms.Normalize([0.4, 0.5, 0.6], [0.2, 0.3, 0.25]));
        using var raw = Random(6);
        using var withTransform = new ImageDataset(raw.Images.alias(), raw.Labels.alias(), raw.Classes, transform);
        using var bulk = withTransform.ApplyTransform();
        Assert.Null(bulk.Transform);
        for (int i = 0; i < raw.Count; i++)
        {
            var (item, _) = withTransform[i];
            using (item) Assert.True(item.allclose(bulk.Images[i]), $"item {i}");
        }
    }

    [Fact]
    public void SubsetKeepsAndRemapsLabelsInBulk()
    {
        using var data = Random(40);
        using var cifar2 = data.Subset(new Dictionary<int, int> { [0] = 0, [2] = 1 });
        Assert.Equal(["airplane", "bird"], cifar2.Classes);
        Assert.Equal(8, cifar2.Count);
        Assert.Equal([4L, 4], cifar2.ClassCounts());
        Assert.Equal([0L, 1, 0, 1, 0, 1, 0, 1], cifar2.Labels.data<long>().ToArray());
        Assert.True(cifar2.Images[1].eq(data.Images[2]).all().item<bool>());
        Assert.Throws<ArgumentException>(() => data.Subset(new Dictionary<int, int> { [0] = 0, [2] = 2 }));
    }

    [Fact]
    public void ChannelStatisticsMatchTorchOnBytesAndFloats()
    {
        using var data = Random(50);
        var stats = ChannelStats.Of(data);
        using var floats = data.Images.to_type(ScalarType.Float64).div(255.0);
        using var perChannel = floats.transpose(0, 1).reshape(3, -1);
        var mean = perChannel.mean([1]).data<double>().ToArray();
        var std = perChannel.std(1).data<double>().ToArray();
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(mean[c], stats.Mean[c], 10);
            Assert.Equal(std[c], stats.Std[c], 10);
        }
        var fromFloats = ChannelStats.Of(floats);
        Assert.Equal(stats.Mean[1], fromFloats.Mean[1], 10);
        Assert.StartsWith("mean tensor([", stats.ToString());
    }

    [Fact]
    public void AChannelsLastLoaderGivesTheSameBatchesLaidOutChannelsLast()
    {
        using var data = Random(10);
        using var plain = new BatchLoader(data, batchSize: 4, shuffle: true, seed: 3);
        using var channelsLast = new BatchLoader(data, batchSize: 4, shuffle: true, seed: 3, channelsLast: true);
        Assert.True(channelsLast.ChannelsLast);
        foreach (var ((a, la), (b, lb)) in plain.Zip(channelsLast))
        {
            using (a) using (la) using (b) using (lb)
            {
                Assert.Equal(a.shape, b.shape);
                Assert.True(a.eq(b).all().item<bool>());
                Assert.True(la.eq(lb).all().item<bool>());
                Assert.Equal(1, a.stride(3));              // NCHW memory: the width is innermost
                Assert.Equal(1, b.stride(1));              // NHWC memory: the channel is innermost
                Assert.Equal(a.shape[1], b.stride(3));      // then the width
                // A convolution gives the same numbers from either layout.
                using var conv = TorchSharp.torch.nn.Conv2d(3, 4, 3, padding: 1);
                using var fa = a.to_type(ScalarType.Float32);
                using var fb = b.to_type(ScalarType.Float32);
                using var ya = conv.forward(fa);
                using var yb = conv.forward(fb);
                Assert.True(ya.allclose(yb, rtol: 1e-4, atol: 1e-3));
            }
        }
    }

    [Fact]
    public void TheLoaderBatchesShufflesBySeedAndNeverHarmsTheDataset()
    {
        using var data = Random(10);
        using (var plain = new BatchLoader(data, batchSize: 4))
        {
            var sizes = plain.Select(b => { using var i = b.Images; using var l = b.Labels; return i.shape[0]; }).ToList();
            Assert.Equal([4L, 4, 2], sizes);
            Assert.Equal(3, plain.Count);
        }
        using (var dropping = new BatchLoader(data, batchSize: 4, dropLast: true))
            Assert.Equal(2, dropping.Count());

        static List<long[]> Epochs(ImageDataset d, long seed)
        {
            using var loader = new BatchLoader(d, batchSize: 10, shuffle: true, seed: seed);
            var epochs = new List<long[]>();
            for (int e = 0; e < 3; e++)
                foreach (var (images, labels) in loader)
                {
                    epochs.Add(labels.data<long>().ToArray());
                    images.Dispose();
                    labels.Dispose();
                }
            return epochs;
        }
        var a = Epochs(data, 7);
        var b = Epochs(data, 7);
        Assert.Equal(a, b);
        Assert.NotEqual(a[0], a[1]);
        Assert.All(a, e => Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), e.Order()));
        Assert.Equal([10L, 3, 32, 32], data.Images.shape);
        Assert.Equal(45, data.Labels.sum().item<long>());
    }
}
