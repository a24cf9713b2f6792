using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using CifarHelpers.Data;
using NotebookRunner;
using Tools.Shared;

// Runs the tutorial headless: gets the data, then executes every notebook in order with dotnet-repl (or Jupyter).
// Exit codes: 0 every notebook passed; 1 a notebook failed, or a known failure (its message on stderr);
// 2 a bad option or value; 70 an unexpected error (a bug: its stack trace on stderr).
// Its own figures (times, the summary) print the same under any LANG: the invariant culture, as in the notebooks.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clientOption = new Option<Client>("--client")
{
    Description = "The notebook client: repl (dotnet-repl, the default) or jupyter (Jupyter's nbconvert --execute with the project's .NET kernelspec).",
    HelpName = "repl|jupyter",
    DefaultValueFactory = _ => Client.Repl,
    CustomParser = result =>
    {
        string value = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        foreach (var client in Enum.GetValues<Client>())
            if (string.Equals(value, client.ToString(), StringComparison.OrdinalIgnoreCase)) return client;
        result.AddError($"--client takes repl or jupyter, not '{value}'.");
        return Client.Repl;
    },
};
var editionOption = new Option<string>("--edition")
{
    Description = "The edition to run: en (notebooks/en/, the default) or zh-CN (the Chinese edition, notebooks/zh-CN/, with " +
                  "Chinese charts, tables and progress lines). Executed copies go to the edition's folder of the output.",
    HelpName = "en|zh-CN",
    DefaultValueFactory = _ => Editions.English,
    CustomParser = result =>
    {
        string value = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (Editions.Parse(value) is { } edition) return edition;
        result.AddError($"--edition takes en or zh-CN, not '{value}'.");
        return Editions.English;
    },
};
var pagesOption = new Option<bool>("--pages")
{
    Description = "Also render the executed notebooks to offline HTML pages in the edition's folder of artifacts/pages/ (en/ or " +
                  "zh-CN/), with an index of both editions at artifacts/pages/index.html; each lesson links to its twin in the other edition.",
};
var notebooksOption = new Option<DirectoryInfo>("--notebooks")
{
    Description = "The folder of notebooks to run (default: the repository's notebooks/).",
    HelpName = "DIR",
}.AcceptExistingOnly();
var outOption = new Option<string>("--out")
{
    Description = "Where the executed copies go (default: artifacts/executed/EDITION/, or artifacts/executed-jupyter/EDITION/ with --client jupyter).",
    HelpName = "DIR",
};
var timeoutOption = new Option<double>("--timeout")
{
    Description = "The time limit of one notebook, in seconds; a notebook still running then is stopped and fails.",
    HelpName = "SECONDS",
    DefaultValueFactory = _ => 600,
    CustomParser = result =>
    {
        string value = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds is > 0 and < 1e7)
            return seconds;
        result.AddError($"--timeout takes a positive number of seconds, for example 600, not '{value}'.");
        return 0;
    },
};
var onlyOption = new Option<string[]>("--only")
{
    Description = "Run only the notebooks whose file name contains TEXT; repeat it for several (--only 08 --only 09).",
    HelpName = "TEXT",
};
var noDataOption = new Option<bool>("--no-data")
{
    Description = "Do not get or verify CIFAR-10 first (by default it is prepared in data/CIFAR-10, from CIFAR10_ARCHIVE or the official download).",
};

var root = new RootCommand(
    "Runs the tutorial's notebooks headless, in order, and prints pass/fail, time and key figures per notebook, then " +
    "'N passed, N failed'. Exit codes: 0 all passed; 1 a notebook failed, or a known failure such as no data (one " +
    "line on stderr says what to do); 2 a bad option; 70 an unexpected error (a bug, with its stack trace).")
{
    clientOption, editionOption, pagesOption, notebooksOption, outOption, timeoutOption, onlyOption, noDataOption,
};
root.SetAction(parsed => Runner.Run(new RunOptions(
    parsed.GetValue(clientOption),
    parsed.GetValue(pagesOption),
    parsed.GetValue(notebooksOption)?.FullName,
    parsed.GetValue(outOption) is { } output ? Path.GetFullPath(output) : null,
    TimeSpan.FromSeconds(parsed.GetValue(timeoutOption)),
    parsed.GetValue(onlyOption) ?? [],
    !parsed.GetValue(noDataOption),
    parsed.GetValue(editionOption) ?? Editions.English)));

var parseResult = root.Parse(args);
if (parseResult.Errors.Count > 0)
{
    string errors = string.Join(" ", parseResult.Errors.Select(e => RunnerFailure.OneLine(e.Message)).Distinct());
    Console.Error.WriteLine($"error: {errors} See --help for the options.");
    return 2;
}
try
{
    return parseResult.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (RunnerFailure failure)
{
    Console.Error.WriteLine($"error: {failure.Message}");
    return 1;
}
catch (Exception e)
{
    Console.Error.WriteLine($"Unexpected error (a bug in the runner, please report it with this trace):{Environment.NewLine}{e}");
    return 70;
}

namespace NotebookRunner
{
    /// <summary>The runner's options, parsed.</summary>
    /// <param name="Client">The notebook client.</param>
    /// <param name="Pages">Render HTML pages afterwards.</param>
    /// <param name="Notebooks">The notebooks' folder; the repository's when null.</param>
    /// <param name="Output">Where the executed copies go; the client's default folder when null.</param>
    /// <param name="Timeout">The time limit of one notebook.</param>
    /// <param name="Only">Name filters; empty for every notebook.</param>
    /// <param name="PrepareData">Prepare CIFAR-10 first.</param>
    /// <param name="Edition">The edition: <c>en</c> or <c>zh-CN</c> (see <see cref="Editions"/>).</param>
    public sealed record RunOptions(Client Client, bool Pages, string? Notebooks, string? Output, TimeSpan Timeout,
                                    IReadOnlyList<string> Only, bool PrepareData, string Edition = Editions.English);

    /// <summary>The run itself: data, tools, notebooks, pages, the summary. Known failures throw <see cref="RunnerFailure"/>.</summary>
    public static class Runner
    {
        /// <summary>Runs the notebooks; returns 0 when every one passed, 1 otherwise.</summary>
        public static int Run(RunOptions options)
        {
            string repoRoot;
            try
            {
                repoRoot = RepoRoot.Find();
            }
            catch (DirectoryNotFoundException e)
            {
                throw new RunnerFailure($"{e.Message} Run the command from inside the repository.", e);
            }
            string notebooks = options.Notebooks ?? Editions.NotebooksFolder(repoRoot, options.Edition);
            string output = options.Output ?? Editions.Subfolder(
                Path.Combine(repoRoot, "artifacts", options.Client == Client.Repl ? "executed" : "executed-jupyter"), options.Edition);
            if (!Directory.Exists(notebooks))
                throw new RunnerFailure($"The {options.Edition} edition's folder {notebooks} is not there: check out a branch that has it, or run --edition en.");
            var files = Directory.GetFiles(notebooks, "*.ipynb").Order(StringComparer.Ordinal)
                                 .Where(f => options.Only.Count == 0 || options.Only.Any(o => Path.GetFileName(f).Contains(o, StringComparison.Ordinal)))
                                 .ToList();
            if (files.Count == 0)
                throw new RunnerFailure(options.Only.Count == 0
                    ? $"{notebooks} has no notebooks (*.ipynb)."
                    : $"No notebook in {notebooks} has {string.Join(" or ", options.Only.Select(o => $"'{o}'"))} in its name.");

            var reporter = new Reporter(Console.Out, Console.IsOutputRedirected);
            if (options.PrepareData) PrepareData(Path.Combine(repoRoot, Cifar10Format.DefaultRoot), SharedData.ArchiveToUse(repoRoot), reporter.DataLog);
            if (options.Client == Client.Jupyter) RequireJupyter(repoRoot);
            RestoreTools(repoRoot);
            if (options.Client == Client.Repl) RequireRepl(repoRoot);

            string? jupyterPath = null;
            if (options.Client == Client.Jupyter)
            {
                try
                {
                    jupyterPath = JupyterKernel.Install(Path.Combine(repoRoot, "artifacts", "jupyter"));
                }
                catch (FileNotFoundException e)
                {
                    throw new RunnerFailure(e.Message, e);
                }
            }
            try
            {
                Directory.CreateDirectory(output);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new RunnerFailure($"Cannot create the output folder {output}: {e.Message} Choose another with --out.", e);
            }

            var run = new NotebookRun(output, options.Timeout, options.Client, jupyterPath, options.Edition);
            var results = new List<NotebookResult>();
            var total = Stopwatch.StartNew();
            foreach (var file in files)
            {
                var result = reporter.Track(Path.GetFileName(file), onCell => run.Execute(file, onCell));
                results.Add(result);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(result.Passed ? "PASS" : "FAIL")} {result.Name} {result.Elapsed.TotalSeconds,6:F1} s"));
                foreach (var line in result.KeyFigures) Console.WriteLine($"     {line}");
                foreach (var error in result.Errors) Console.WriteLine($"     error: {error}");
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Executed copies ({options.Client}, edition {options.Edition}) in {output}; total {total.Elapsed.TotalSeconds:F1} s"));
            if (options.Pages)
            {
                string pagesDir = Path.Combine(repoRoot, "artifacts", "pages");
                IReadOnlyList<string> rendered;
                try
                {
                    rendered = Pages.Render(repoRoot, results.Where(r => File.Exists(r.ExecutedPath)).Select(r => r.ExecutedPath).ToList(), pagesDir, options.Edition);
                }
                catch (Win32Exception e)
                {
                    throw new RunnerFailure($"The pages need Jupyter's nbconvert and npm: {e.Message}", e);
                }
                Console.WriteLine($"Pages: {rendered[0]} ({rendered.Count - 1} notebooks of the {options.Edition} edition)");
            }
            reporter.Summary(results);
            int failed = results.Count(r => !r.Passed);
            Console.WriteLine($"{results.Count - failed} passed, {failed} failed");
            return failed == 0 ? 0 : 1;
        }

        /// <summary>Gets and verifies CIFAR-10; its known failures (no data, a bad archive, a folder that cannot be written) become one line.</summary>
        static void PrepareData(string dataRoot, string? archive, TextWriter log)
        {
            try
            {
                // Offline from CIFAR10_ARCHIVE, or from ../shared's archive (archive); otherwise the official download.
                new Cifar10Store(dataRoot, log: log).Prepare(download: true, archive);
            }
            catch (Exception e) when (e is DataUnavailableException or DataFolderException or InvalidDataException or UnsafeEntryException)
            {
                throw new RunnerFailure(e.Message, e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // For example the lock of a data folder that another process holds for too long.
                throw new RunnerFailure($"Preparing the data in {dataRoot} failed: {e.Message}", e);
            }
        }

        /// <summary>Checks that Jupyter's nbconvert is there before anything runs.</summary>
        static void RequireJupyter(string repoRoot)
        {
            const string Install = "Install Jupyter's nbconvert and client (Debian or Ubuntu: apt-get install jupyter-nbconvert " +
                                   "jupyter-client python3-ipykernel), or run with --client repl.";
            int exitCode;
            try
            {
                (exitCode, _) = RunTool(repoRoot, "jupyter", "nbconvert", "--version");
            }
            catch (Win32Exception)
            {
                throw new RunnerFailure($"--client jupyter needs the jupyter command, and it is not on PATH. {Install}");
            }
            if (exitCode != 0) throw new RunnerFailure($"`jupyter nbconvert --version` failed with exit code {exitCode}. {Install}");
        }

        /// <summary>Restores the pinned local tools (dotnet-repl, dotnet-interactive).</summary>
        static void RestoreTools(string repoRoot)
        {
            var (exitCode, text) = RunTool(repoRoot, "dotnet", "tool", "restore");
            if (exitCode != 0)
            {
                throw new RunnerFailure(
                    $"`dotnet tool restore` failed with exit code {exitCode}: {LastLine(text)} It installs the pinned dotnet-repl and " +
                    "dotnet-interactive (.config/dotnet-tools.json) from NuGet: check the network or the NuGet source, then run it again.");
            }
        }

        /// <summary>Checks that the restored dotnet-repl starts, so a missing tool is one message, not a failure per notebook.</summary>
        static void RequireRepl(string repoRoot)
        {
            string repl;
            try
            {
                repl = LocalTools.Repl;
            }
            catch (FileNotFoundException e)
            {
                throw new RunnerFailure($"{e.Message} dotnet-repl is a local tool pinned in .config/dotnet-tools.json; or use --client jupyter.", e);
            }
            var (exitCode, text) = RunTool(repoRoot, "dotnet", repl, "--version");
            if (exitCode != 0)
                throw new RunnerFailure(
                    $"dotnet-repl does not start (exit code {exitCode}): {LastLine(text)} It is a local tool pinned in " +
                    ".config/dotnet-tools.json: run `dotnet tool restore` in the repository, or use --client jupyter.");
        }

        static string LastLine(string text) =>
            text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";

        /// <summary>
        /// Runs a tool to its end (a probe or a restore: 10 minutes at most), reading both of its pipes at once;
        /// returns its exit code and output. Throws <see cref="Win32Exception"/> when the tool is not there.
        /// </summary>
        static (int ExitCode, string Output) RunTool(string dir, string file, params string[] arguments)
        {
            var run = Exec.Run(file, arguments, TimeSpan.FromMinutes(10), dir, new Dictionary<string, string?> { ["DOTNET_CLI_UI_LANGUAGE"] = "en" });
            return (run.ExitCode, run.TimedOut ? $"{run.Output}\n{file} did not finish within 10 minutes." : run.Output);
        }
    }
}
