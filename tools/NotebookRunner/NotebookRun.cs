using System.Globalization;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tools.Shared;

namespace NotebookRunner;

/// <summary>The result of executing one notebook headless.</summary>
/// <param name="Name">The notebook's file name.</param>
/// <param name="Passed">True when dotnet-repl exited 0 within the time limit and no cell has an error output.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="ExecutedPath">The executed copy.</param>
/// <param name="Errors">Why it failed: error outputs, the exit code, or the time-out.</param>
/// <param name="Text">Everything the cells printed (stream outputs), in order.</param>
public sealed record NotebookResult(string Name, bool Passed, TimeSpan Elapsed, string ExecutedPath,
                                    IReadOnlyList<string> Errors, string Text)
{
    /// <summary>The printed lines that carry the article's figures.</summary>
    public IEnumerable<string> KeyFigures => Text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => KeyFigure.IsMatch(l));

    static readonly Regex KeyFigure = new(
        @"^(mean tensor|std  tensor|Training images: |Epoch: (0|90|99), |Accuracy: |\d+ \[\d+, |article: |ours: |Train accuracy|Validation accuracy|Original pixels|Permuted pixels|Saved |  (fully connected|CNN): \d+ of \d+ predictions agree)",
        RegexOptions.Compiled);
}

/// <summary>The cell a client has started.</summary>
/// <param name="Index">Its number among the code cells, from 1.</param>
/// <param name="Count">How many code cells the notebook has.</param>
/// <param name="FirstLine">The first line of its source.</param>
public sealed record CellProgress(int Index, int Count, string FirstLine);

/// <summary>The notebook client that executes the notebooks.</summary>
public enum Client
{
    /// <summary>dotnet-repl, the local tool.</summary>
    Repl,

    /// <summary>Jupyter's <c>nbconvert --execute</c> with the .NET kernel of the project's own kernelspec.</summary>
    Jupyter,
}

/// <summary>Runs notebooks headless, each in its own process, from the notebooks' folder.</summary>
/// <param name="outputDir">Where executed copies go; created when missing.</param>
/// <param name="timeout">The time limit of one notebook.</param>
/// <param name="client">dotnet-repl or Jupyter.</param>
/// <param name="jupyterPath">For Jupyter: the folder that holds <c>kernels/.net-csharp</c> (see <see cref="JupyterKernel"/>).</param>
/// <param name="language">
/// The edition's language (<c>en</c> or <c>zh-CN</c>), given to the notebooks as <c>TUTORIAL_LANG</c>: the words of their
/// charts, tables and progress lines. Null leaves the variable as it is (the notebook's folder then decides).
/// </param>
public sealed class NotebookRun(string outputDir, TimeSpan timeout, Client client = Client.Repl, string? jupyterPath = null, string? language = null)
{
    /// <summary>Executes <paramref name="notebook"/> and reads its executed copy.</summary>
    public NotebookResult Execute(string notebook) => Execute(notebook, null);

    /// <summary>
    /// Executes <paramref name="notebook"/> and reads its executed copy; <paramref name="onCell"/> hears, from another
    /// thread, each cell as it starts, where the client tells it (Jupyter does; dotnet-repl prints nothing while it runs).
    /// </summary>
    public NotebookResult Execute(string notebook, Action<CellProgress>? onCell)
    {
        string name = Path.GetFileName(notebook);
        Directory.CreateDirectory(outputDir);
        string executed = Path.GetFullPath(Path.Combine(outputDir, name));
        File.Delete(executed);

        string[] arguments = client == Client.Repl
            ? [LocalTools.Repl, "--run", name, "--exit-after-run", "--output-path", executed, "--output-format", "ipynb"]
            // --allow-errors records a failing cell and goes on, as dotnet-repl does; errors are read from the copy.
            // At DEBUG, nbconvert logs "Executing cell:" and the cell's source as each cell starts: the progress hook.
            : ["nbconvert", "--to", "notebook", "--execute", "--allow-errors", "--ExecutePreprocessor.timeout=-1",
               "--log-level=DEBUG", "--output-dir", Path.GetDirectoryName(executed)!, name];
        var environment = new Dictionary<string, string?> { ["DOTNET_CLI_UI_LANGUAGE"] = "en" };
        if (language is not null) environment["TUTORIAL_LANG"] = language;
        if (client == Client.Jupyter)
        {
            environment["JUPYTER_PATH"] = jupyterPath ?? throw new ArgumentNullException(nameof(jupyterPath));
            environment["PYDEVD_DISABLE_FILE_VALIDATION"] = "1";
        }

        var clock = Stopwatch.StartNew();
        var stderr = new ErrorFilter(client == Client.Jupyter ? CodeCells(notebook) : 0, onCell);
        // A relative #r resolves against the process's folder: run from the notebook's folder.
        var run = Exec.Run(client == Client.Repl ? "dotnet" : "jupyter", arguments, timeout,
                           workingDirectory: Path.GetDirectoryName(Path.GetFullPath(notebook))!, environment, onStderrLine: stderr.Line);
        var errors = new List<string>();
        if (run.TimedOut)
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"timed out after {timeout.TotalSeconds:F0} s and was stopped"));
        else if (run.ExitCode != 0)
            errors.Add($"{(client == Client.Repl ? "dotnet-repl" : "jupyter nbconvert")} exited with {run.ExitCode}");
        clock.Stop();

        string text = "";
        if (File.Exists(executed))
        {
            var (printed, cellErrors) = ReadOutputs(executed);
            text = printed;
            errors.AddRange(cellErrors);
        }
        else
        {
            errors.Add("no executed copy was written");
            string err = (stderr.Kept + run.Stdout).Trim();
            if (err.Length > 0) errors.Add(err.Length > 2000 ? err[^2000..] : err);
        }
        return new NotebookResult(name, errors.Count == 0, clock.Elapsed, executed, errors, text);
    }

    /// <summary>
    /// Filters the client's standard error, line by line as <see cref="Exec"/> reads it. nbconvert's DEBUG records
    /// (lines that start with <c>[NbConvertApp] </c>, and the cell source after <c>Executing cell:</c>) are dropped, its
    /// warnings and errors kept; each <c>Executing cell:</c> is reported to <c>onCell</c>.
    /// </summary>
    sealed class ErrorFilter(int cells, Action<CellProgress>? onCell)
    {
        const string Prefix = "[NbConvertApp] ";
        readonly System.Text.StringBuilder _kept = new();
        int _cell;
        bool _inSource, _firstSourceLine;

        /// <summary>The lines kept.</summary>
        public string Kept
        {
            get { lock (_kept) return _kept.ToString(); }
        }

        public void Line(string line)
        {
            lock (_kept)
            {
                if (line.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    _inSource = line == Prefix + "Executing cell:";
                    _firstSourceLine = _inSource;
                    if (_inSource) _cell++;
                    string rest = line[Prefix.Length..];
                    if (rest.StartsWith("WARNING", StringComparison.Ordinal) || rest.StartsWith("ERROR", StringComparison.Ordinal)
                        || rest.StartsWith("CRITICAL", StringComparison.Ordinal))
                        _kept.AppendLine(line);
                    return;
                }
                if (_inSource)
                {
                    if (_firstSourceLine) onCell?.Invoke(new CellProgress(_cell, cells, line.Trim()));
                    _firstSourceLine = false;
                    return;
                }
                _kept.AppendLine(line);
            }
        }
    }

    /// <summary>The code cells a client executes: those with some source.</summary>
    static int CodeCells(string notebook) =>
        JsonNode.Parse(File.ReadAllText(notebook))!["cells"]!.AsArray()
                .Count(c => (string?)c!["cell_type"] == "code" && Join(c["source"]).Trim().Length > 0);

    /// <summary>The printed text and the error outputs of an executed notebook.</summary>
    public static (string Text, List<string> Errors) ReadOutputs(string executedNotebook)
    {
        var notebook = JsonNode.Parse(File.ReadAllText(executedNotebook))!;
        var text = new System.Text.StringBuilder();
        var errors = new List<string>();
        int index = 0;
        foreach (var cell in notebook["cells"]!.AsArray())
        {
            index++;
            foreach (var output in cell!["outputs"]?.AsArray() ?? [])
            {
                string kind = (string?)output!["output_type"] ?? "";
                if (kind == "stream") text.Append(Join(output["text"]));
                if (kind == "error")
                    errors.Add($"cell {index}: {(string?)output["ename"]}: {(string?)output["evalue"]}");
            }
        }
        return (text.ToString(), errors);
    }

    static string Join(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        JsonValue value => (string?)value ?? "",
        _ => "",
    };
}
