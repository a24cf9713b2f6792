using System.Diagnostics;
using CifarHelpers.Data;

namespace Bench;

static class Harness
{
    /// <summary>Runs <paramref name="action"/> once to warm up, then <paramref name="runs"/> times; the median in seconds.</summary>
    public static double Median(int runs, Action action)
    {
        action();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            GC.Collect();
            var clock = Stopwatch.StartNew();
            action();
            times[i] = clock.Elapsed.TotalSeconds;
        }
        return MedianOf(times);
    }

    static double MedianOf(double[] times)
    {
        Array.Sort(times);
        int n = times.Length;
        return n % 2 == 1 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
    }
}

static class Paths
{
    /// <summary>The repository's data/CIFAR-10 (extracted from CIFAR10_ARCHIVE when it is not there yet).</summary>
    public static Cifar10Store Store()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "global.json")))
                return new Cifar10Store(Path.Combine(dir.FullName, Cifar10Format.DefaultRoot));
        throw new DirectoryNotFoundException("Run the benchmark from inside the repository.");
    }
}

static class Rss
{
    /// <summary>A field of /proc/self/status in MB: VmRSS (now) or VmHWM (peak).</summary>
    public static double Mb(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]) / 1024.0;
        throw new InvalidOperationException($"/proc/self/status has no {field}");
    }
}
