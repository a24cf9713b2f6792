using System.Globalization;
using Tools.Shared;

namespace Bench;

/// <summary>
/// The article's own data code in Python (bench/article_data.py), run in the same benchmark so that the library's data
/// path is compared with it on the same machine, at the same moment.
/// </summary>
static class ArticlePython
{
    /// <summary>
    /// A Python with torch and torchvision: <c>ARTICLE_PYTHON</c> when set, else Debian's <c>/usr/bin/python3</c>
    /// (apt-get install python3-torchvision), else <c>python3</c> on the PATH; null, and why, when none has them.
    /// </summary>
    public static string? Find(out string why)
    {
        string? chosen = Environment.GetEnvironmentVariable("ARTICLE_PYTHON");
        string[] candidates = chosen is { Length: > 0 } ? [chosen] : ["/usr/bin/python3", "python3"];
        foreach (string python in candidates)
        {
            try
            {
                var probe = Exec.Run(python, ["-c", "import torch, torchvision"], TimeSpan.FromMinutes(1));
                if (probe.ExitCode == 0) { why = ""; return python; }
            }
            catch (System.ComponentModel.Win32Exception) { } // not installed
        }
        why = $"no Python with torch and torchvision ({string.Join(", ", candidates)}); on Debian: apt-get install python3-torchvision, or set ARTICLE_PYTHON";
        return null;
    }

    /// <summary>
    /// Runs the article's data code <paramref name="runs"/> times in one fresh Python process: the first run's seconds
    /// (memory not touched before, as in a fresh .NET process) and the median.
    /// </summary>
    public static (double FirstS, double MedianS) Seconds(string python, string repoRoot, string batchesDir, int runs)
    {
        var run = Exec.Check(python, [Path.Combine(repoRoot, "bench", "article_data.py"), batchesDir, runs.ToString(CultureInfo.InvariantCulture)],
                             TimeSpan.FromMinutes(15));
        return (Figure(run.Stdout, "article_data_first_s"), Figure(run.Stdout, "article_data_median_s"));
    }

    static double Figure(string stdout, string name)
    {
        foreach (string line in stdout.Split('\n'))
            if (line.StartsWith(name + ": ", StringComparison.Ordinal))
                return double.Parse(line[(name.Length + 2)..], CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"bench/article_data.py printed no {name} line:\n{Exec.Tail(stdout)}");
    }
}
