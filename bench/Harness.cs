using System.Diagnostics;
using CifarHelpers.Data;
using Tools.Shared;

namespace Bench;

static class Harness
{
    /// <summary>Runs <paramref name="action"/> once to warm up, then <paramref name="runs"/> times; the median in seconds.</summary>
    public static double Median(int runs, Action action) => Measure(runs, action).MedianS;

    /// <summary>
    /// Runs <paramref name="action"/> once (the first run, which pays for memory the process has not touched yet), then
    /// <paramref name="runs"/> times: the first run's time and minor page faults, and the medians of the others.
    /// </summary>
    public static Measured Measure(int runs, Action action)
    {
        var first = Timed(action)();
        var times = new double[runs];
        var faults = new double[runs];
        for (int i = 0; i < runs; i++) (times[i], faults[i]) = Timed(action)();
        return new Measured(first.Seconds, first.Faults, MedianOf(times), MedianOf(faults));
    }

    /// <summary>Times <paramref name="action"/> after a full collection, and counts the minor page faults it takes.</summary>
    public static Func<(double Seconds, long Faults)> Timed(Action action) => () =>
    {
        GC.Collect();
        long faults = Bench.Faults.Minor();
        var clock = Stopwatch.StartNew();
        action();
        double seconds = clock.Elapsed.TotalSeconds;
        return (seconds, Bench.Faults.Minor() - faults);
    };

    public static double MedianOf(double[] values)
    {
        values = [.. values.Order()];
        int n = values.Length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}

/// <summary>A first run and the median of the runs after it: seconds and minor page faults.</summary>
readonly record struct Measured(double FirstS, long FirstFaults, double MedianS, double MedianFaults);

static class Paths
{
    /// <summary>The repository's data/CIFAR-10 (extracted from CIFAR10_ARCHIVE when it is not there yet).</summary>
    public static Cifar10Store Store() => new(Path.Combine(RepoRoot.Find(), Cifar10Format.DefaultRoot));
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
    /// that speeds up or slows down mid-run affects all of them alike. Each action returns its own time in seconds
    /// and the minor page faults it took. Returns the median time and faults of each.
    /// </summary>
    public static (double Seconds, double Faults)[] Medians(int rounds, params Func<(double Seconds, long Faults)>[] actions)
    {
        foreach (var action in actions) action();
        var times = actions.Select(_ => new double[rounds]).ToArray();
        var faults = actions.Select(_ => new double[rounds]).ToArray();
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < actions.Length; i++)
                (times[i][r], faults[i][r]) = actions[i]();
        return [.. times.Select((t, i) => (Harness.MedianOf(t), Harness.MedianOf(faults[i])))];
    }
}

static class Faults
{
    /// <summary>Minor page faults of this process so far, all threads (field 10 of /proc/self/stat).</summary>
    public static long Minor()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7]);
    }

    /// <summary>User and system CPU seconds of this process so far, all threads (fields 14 and 15 of /proc/self/stat).</summary>
    public static (double User, double System) Cpu()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) / 100.0, long.Parse(fields[12]) / 100.0);
    }
}
