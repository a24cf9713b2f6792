using System.Diagnostics;
using CifarHelpers.Data;
using NotebookRunner;

namespace CifarHelpers.Tests;

/// <summary>
/// Executes the whole notebook series on the real data with both clients, one after the other: dotnet-repl, then
/// Jupyter's nbconvert with the project's .NET kernelspec. Executed copies go to build output folders (never over
/// the sources). The Jupyter copies are then rendered to offline HTML pages. The tests read all of these.
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
        var notebooks = Directory.GetFiles(Path.Combine(Repo, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal).ToList();
        var repl = new NotebookRun(Output, TimeSpan.FromMinutes(15));
        Results[Client.Repl] = notebooks.Select(repl.Execute).ToList();

        string jupyterPath = JupyterKernel.Install(Path.Combine(Repo, "artifacts", "jupyter"));
        var jupyter = new NotebookRun(Output + "-jupyter", TimeSpan.FromMinutes(15), Client.Jupyter, jupyterPath);
        Results[Client.Jupyter] = notebooks.Select(jupyter.Execute).ToList();

        PagesDir = Path.Combine(Repo, "artifacts", "test-pages");
        if (Directory.Exists(PagesDir)) Directory.Delete(PagesDir, recursive: true);
        Pages = NotebookRunner.Pages.Render(Repo, Results[Client.Jupyter].Where(r => File.Exists(r.ExecutedPath)).Select(r => r.ExecutedPath).ToList(), PagesDir);
    }

    public string Repo { get; }
    public string Output { get; }
    public Dictionary<Client, List<NotebookResult>> Results { get; } = [];
    public string PagesDir { get; }
    public IReadOnlyList<string> Pages { get; }

    public NotebookResult Get(Client client, string prefix) =>
        Results[client].SingleOrDefault(r => r.Name.StartsWith(prefix, StringComparison.Ordinal))
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

[CollectionDefinition("notebooks", DisableParallelization = true)]
public sealed class NotebookCollection : ICollectionFixture<NotebookSeries>;
