using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NotebookRunner;
using Tools.Shared;

namespace CifarHelpers.Tests;

/// <summary>The runner as a command-line tool: help, bad options, and known failures that end in one line.</summary>
[Trait("Category", "Unit")]
public sealed class RunnerCliTests : IDisposable
{
    static readonly string[] Options = ["--client", "--edition", "--pages", "--notebooks", "--out", "--timeout", "--only", "--no-data"];
    readonly string repo = RepoRoot.Find();
    readonly string temp = Path.Combine(Path.GetTempPath(), $"runner-cli-{Guid.NewGuid():N}");

    [Fact]
    public void HelpExitsZeroAndNamesEveryOption()
    {
        var run = RunnerProcess.Run(repo, ["--help"]);

        Assert.Equal(0, run.ExitCode);
        foreach (var option in Options) Assert.Contains(option, run.Stdout);
        Assert.Contains("en|zh-CN", run.Stdout);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public void TheChineseEditionRunsFromNotebooksZhCN()
    {
        // Its folder is missing: one line that says so, exit 1.
        string copy = RepoShape();
        AssertKnownFailure(RunnerProcess.Run(copy, ["--edition", "zh-CN", "--no-data"]), $"notebooks{Path.DirectorySeparatorChar}zh-CN is not there");

        // With the folder there, the edition's notebooks are the ones picked (here, none matches the filter), in any case.
        Directory.CreateDirectory(Path.Combine(copy, "notebooks", "zh-CN"));
        File.Copy(Path.Combine(copy, "notebooks", "en", "passes.ipynb"), Path.Combine(copy, "notebooks", "zh-CN", "passes.ipynb"));
        var run = RunnerProcess.Run(copy, ["--edition", "ZH-cn", "--no-data", "--only", "nothing"]);
        AssertKnownFailure(run, $"No notebook in {Path.Combine(copy, "notebooks", "zh-CN")} has 'nothing' in its name.");
    }

    [Theory]
    [InlineData("--frobnicate")]
    [InlineData("--timeout")]
    [InlineData("--timeout", "abc")]
    [InlineData("--timeout", "-5")]
    [InlineData("--client", "vscode")]
    [InlineData("--edition", "fr")]
    [InlineData("--edition")]
    [InlineData("--only")]
    [InlineData("--notebooks", "/no/such/folder")]
    public void ABadOptionOrValueExitsTwoWithOneLine(params string[] args)
    {
        var run = RunnerProcess.Run(repo, args);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        string line = Assert.Single(Lines(run.Stderr));
        Assert.StartsWith("error: ", line);
    }

    [Fact]
    public void WithNoDataNoArchiveAndNoNetworkItPrintsTheMessageAndExitsOne()
    {
        // A copy of the repository's shape with no data: the runner must download, and every connection is refused.
        string copy = RepoShape();
        string unreachable = $"http://127.0.0.1:{ClosedPort()}";
        var run = RunnerProcess.Run(copy, [], new Dictionary<string, string?>
        {
            ["CIFAR10_ARCHIVE"] = null,
            ["HTTPS_PROXY"] = unreachable, ["HTTP_PROXY"] = unreachable, ["ALL_PROXY"] = null,
            ["NO_PROXY"] = null, ["no_proxy"] = null, ["https_proxy"] = null, ["http_proxy"] = null,
            ["CIFAR10_URL"] = unreachable + "/cifar-10-binary.tar.gz",
        });

        AssertKnownFailure(run, "set CIFAR10_ARCHIVE to a local cifar-10-binary.tar.gz");
        Assert.Contains("127.0.0.1", run.Stderr); // the refused connection, never the real network
        Assert.False(Directory.Exists(Path.Combine(copy, "data", "CIFAR-10", "cifar-10-batches-bin")));
    }

    [Fact]
    public void WithoutCifar10ArchiveTheArchiveInSharedBesideTheRepositoryIsUsed()
    {
        // ../shared/data/cifar-10-binary.tar.gz beside a copy of the repository's shape, here a bad one: the runner
        // must try it (and say it is corrupt) instead of going to the network, which is unreachable.
        string copy = RepoShape();
        string shared = SharedData.Archive(copy);
        Directory.CreateDirectory(Path.GetDirectoryName(shared)!);
        File.WriteAllBytes(shared, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 % 251))]);
        string unreachable = $"http://127.0.0.1:{ClosedPort()}";

        var run = RunnerProcess.Run(copy, [], new Dictionary<string, string?>
        {
            ["CIFAR10_ARCHIVE"] = null, ["CIFAR10_URL"] = unreachable + "/cifar-10-binary.tar.gz",
        });

        AssertKnownFailure(run, "is corrupt or truncated");
        Assert.Contains(shared, run.Stderr);
    }

    [Fact]
    public void ABadArchiveIsOneLineAndExitOne()
    {
        string copy = RepoShape();
        string archive = Path.Combine(temp, "not-an-archive.tar.gz");
        File.WriteAllBytes(archive, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 % 251))]);

        var run = RunnerProcess.Run(copy, [], new Dictionary<string, string?> { ["CIFAR10_ARCHIVE"] = archive });

        AssertKnownFailure(run, "is corrupt or truncated");
    }

    [Fact]
    public void AnArchiveThatIsNotThereIsOneLineAndExitOne()
    {
        string copy = RepoShape();
        var run = RunnerProcess.Run(copy, [], new Dictionary<string, string?> { ["CIFAR10_ARCHIVE"] = Path.Combine(temp, "missing.tar.gz") });

        AssertKnownFailure(run, "does not exist");
    }

    [Fact]
    public void AMissingDotnetToolIsOneLineAndExitOne()
    {
        // The copy has no .config/dotnet-tools.json, and its NuGet cache is empty: dotnet-repl was never restored.
        string copy = RepoShape();
        string emptyCache = Directory.CreateDirectory(Path.Combine(temp, "empty-nuget")).FullName;
        var run = RunnerProcess.Run(copy, ["--no-data"], new Dictionary<string, string?> { ["NUGET_PACKAGES"] = emptyCache });

        AssertKnownFailure(run, "dotnet-repl.dll is missing: run `dotnet tool restore`");
        Assert.DoesNotContain("passed", run.Stdout);
    }

    [Fact]
    public void JupyterMissingForTheJupyterClientIsOneLineAndExitOne()
    {
        string copy = RepoShape();
        // The runner itself is started by full path resolution here; inside it, PATH leads to an empty folder.
        string emptyBin = Directory.CreateDirectory(Path.Combine(temp, "empty-bin")).FullName;
        var run = RunnerProcess.Run(copy, ["--no-data", "--client", "jupyter"], new Dictionary<string, string?> { ["PATH"] = emptyBin });

        AssertKnownFailure(run, "--client jupyter needs the jupyter command");
    }

    static void AssertKnownFailure(RunResult run, string message)
    {
        Assert.True(run.ExitCode == 1, $"exit code {run.ExitCode}; stdout: {run.Stdout}; stderr: {run.Stderr}");
        var lines = Lines(run.Stderr);
        Assert.InRange(lines.Count, 1, 2);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(message, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr + run.Stdout);
        Assert.DoesNotContain("Exception", run.Stderr + run.Stdout);
    }

    static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];

    /// <summary>A folder the runner takes for a repository: global.json and notebooks/en/ with one notebook, and nothing else.</summary>
    string RepoShape()
    {
        string copy = Path.Combine(temp, "repo");
        Directory.CreateDirectory(Path.Combine(copy, "notebooks", "en"));
        File.Copy(Path.Combine(repo, "global.json"), Path.Combine(copy, "global.json"));
        File.Copy(Path.Combine(repo, "tests", "CifarHelpers.Tests", "Fixtures", "passes.ipynb"), Path.Combine(copy, "notebooks", "en", "passes.ipynb"));
        return copy;
    }

    static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
    }
}

/// <summary>The reporter's plain mode, for redirected output: lines only, never a control character.</summary>
[Trait("Category", "Unit")]
public sealed class ReporterTests
{
    [Fact]
    public void AProgressLineThatRewritesItselfBecomesPlainLines()
    {
        var output = new StringWriter();
        var log = new Reporter(output, plain: true).DataLog;

        // What the downloader writes: a progress text rewritten after \r, then the final text and a newline.
        log.Write("\rDownloading x: 1.0 MB");
        log.Write("\rDownloading x: 2.0 MB");
        log.WriteLine("\rDownloading x: 3.0 MB, done");
        log.WriteLine("Extracted and verified 6 files");

        Assert.Equal("Downloading x: 3.0 MB, done\nExtracted and verified 6 files\n", output.ToString().Replace("\r\n", "\n"));
    }

    [Fact]
    public void ThePlainTableHasARowPerNotebookAndNoControlCharacters()
    {
        var output = new StringWriter();
        var results = new List<NotebookResult>
        {
            new("06-model.ipynb", true, TimeSpan.FromSeconds(18.5), "06-model.ipynb", [], "1574402 [1572864, 512, 1024, 2]\nother\n"),
            new("08-training.ipynb", false, TimeSpan.FromSeconds(600.4), "08-training.ipynb", ["timed out after 600 s and was stopped"], ""),
        };

        new Reporter(output, plain: true).Summary(results);

        string table = output.ToString();
        Assert.Matches(@"\| 06-model\.ipynb +\| PASS +\| +18\.5 s \| 1574402 \[1572864, 512, 1024, 2\] +\|", table);
        Assert.Matches(@"\| 08-training\.ipynb +\| FAIL +\| +600\.4 s \| error: timed out after 600 s and was stopped +\|", table);
        Assert.DoesNotContain("other", table);
        Assert.DoesNotContain(table, c => char.IsControl(c) && c != '\n');
    }
}

/// <summary>A redirected run (CI, a pipe) stays alive on the log: a line at least every 35 s, no control characters.</summary>
[Trait("Category", "Notebook")]
public sealed class RunnerHeartbeatTests
{
    [Fact]
    public void APipedRunPrintsAHeartbeatAndNoControlCharacters()
    {
        string repo = RepoRoot.Find();
        string fixtures = Path.Combine(repo, "tests", "CifarHelpers.Tests", "Fixtures");
        string output = Path.Combine(repo, "artifacts", "test-heartbeat", Guid.NewGuid().ToString("N"));
        // hangs.ipynb sleeps until the 70 s limit stops it.
        var lines = new List<(TimeSpan At, string Text)>();
        var clock = Stopwatch.StartNew();
        var run = RunnerProcess.Run(repo, ["--notebooks", fixtures, "--only", "hangs", "--no-data", "--timeout", "70", "--out", output],
                                    onLine: line => { lock (lines) lines.Add((clock.Elapsed, line)); });
        var end = clock.Elapsed;

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("hangs.ipynb: 30 s…", run.Stdout);
        Assert.Contains("hangs.ipynb: 60 s…", run.Stdout);
        Assert.EndsWith("0 passed, 1 failed", run.Stdout.TrimEnd());
        var times = lines.Select(l => l.At).Prepend(TimeSpan.Zero).Append(end).ToList();
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps.Max() <= TimeSpan.FromSeconds(35), $"a {gaps.Max().TotalSeconds:F1} s silence in:\n{run.Stdout}");
        var control = run.Stdout.Where(c => char.IsControl(c) && c != '\n').Select(c => $"U+{(int)c:X4}").Distinct().ToList();
        Assert.True(control.Count == 0, $"control characters {string.Join(", ", control)} in:\n{run.Stdout}");
    }
}

/// <summary>What a run of the runner did.</summary>
public sealed record RunResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Starts the built runner (<c>dotnet NotebookRunner.dll</c>) through <see cref="Exec"/>, with a time limit.</summary>
static class RunnerProcess
{
    public static RunResult Run(string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null,
                                Action<string>? onLine = null, int timeoutMinutes = 5)
    {
        var run = Exec.Run("dotnet", [typeof(NotebookRun).Assembly.Location, .. args], TimeSpan.FromMinutes(timeoutMinutes),
                           workingDirectory, environment, onStdoutLine: onLine);
        if (run.TimedOut) throw new TimeoutException($"The runner did not finish within {timeoutMinutes} minutes:\n{Exec.Tail(run.Output)}");
        return new RunResult(run.ExitCode, run.Stdout, run.Stderr);
    }
}
