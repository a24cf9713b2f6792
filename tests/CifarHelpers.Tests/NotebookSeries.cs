using System.Diagnostics;
using CifarHelpers.Data;
using NotebookRunner;

namespace CifarHelpers.Tests;

/// <summary>
/// Executes the whole notebook series once, headless with dotnet-repl, on the real data, into a build output
/// folder (never over the sources). The tests then read the executed copies.
/// </summary>
public sealed class NotebookSeries
{
    public NotebookSeries()
    {
        Repo = RepoRoot.Find();
        Output = Path.Combine(Repo, "artifacts", "test-executed");
        // The notebooks get the data themselves (download: true): offline, through the real archive.
        if (RealData.Find() is { } archive) Environment.SetEnvironmentVariable(Cifar10Format.ArchiveVariable, archive);

        Run("dotnet", "build", Path.Combine(Repo, "lib", "CifarHelpers"), "-c", "Release", "--nologo", "-v", "q");
        Run("dotnet", "tool", "restore");
        var run = new NotebookRun(Output, TimeSpan.FromMinutes(15));
        foreach (var notebook in Directory.GetFiles(Path.Combine(Repo, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
            Results.Add(run.Execute(notebook));
    }

    public string Repo { get; }
    public string Output { get; }
    public List<NotebookResult> Results { get; } = [];

    public NotebookResult this[string prefix] =>
        Results.SingleOrDefault(r => r.Name.StartsWith(prefix, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"There is no notebook {prefix}-*.ipynb.");

    void Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = Repo, RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{output}");
    }
}

[CollectionDefinition("notebooks")]
public sealed class NotebookCollection : ICollectionFixture<NotebookSeries>;
