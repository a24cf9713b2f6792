namespace CifarHelpers.Data;

/// <summary>
/// The data that notebooks 05 to 10 train and validate on: CIFAR-10 cut down to some classes and normalised with
/// the channel statistics of all 50,000 training images, as notebooks 03 and 04 build it step by step.
/// </summary>
public static class NormalizedSubset
{
    /// <summary>
    /// Reads both splits once, computes the statistics from the training bytes, keeps the images whose labels
    /// <paramref name="labelMap"/> names (relabelled), and applies <c>ToTensor</c> then <c>Normalize</c> to them in
    /// one vectorised pass. Only the two returned datasets stay in memory, as <c>float [N, 3, 32, 32]</c>.
    /// </summary>
    /// <param name="root">The data root, as for <see cref="CIFAR10"/>.</param>
    /// <param name="labelMap">Kept labels to new labels, for example airplane 0 → 0 and bird 2 → 1.</param>
    /// <param name="download">Download the archive when there is no data and no local archive.</param>
    /// <param name="log">Where the data store's messages go; the console when null.</param>
    public static (ImageDataset Train, ImageDataset Val, ChannelStats Stats) Load(
        string root, IReadOnlyDictionary<int, int> labelMap, bool download = true, TextWriter? log = null)
    {
        ChannelStats stats;
        ITransform transform;
        ImageDataset train;
        using (var cifar10 = new CIFAR10(root, train: true, download: download, log: log))
        {
            stats = ChannelStats.Of(cifar10);
            transform = Transforms.Compose(Transforms.ToTensor(), Transforms.Normalize(stats.Mean, stats.Std));
            train = Keep(cifar10, labelMap, transform);
        }
        using var cifar10Val = new CIFAR10(root, train: false, download: download, log: log);
        return (train, Keep(cifar10Val, labelMap, transform), stats);
    }

    static ImageDataset Keep(ImageDataset split, IReadOnlyDictionary<int, int> labelMap, ITransform transform)
    {
        using var subset = split.Subset(labelMap);
        return subset.ApplyTransform(transform);
    }
}
