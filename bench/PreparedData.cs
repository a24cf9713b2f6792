using CifarHelpers.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Bench;

/// <summary>The normalised bird/airplane training and validation sets.</summary>
sealed class PreparedData(ImageDataset train, ImageDataset val) : IDisposable
{
    static readonly Dictionary<int, int> LabelMap = new() { [0] = 0, [2] = 1 };

    public ImageDataset Train { get; } = train;
    public ImageDataset Val { get; } = val;

    /// <summary>
    /// The library's path, as the notebooks take it (<see cref="NormalizedSubset.Load"/>): bulk read, statistics from
    /// the bytes, subset, then one vectorised transform.
    /// </summary>
    public static PreparedData Library(Cifar10Store store)
    {
        var (train, val, _) = NormalizedSubset.Load(store.Root, LabelMap, download: false, log: TextWriter.Null);
        return new PreparedData(train, val);
    }

    /// <summary>
    /// The article's way, with TorchVision: a dataset of one tensor per image, statistics from all images stacked,
    /// a per-image Normalize on access, and a filtered list of (image, label) pairs.
    /// </summary>
    public static PreparedData Baseline(string batchesDir)
    {
        // TorchVision reads <root>/CIFAR10/cifar-10-batches-bin: point it at the extracted files.
        string root = Path.Combine(Path.GetTempPath(), "bench-torchvision");
        string link = Path.Combine(root, "CIFAR10", "cifar-10-batches-bin");
        if (!Directory.Exists(link))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            Directory.CreateSymbolicLink(link, batchesDir);
        }

        using var scope = NewDisposeScope();
        using var tensorCifar10 = torchvision.datasets.CIFAR10(root, true, false, (torchvision.ITransform?)null!);
        var all = new List<Tensor>();
        for (long i = 0; i < tensorCifar10.Count; i++) all.Add(tensorCifar10.GetTensor(i)["data"]);
        var imgs = stack(all, dim: 3);
        var flat = imgs.view(3, -1);
        var mean = flat.mean([1]).view(3, 1, 1);
        var std = flat.std(1).view(3, 1, 1);
        Func<Tensor, Tensor> normalize = img => (img - mean) / std;

        var cifar2 = Filter(torchvision.datasets.CIFAR10(root, true, false, normalize));
        var cifar2Val = Filter(torchvision.datasets.CIFAR10(root, false, false, normalize));
        var train = new ImageDataset(stack(cifar2.Select(p => p.Image)).MoveToOuterDisposeScope(),
                                     tensor(cifar2.Select(p => p.Label).ToArray()).MoveToOuterDisposeScope(), ["airplane", "bird"]);
        var val = new ImageDataset(stack(cifar2Val.Select(p => p.Image)).MoveToOuterDisposeScope(),
                                   tensor(cifar2Val.Select(p => p.Label).ToArray()).MoveToOuterDisposeScope(), ["airplane", "bird"]);
        return new PreparedData(train, val);
    }

    static List<(Tensor Image, long Label)> Filter(torch.utils.data.Dataset dataset)
    {
        var kept = new List<(Tensor, long)>();
        using (dataset)
        {
            for (long i = 0; i < dataset.Count; i++)
            {
                var item = dataset.GetTensor(i);
                long label = item["label"].item<long>();
                if (LabelMap.TryGetValue((int)label, out int mapped)) kept.Add((item["data"], mapped));
            }
        }
        return kept;
    }

    public void Dispose()
    {
        Train.Dispose();
        Val.Dispose();
    }
}
