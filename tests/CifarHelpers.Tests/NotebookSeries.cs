using CifarHelpers.Data;
using NotebookRunner;
using Tools.Shared;

namespace CifarHelpers.Tests;

/// <summary>
/// Executes the whole notebook series on the real data with both clients, one after the other: dotnet-repl, then
/// Jupyter's nbconvert with the project's .NET kernelspec. The notebooks run from a workspace of their own
/// (<see cref="TestWorkspace"/>), so the reader's <c>data/models</c> is never written. Executed copies go to build
/// output folders (never over the sources). Then the Chinese edition (<c>notebooks/zh-CN</c>) runs under dotnet-repl
/// only (its code cells are the English ones). The Jupyter copies and the Chinese edition's copies are rendered to
/// offline HTML pages, in one folder with an index of both. The tests read all of these.
/// </summary>
public sealed class NotebookSeries : IDisposable
{
    readonly RealData _data = new();

    public NotebookSeries()
    {
        Repo = RepoRoot.Find();
        Output = Path.Combine(Repo, "artifacts", "test-executed");
        ReadersModelsBefore = Snapshot(Path.Combine(Repo, "data", "models"));
        Exec.Check("dotnet", ["build", Path.Combine(Repo, "lib", "CifarHelpers"), "-c", "Release", "--nologo", "-v", "q"], TimeSpan.FromMinutes(10), Repo);
        Exec.Check("dotnet", ["tool", "restore"], TimeSpan.FromMinutes(5), Repo);
        Workspace = new TestWorkspace(Repo, _data.RequireRoot());
        // The kernels inherit this process's environment: the notebooks find their data in the workspace, never an archive.
        Environment.SetEnvironmentVariable(Cifar10Format.ArchiveVariable, null);

        var notebooks = Workspace.Notebooks();
        // Readers' machines write decimal commas: the English dotnet-repl run's kernels start under a German locale,
        // the Chinese run's under a French one, and every figure assertion runs over them (Tutorial.Setup makes the
        // printed figures culture-invariant). The Jupyter run keeps the machine's locale.
        var repl = new NotebookRun(Output, TimeSpan.FromMinutes(15));
        Results[Client.Repl] = WithLocale("de_DE.UTF-8", () => notebooks.Select(repl.Execute).ToList());

        string jupyterPath = JupyterKernel.Install(Path.Combine(Repo, "artifacts", "jupyter"));
        var jupyter = new NotebookRun(Output + "-jupyter", TimeSpan.FromMinutes(15), Client.Jupyter, jupyterPath);
        Results[Client.Jupyter] = notebooks.Select(jupyter.Execute).ToList();

        // The Chinese edition: dotnet-repl only, its language from its folder (no TUTORIAL_LANG given).
        var chinese = new NotebookRun(Path.Combine(Output, Editions.Chinese), TimeSpan.FromMinutes(15));
        ChineseResults = WithLocale("fr_FR.UTF-8", () => Workspace.Notebooks(Editions.Chinese).Select(chinese.Execute).ToList());

        PagesDir = Path.Combine(Repo, "artifacts", "test-pages");
        if (Directory.Exists(PagesDir)) Directory.Delete(PagesDir, recursive: true);
        Pages = NotebookRunner.Pages.Render(Repo, Results[Client.Jupyter].Where(r => File.Exists(r.ExecutedPath)).Select(r => r.ExecutedPath).ToList(), PagesDir);
        ChinesePages = NotebookRunner.Pages.Render(Repo, ChineseResults.Where(r => File.Exists(r.ExecutedPath)).Select(r => r.ExecutedPath).ToList(),
                                                   PagesDir, Editions.Chinese).Skip(1).ToList();
    }

    /// <summary>Runs <paramref name="run"/> with <c>LANG</c> and <c>LC_ALL</c> set to <paramref name="locale"/> for the children it starts.</summary>
    static T WithLocale<T>(string locale, Func<T> run)
    {
        string? lang = Environment.GetEnvironmentVariable("LANG"), all = Environment.GetEnvironmentVariable("LC_ALL");
        Environment.SetEnvironmentVariable("LANG", locale);
        Environment.SetEnvironmentVariable("LC_ALL", locale);
        try
        {
            return run();
        }
        finally
        {
            Environment.SetEnvironmentVariable("LANG", lang);
            Environment.SetEnvironmentVariable("LC_ALL", all);
        }
    }

    public string Repo { get; }
    public string Output { get; }
    public TestWorkspace Workspace { get; }
    public Dictionary<Client, List<NotebookResult>> Results { get; } = [];

    /// <summary>The Chinese edition's notebooks, run with dotnet-repl; empty when the repository has no <c>notebooks/zh-CN</c>.</summary>
    public List<NotebookResult> ChineseResults { get; }

    /// <summary>The Chinese edition's pages, in <c>zh-CN/</c> under <see cref="PagesDir"/> (the index is <see cref="Pages"/>' first).</summary>
    public IReadOnlyList<string> ChinesePages { get; }
    public string PagesDir { get; }
    public IReadOnlyList<string> Pages { get; }

    /// <summary>The reader's <c>data/models</c> before the series ran: each file's name and bytes' hash.</summary>
    public IReadOnlyDictionary<string, string> ReadersModelsBefore { get; }

    /// <summary>Each file under <paramref name="folder"/>, by relative path, with its SHA-256; empty when there is no folder.</summary>
    public static IReadOnlyDictionary<string, string> Snapshot(string folder) =>
        !Directory.Exists(folder) ? new Dictionary<string, string>() :
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(folder, f),
            f => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    public NotebookResult Get(Client client, string prefix) => Get(client, Editions.English, prefix);

    /// <summary>The run of notebook <paramref name="prefix"/> of an edition with a client (the Chinese edition: dotnet-repl only).</summary>
    public NotebookResult Get(Client client, string edition, string prefix)
    {
        var results = edition == Editions.English ? Results[client]
            : client == Client.Repl ? ChineseResults
            : throw new ArgumentException($"The {edition} edition runs with dotnet-repl only.", nameof(client));
        return results.SingleOrDefault(r => r.Name.StartsWith(prefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"There is no notebook {prefix}-*.ipynb in the {edition} edition (notebooks/{edition}/).");
    }

    public void Dispose() => _data.Dispose();
}

/// <summary>
/// A copy of the repository's shape for the notebooks to run in: <c>notebooks/en</c> and <c>notebooks/zh-CN</c> (copies of the sources),
/// <c>data/CIFAR-10</c> (a link to verified real data), an empty <c>data/models</c>, and
/// <c>artifacts/notebook-lib</c> (a link to the built helper library). The notebooks' relative paths
/// (<c>../../data/...</c>, <c>../../artifacts/notebook-lib/...</c>) resolve inside it, so a test run writes nothing of the
/// reader's.
/// </summary>
public sealed class TestWorkspace
{
    /// <summary>Builds the workspace under <c>artifacts/test-workspace</c>, anew.</summary>
    /// <param name="repo">The repository root.</param>
    /// <param name="dataRoot">A data root whose <c>cifar-10-batches-bin</c> is verified.</param>
    public TestWorkspace(string repo, string dataRoot)
    {
        Root = Path.Combine(repo, "artifacts", "test-workspace");
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        string notebooks = Path.Combine(Root, "notebooks");
        Directory.CreateDirectory(notebooks);
        // Both editions, side by side as in the repository: their ../../ paths resolve inside the workspace.
        foreach (var edition in Editions.All)
        {
            string source = Editions.NotebooksFolder(repo, edition);
            if (!Directory.Exists(source)) continue;
            Directory.CreateDirectory(Path.Combine(notebooks, edition));
            foreach (var notebook in Directory.GetFiles(source, "*.ipynb"))
                File.Copy(notebook, Path.Combine(notebooks, edition, Path.GetFileName(notebook)));
        }
        Directory.CreateDirectory(Path.Combine(Root, "data", "models"));
        Directory.CreateSymbolicLink(Path.Combine(Root, Cifar10Format.DefaultRoot), Path.GetFullPath(dataRoot));
        Directory.CreateDirectory(Path.Combine(Root, "artifacts"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "artifacts", "notebook-lib"), Path.Combine(repo, "artifacts", "notebook-lib"));
    }

    /// <summary>The workspace's root.</summary>
    public string Root { get; }

    /// <summary>Where the notebooks save their models here.</summary>
    public string Models => Path.Combine(Root, "data", "models");

    /// <summary>The notebooks to run, in order: the English edition's, or another edition's (none when it is not there).</summary>
    public List<string> Notebooks(string edition = Editions.English)
    {
        string folder = Editions.Subfolder(Path.Combine(Root, "notebooks"), edition);
        return !Directory.Exists(folder) ? [] : Directory.GetFiles(folder, "*.ipynb").Order(StringComparer.Ordinal).ToList();
    }
}

[CollectionDefinition("notebooks", DisableParallelization = true)]
public sealed class NotebookCollection : ICollectionFixture<NotebookSeries>;
