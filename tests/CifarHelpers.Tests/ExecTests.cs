using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Tools.Shared;

namespace CifarHelpers.Tests;

/// <summary>
/// <see cref="Exec"/>, the one way the runner, the benchmark and the tests run a child process: exit codes, the
/// environment, both pipes, a time limit that kills the whole tree, and a bounded wait for pipes a stray process holds.
/// </summary>
[Trait("Category", "Unit")]
public class ExecTests
{
    static readonly TimeSpan Short = TimeSpan.FromSeconds(1);

    /// <summary>Enough for a kill, the drain limit and a slow machine; far less than the 30 to 60 s the children sleep.</summary>
    static readonly TimeSpan Bound = Short + Exec.PipeDrainLimit + TimeSpan.FromSeconds(8);

    static ExecResult Bash(string script, TimeSpan? timeout = null, string? workingDirectory = null,
                           IReadOnlyDictionary<string, string?>? environment = null, Action<string>? onStdoutLine = null,
                           Action<string>? onStderrLine = null) =>
        Exec.Run("bash", ["-c", script], timeout ?? TimeSpan.FromMinutes(1), workingDirectory, WithCLocale(environment), onStdoutLine, onStderrLine);

    // bash warns on stderr when LANG/LC_ALL name a locale the C library has not installed (a de_DE reader's
    // environment on a machine without it): these tests read stderr exactly, so their shells run in the C locale.
    static Dictionary<string, string?> WithCLocale(IReadOnlyDictionary<string, string?>? environment)
    {
        var all = new Dictionary<string, string?> { ["LANG"] = "C.UTF-8", ["LC_ALL"] = "C.UTF-8" };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) all[key] = value;
        return all;
    }

    [SkippableFact]
    public void ExitCodesComeBackAsTheChildGaveThem()
    {
        Requires.Linux("it runs bash");
        Assert.Equal(0, Bash("true").ExitCode);
        var three = Bash("echo out; echo err >&2; exit 3");
        Assert.Equal((3, "out\n", "err\n", false, false), (three.ExitCode, three.Stdout, three.Stderr, three.TimedOut, three.PipesLeftOpen));
        Assert.Equal(128 + 9, Bash("kill -9 $$").ExitCode); // killed by a signal: 128 + its number, as a shell says

        var e = Assert.Throws<InvalidOperationException>(() => Exec.Check("bash", ["-c", "echo why; exit 4"], TimeSpan.FromMinutes(1)));
        Assert.Contains("failed with exit code 4", e.Message);
        Assert.Contains("why", e.Message);
        // A program that is not there: Win32Exception, which the runner's tool probes catch.
        Assert.Throws<Win32Exception>(() => Exec.Run("no-such-program-" + Guid.NewGuid().ToString("N"), [], TimeSpan.FromMinutes(1)));
    }

    [SkippableFact]
    public void TheEnvironmentAndTheFolderAreTheOnesGiven()
    {
        Requires.Linux("it runs bash");
        string removed = "EXEC_TEST_REMOVED_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(removed, "inherited");
        try
        {
            var run = Bash($"echo \"$EXEC_TEST_SET|${{{removed}-unset}}|$PWD\"", workingDirectory: Path.GetTempPath(),
                           environment: new Dictionary<string, string?> { ["EXEC_TEST_SET"] = "a value with spaces", [removed] = null });
            Assert.Equal($"a value with spaces|unset|{Path.GetTempPath().TrimEnd('/')}\n", run.Stdout);
            // Without the dictionary, the child inherits ours.
            Assert.Equal("inherited\n", Bash($"echo \"${removed}\"").Stdout);
        }
        finally
        {
            Environment.SetEnvironmentVariable(removed, null);
        }
    }

    [SkippableFact]
    public void BothPipesAreReadAtOnceAndEachLineIsHeardAsItComes()
    {
        Requires.Linux("it runs bash");
        var outLines = new List<string>();
        var errLines = new List<string>();
        // 2 MB on each pipe, far over a pipe's 64 kB buffer: a child blocked on one while we read the other would hang.
        var run = Bash("for i in $(seq 1 20000); do echo \"out $i ..................................................................................................\"; " +
                       "echo \"err $i ..................................................................................................\" >&2; done; printf 'no end'",
                       onStdoutLine: outLines.Add, onStderrLine: errLines.Add);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(20001, outLines.Count);
        Assert.Equal(20000, errLines.Count);
        Assert.StartsWith("out 20000 ", outLines[^2]);
        Assert.Equal("no end", outLines[^1]); // the last line, without its end, is heard too
        Assert.Equal(string.Join('\n', outLines), run.Stdout);
        Assert.Equal(string.Join('\n', errLines) + "\n", run.Stderr);
    }

    [SkippableFact]
    public void AListenerThatThrowsDoesNotBlockTheChildAndItsExceptionComesBack()
    {
        Requires.Linux("it runs bash");
        var clock = Stopwatch.StartNew();
        // The first line throws; the child's other 2 MB are still read, so it ends by itself long before the limit.
        var e = Assert.Throws<FormatException>(() => Bash("for i in $(seq 1 20000); do echo \"line $i ..................................................................................................\"; done",
                                                         timeout: TimeSpan.FromMinutes(1), onStdoutLine: line => throw new FormatException(line)));
        Assert.Equal("line 1 ..................................................................................................", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"returned after {clock.Elapsed.TotalSeconds:F1} s");
    }

    [SkippableFact]
    public void ATimeoutKillsTheWholeTreeAndReturnsWithinABound()
    {
        Requires.Linux("it runs bash and reads /proc");
        // The background sleep holds the pipes open too: bash's child, in the tree, so killed with it.
        var clock = Stopwatch.StartNew();
        var run = Bash("sleep 60 & echo $!; sleep 60", timeout: Short);
        Assert.True(clock.Elapsed < Bound, $"returned after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(run.TimedOut);
        Assert.Equal(-1, run.ExitCode);
        int grandchild = int.Parse(run.Stdout.Trim(), CultureInfo.InvariantCulture);
        Assert.True(Gone(grandchild, TimeSpan.FromSeconds(10)), $"the grandchild {grandchild} still runs");
    }

    [SkippableFact]
    public void AProcessOutsideTheTreeThatHoldsThePipesCannotHoldUsPastTheDrainLimit()
    {
        Requires.Linux("it runs bash");
        // The subshell starts sleep and ends: sleep is re-parented out of the tree, with our pipes as its output.
        var strays = new List<int>();
        void Stray(string line)
        {
            if (int.TryParse(line, CultureInfo.InvariantCulture, out int pid)) lock (strays) strays.Add(pid);
        }
        try
        {
            var clock = Stopwatch.StartNew();
            var run = Bash("(sleep 30 & echo $!); sleep 60", timeout: Short, onStdoutLine: Stray);
            Assert.True(clock.Elapsed < Bound, $"returned after {clock.Elapsed.TotalSeconds:F1} s");
            Assert.True(run.TimedOut);
            Assert.True(run.PipesLeftOpen);

            // The same when the child ends by itself and leaves such a process behind: its exit code, and what it printed.
            clock.Restart();
            var ended = Bash("(sleep 30 & echo $!); echo done", onStdoutLine: Stray);
            Assert.True(clock.Elapsed < Bound, $"returned after {clock.Elapsed.TotalSeconds:F1} s");
            Assert.Equal(0, ended.ExitCode);
            Assert.False(ended.TimedOut);
            Assert.True(ended.PipesLeftOpen);
            Assert.EndsWith("done\n", ended.Stdout);
            lock (strays) Assert.Equal(2, strays.Count);
        }
        finally
        {
            lock (strays) strays.ForEach(Kill);
        }
    }

    [SkippableFact]
    public void AChildCanBeKilledMidwayAndTalkedToLineByLine()
    {
        Requires.Linux("it runs bash");
        using (var sleeper = Exec.Start("sleep", ["60"]))
        {
            var clock = Stopwatch.StartNew();
            sleeper.Kill();
            Assert.True(sleeper.HasExited);
            var result = sleeper.Finish(TimeSpan.FromMinutes(1));
            Assert.Equal(-1, result.ExitCode);
            Assert.True(clock.Elapsed < Bound, $"returned after {clock.Elapsed.TotalSeconds:F1} s");
        }

        using var echo = Exec.Start("bash", ["-c", "echo ready; while read -r line; do echo \"got $line\"; done; echo bye"], interactive: true);
        Assert.Equal("ready", echo.ReadLine());
        echo.Input.WriteLine("one");
        echo.Input.Flush();
        Assert.Equal("got one", echo.ReadLine());
        var end = echo.Finish(TimeSpan.FromMinutes(1)); // closes its input: the loop ends
        Assert.Equal(0, end.ExitCode);
        Assert.Equal("ready\ngot one\nbye\n", end.Stdout);
        Assert.Equal("bye", echo.ReadLine());
        Assert.Null(echo.ReadLine());
    }

    /// <summary>True once <paramref name="pid"/> has ended (or is a zombie nobody reaped) within <paramref name="limit"/>.</summary>
    static bool Gone(int pid, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            try
            {
                string stat = File.ReadAllText($"/proc/{pid}/stat");
                if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) return true;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return true;
            }
            Thread.Sleep(50);
        }
        return false;
    }

    static void Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Already gone.
        }
    }
}
