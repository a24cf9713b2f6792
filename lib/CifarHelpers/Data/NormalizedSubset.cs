using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace CifarHelpers.Data;

/// <summary>
/// The data that notebooks 05 to 10 train and validate on: CIFAR-10 cut down to some classes and normalised with
/// the channel statistics of all 50,000 training images, as notebooks 03 and 04 build it step by step.
/// </summary>
public static class NormalizedSubset
{
    /// <summary>
    /// Gives what the steps give (<see cref="Cifar10Dataset"/>, <see cref="ChannelStats.Of(ImageDataset)"/>,
    /// <see cref="ImageDataset.Subset"/>, then <c>ToTensor</c> and <c>Normalize</c> with
    /// <see cref="ImageDataset.ApplyTransform(IImageTransform)"/>), bit for bit, while touching as little new memory as it
    /// can: the files stream through one small buffer, once for the labels and the statistics and once to write the
    /// kept images, as normalised floats, straight into the result. No byte copy of a split is made. Only the two
    /// returned datasets stay in memory, as <c>float [N, 3, 32, 32]</c>.
    /// </summary>
    /// <param name="root">The data root, as for <see cref="Cifar10Dataset"/>.</param>
    /// <param name="labelMap">Kept labels to new labels, for example airplane 0 → 0 and bird 2 → 1.</param>
    /// <param name="download">Download the archive when there is no data and no local archive.</param>
    /// <param name="log">Where the data store's messages go; the console when null.</param>
    /// <remarks>
    /// On a machine where memory touched for the first time is slow, the step-by-step way pays for a 150 MB byte
    /// copy of the training split, a 30 MB subset and a second 123 MB float copy before the one it keeps.
    /// </remarks>
    public static (ImageDataset Train, ImageDataset Val, ChannelStats Stats) Load(
        string root, IReadOnlyDictionary<int, int> labelMap, bool download = true, TextWriter? log = null)
    {
        var (lookup, classes) = LabelLookup(labelMap);
        var trainFiles = Prepare(root, train: true, download, log);
        var stats = new ChannelStats.Accumulator(Cifar10Format.Channels, Cifar10Format.Side * Cifar10Format.Side);
        var trainLabels = Labels(trainFiles, image => stats.Add(image));
        var statistics = stats.Result();
        var transform = ImageTransforms.Compose(ImageTransforms.ToTensor(), ImageTransforms.Normalize(statistics.Mean, statistics.Std));
        float[] table = Table(transform);
        var train = Keep(trainFiles, trainLabels, lookup, classes, table);
        try
        {
            var valFiles = Prepare(root, train: false, download, log);
            return (train, Keep(valFiles, Labels(valFiles, null), lookup, classes, table), statistics);
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    static IReadOnlyList<string> Prepare(string root, bool train, bool download, TextWriter? log)
    {
        // As Cifar10Dataset does for each split it reads.
        var store = new Cifar10Store(root, null, log);
        store.Prepare(download);
        return store.Files(train);
    }

    /// <summary>The same checks and class names as <see cref="ImageDataset.Subset"/>.</summary>
    static (int[] Lookup, string[] Classes) LabelLookup(IReadOnlyDictionary<int, int> labelMap)
    {
        int newCount = labelMap.Values.Max() + 1;
        if (labelMap.Values.Distinct().Count() != labelMap.Count || labelMap.Values.Min() < 0 || newCount != labelMap.Count)
            throw new ArgumentException("The label map must send the kept labels to 0, 1, ... without gaps or repeats.");
        var lookup = Enumerable.Repeat(-1, Cifar10Format.Classes.Count).ToArray();
        var classes = new string[newCount];
        foreach (var (from, to) in labelMap)
        {
            if (from < 0 || from >= Cifar10Format.Classes.Count)
                throw new ArgumentException($"Label {from} is not a class of this dataset (0..{Cifar10Format.Classes.Count - 1}).");
            lookup[from] = to;
            classes[to] = Cifar10Format.Classes[from];
        }
        return (lookup, classes);
    }

    /// <summary>Every record's label, in order; each image also goes to <paramref name="image"/> when given.</summary>
    static byte[] Labels(IReadOnlyList<string> files, Action<ReadOnlySpan<byte>>? image)
    {
        const int record = Cifar10Format.RecordBytes;
        var labels = new byte[Cifar10Reader.Count(files)];
        // Optimised from the first call, as ChannelStats.SumAndSquares and for the same reason.
        Cifar10Reader.Scan(files, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (records, first, count) =>
        {
            for (int r = 0; r < count; r++)
            {
                labels[first + r] = records[r * record];
                image?.Invoke(records.Slice(r * record + 1, Cifar10Format.ImageBytes));
            }
        });
        return labels;
    }

    /// <summary>
    /// What <paramref name="transform"/> makes of each byte value in each channel, <c>[channel * 256 + value]</c>: the
    /// transform itself applied to an image holding all 256 values, so the table gives its results bit for bit.
    /// </summary>
    static float[] Table(IImageTransform transform)
    {
        using var scope = NewDisposeScope();
        // [1, C, 1, 256] bytes with value v at [0, c, 0, v], seen as H×W×C as ImageDataset.ApplyTransform sees a split.
        var values = arange(256, ScalarType.Byte).expand(1, Cifar10Format.Channels, 1, 256).contiguous();
        var result = transform.Apply(values.permute(0, 2, 3, 1)).contiguous();
        return result.data<float>().ToArray();
    }

    /// <summary>The records whose label <paramref name="lookup"/> keeps, mapped through <paramref name="table"/> into a new dataset.</summary>
    static ImageDataset Keep(IReadOnlyList<string> files, byte[] labels, int[] lookup, string[] classes, float[] table)
    {
        const int record = Cifar10Format.RecordBytes, image = Cifar10Format.ImageBytes, plane = Cifar10Format.Side * Cifar10Format.Side;
        var kept = new long[labels.Count(l => lookup[l] >= 0)];
        var images = empty([kept.Length, Cifar10Format.Channels, Cifar10Format.Side, Cifar10Format.Side], ScalarType.Float32);
        try
        {
            unsafe
            {
                // The tensor's memory is native, not moved by the GC: its address stays valid while it lives.
                nint address;
                fixed (byte* p = images.bytes) address = (nint)p;
                long next = 0;
                Cifar10Reader.Scan(files, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (records, first, count) =>
                {
                    for (int r = 0; r < count; r++)
                    {
                        int to = lookup[labels[first + r]];
                        if (to < 0) continue;
                        var pixels = records.Slice(r * record + 1, image);
                        var output = new Span<float>((float*)address + next * image, image);
                        for (int c = 0; c < Cifar10Format.Channels; c++)
                        {
                            var values = table.AsSpan(c * 256, 256);
                            var source = pixels.Slice(c * plane, plane);
                            var target = output.Slice(c * plane, plane);
                            for (int k = 0; k < plane; k++) target[k] = values[source[k]];
                        }
                        kept[next++] = to;
                    }
                });
            }
            return new ImageDataset(images, tensor(kept), classes);
        }
        catch
        {
            images.Dispose();
            throw;
        }
    }
}
