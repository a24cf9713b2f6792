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

    public static double MedianOf(double[] times)
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

static class Interleaved
{
    /// <summary>
    /// Runs each action once to warm up, then <paramref name="rounds"/> rounds of each action in turn, so a machine
    /// that speeds up or slows down mid-run affects all of them alike. Each action returns its own time in seconds.
    /// Returns the median time of each.
    /// </summary>
    public static double[] Medians(int rounds, params Func<double>[] actions)
    {
        foreach (var action in actions) action();
        var times = actions.Select(_ => new double[rounds]).ToArray();
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < actions.Length; i++)
                times[i][r] = actions[i]();
        return [.. times.Select(Harness.MedianOf)];
    }

    /// <summary>Times <paramref name="action"/> after a full collection.</summary>
    public static Func<double> Timed(Action action) => () =>
    {
        GC.Collect();
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    };
}
