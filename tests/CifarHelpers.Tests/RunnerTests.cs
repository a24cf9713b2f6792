using NotebookRunner;
using Tools.Shared;

namespace CifarHelpers.Tests;

[Trait("Category", "Notebook")]
public class RunnerTests
{
    readonly string repo = RepoRoot.Find();

    [Fact]
    public void TheRunnerReportsNotebooksMadeToFailAndExitsNonZero()
    {
        // Four fixtures: one passes, one throws midway, one does not compile, one hangs past the time limit.
        string fixtures = Path.Combine(repo, "tests", "CifarHelpers.Tests", "Fixtures");
        string output = Path.Combine(repo, "artifacts", "test-failing", Guid.NewGuid().ToString("N"), "not-yet-there");
        var run = RunnerProcess.Run(repo, ["--notebooks", fixtures, "--out", output, "--no-data", "--timeout", "45"]);
        string stdout = run.Stdout;

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("PASS passes.ipynb", stdout);
        Assert.Contains("FAIL fails-midway.ipynb", stdout);
        Assert.Contains("this cell fails on purpose", stdout);
        Assert.Contains("FAIL fails-to-compile.ipynb", stdout);
        Assert.Contains("FAIL hangs.ipynb", stdout);
        Assert.Contains("timed out after 45 s", stdout);
        Assert.EndsWith("1 passed, 3 failed", stdout.TrimEnd());
        // The closing table, one row per notebook, just before that line.
        Assert.Matches(@"\| passes\.ipynb +\| PASS +\| +[0-9.]+ s \|", stdout);
        Assert.Matches(@"\| hangs\.ipynb +\| FAIL +\| +[0-9.]+ s \| error: timed out after 45 s", stdout);

        // The missing output folder was created; the cells after the failing one still ran; the sources stayed clean.
        var (text, errors) = NotebookRun.ReadOutputs(Path.Combine(output, "fails-midway.ipynb"));
        Assert.Contains("after the failure", text);
        Assert.Single(errors);
        foreach (var fixture in Directory.GetFiles(fixtures, "*.ipynb"))
            Assert.DoesNotContain("output_type", File.ReadAllText(fixture));
    }

    [Fact]
    public void ANotebookFolderOutsideTheRepositoryRunsFromItsOwnFolder()
    {
        // `dotnet tool run` finds the tool manifest only from inside the repository; the runner must not depend on it.
        string outside = Path.Combine(Path.GetTempPath(), $"runner-outside-{Guid.NewGuid():N}");
        Directory.CreateDirectory(outside);
        try
        {
            File.Copy(Path.Combine(repo, "tests", "CifarHelpers.Tests", "Fixtures", "passes.ipynb"), Path.Combine(outside, "passes.ipynb"));
            var run = RunnerProcess.Run(repo, ["--notebooks", outside, "--out", Path.Combine(outside, "executed"), "--no-data", "--timeout", "120"]);

            Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
            Assert.EndsWith("1 passed, 0 failed", run.Stdout.TrimEnd());
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }
}
