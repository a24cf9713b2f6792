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
    /// The steps that <see cref="Library"/> gives the result of, one by one (as notebooks 03 and 04 take them), then
    /// <see cref="Library"/> itself, <paramref name="runs"/> times in this process: each step's time, minor page faults
    /// and CPU time. The first run is the one that touches the process's memory for the first time.
    /// </summary>
    public static int Phases(Cifar10Store store, int runs)
    {
        Console.WriteLine($"{"run",3} {"phase",-16} {"seconds",8} {"faults",8} {"user_s",7} {"sys_s",7}");
        for (int run = 1; run <= runs; run++)
        {
            GC.Collect();
            double totalS = 0;
            long totalFaults = 0;
            void Step<T>(string name, Func<T> step, out T result)
            {
                var before = Faults.Cpu();
                var clock = System.Diagnostics.Stopwatch.StartNew();
                long faults = Faults.Minor();
                result = step();
                double seconds = clock.Elapsed.TotalSeconds;
                faults = Faults.Minor() - faults;
                var after = Faults.Cpu();
                double user = after.User - before.User, sys = after.System - before.System;
                totalS += seconds;
                totalFaults += faults;
                Console.WriteLine(FormattableString.Invariant($"{run,3} {name,-16} {seconds,8:F3} {faults,8} {user,7:F3} {sys,7:F3}"));
            }
            Step("read train", () => new Cifar10Dataset(store.Root, train: true, log: TextWriter.Null), out var cifar10);
            Step("statistics", () => ChannelStats.Of(cifar10), out var stats);
            var transform = ImageTransforms.Compose(ImageTransforms.ToTensor(), ImageTransforms.Normalize(stats.Mean, stats.Std));
            Step("subset train", () => cifar10.Subset(LabelMap), out var subset);
            Step("transform train", () => subset.ApplyTransform(transform), out var train);
            subset.Dispose();
            cifar10.Dispose();
            Step("read val", () => new Cifar10Dataset(store.Root, train: false, log: TextWriter.Null), out var cifar10Val);
            Step("subset val", () => cifar10Val.Subset(LabelMap), out var subsetVal);
            Step("transform val", () => subsetVal.ApplyTransform(transform), out var val);
            subsetVal.Dispose();
            cifar10Val.Dispose();
            train.Dispose();
            val.Dispose();
            Console.WriteLine(FormattableString.Invariant($"{run,3} {"all steps",-16} {totalS,8:F3} {totalFaults,8}"));
            GC.Collect();
            Step("NormalizedSubset", () => Library(store), out var library);
            library.Dispose();
        }
        return 0;
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
        // A link left by an earlier run may point at a folder that has moved or gone: make it point here.
        var existing = new DirectoryInfo(link);
        if (existing.LinkTarget != batchesDir)
        {
            if (existing.LinkTarget is not null) File.Delete(link); // unlinks the link, never its target
            else if (existing.Exists) throw new IOException($"{link} is a folder, not the link the benchmark makes; remove it.");
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
