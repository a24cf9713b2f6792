extern alias bench;

using Tools.Shared;

namespace CifarHelpers.Tests;

/// <summary>The benchmark as a command-line tool: help, bad options, and a heartbeat while a long phase runs.</summary>
[Trait("Category", "Unit")]
public sealed class BenchCliTests
{
    static readonly string[] Options = ["--runs", "--skip-memory", "--skip-python", "--data-only", "--phases", "--markdown"];
    static readonly string BenchDll = typeof(bench::Bench.Progress).Assembly.Location;

    static ExecResult Bench(params string[] args) => Exec.Run("dotnet", [BenchDll, .. args], TimeSpan.FromMinutes(2));

    [Fact]
    public void HelpExitsZeroAndNamesEveryOption()
    {
        var run = Bench("--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var option in Options) Assert.Contains(option, run.Stdout);
        Assert.DoesNotContain("-child", run.Stdout); // the benchmark's own child processes are not for users
    }

    [Theory]
    [InlineData("--frobnicate")]
    [InlineData("--runs")]
    [InlineData("--runs", "abc")]
    [InlineData("--runs", "0")]
    public void ABadOptionOrValueExitsTwoWithOneLine(params string[] args)
    {
        var run = Bench(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        string line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
    }

    [Fact]
    public void ALongPhaseIsNeverSilentForLongerThanTheHeartbeat()
    {
        var output = new TimedLines();
        using (var progress = new bench::Bench.Progress(output, every: TimeSpan.FromMilliseconds(300)))
        {
            progress.Phase("memory: 100 epochs");
            progress.Note("memory: epoch 7 of 100");
            Thread.Sleep(2000);
            progress.Dispose(); // stopped before the end of its scope, as the benchmark does: the second Dispose is a no-op
        }

        Assert.StartsWith("bench: 0 s, memory: 100 epochs", output.Lines[0].Text);
        Assert.Contains(output.Lines, l => l.Text.EndsWith("memory: epoch 7 of 100…", StringComparison.Ordinal));
        Assert.True(output.Lines.Count >= 4, $"{output.Lines.Count} lines in 2 s with a 0.3 s heartbeat");
        var gaps = output.Lines.Zip(output.Lines.Skip(1), (a, b) => b.At - a.At);
        // The timer may fire late on a loaded machine: a generous bound, which a missing heartbeat still breaks.
        Assert.All(gaps, gap => Assert.True(gap < TimeSpan.FromMilliseconds(1000), $"{gap.TotalMilliseconds} ms between two lines"));
        Assert.All(output.Lines, l => Assert.DoesNotContain(l.Text, c => char.IsControl(c)));
    }

    /// <summary>Records each line written and when.</summary>
    sealed class TimedLines : StringWriter
    {
        readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        public List<(TimeSpan At, string Text)> Lines { get; } = [];
        public override void WriteLine(string? value)
        {
            lock (Lines) Lines.Add((_clock.Elapsed, value ?? ""));
        }
    }
}
