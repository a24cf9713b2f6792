using System.Globalization;
using System.Diagnostics;
using System.Text;
using Spectre.Console;

namespace NotebookRunner;

/// <summary>
/// What the runner shows while it works. On a terminal: a live status line (notebook, elapsed time, the cell being run
/// where the client tells it) and a table with borders and colour. When the output is redirected (CI, a pipe, a file):
/// plain lines only, a heartbeat at least every <see cref="Heartbeat"/>, and no control characters.
/// </summary>
public sealed class Reporter
{
    /// <summary>The longest a redirected run stays silent while a notebook runs.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(30);

    readonly TextWriter _out;
    readonly IAnsiConsole _console;

    /// <summary>Creates a reporter that writes to <paramref name="output"/>.</summary>
    /// <param name="output">Standard output.</param>
    /// <param name="plain">True when the output is redirected: plain lines, no control characters.</param>
    public Reporter(TextWriter output, bool plain)
    {
        _out = output;
        Plain = plain;
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = plain ? InteractionSupport.No : InteractionSupport.Detect,
            Out = new AnsiConsoleOutput(output),
        });
        // A log file has no width: do not wrap the key figures at 80 columns.
        if (plain) _console.Profile.Width = 200;
        DataLog = plain ? new PlainLines(output, TimeSpan.FromSeconds(10)) : output;
    }

    /// <summary>True when the output is redirected.</summary>
    public bool Plain { get; }

    /// <summary>Where the data step's messages go; when redirected, its updating progress line becomes a line every 10 s.</summary>
    public TextWriter DataLog { get; }

    /// <summary>Runs <paramref name="execute"/> on another thread and shows that it is alive until it returns.</summary>
    /// <param name="name">The notebook's file name.</param>
    /// <param name="execute">Runs the notebook; it reports each cell it starts to the callback it is given.</param>
    public NotebookResult Track(string name, Func<Action<CellProgress>, NotebookResult> execute)
    {
        CellProgress? cell = null;
        var clock = Stopwatch.StartNew();
        var task = Task.Run(() => execute(c => Volatile.Write(ref cell, c)));
        if (Plain)
        {
            _out.WriteLine($"{name} ...");
            var next = Heartbeat;
            while (!task.Wait(200))
            {
                if (clock.Elapsed < next) continue;
                _out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {next.TotalSeconds:F0} s…{CellText(Volatile.Read(ref cell), " (", ")")}"));
                next += Heartbeat;
            }
        }
        else
        {
            _console.Status().Start(Markup.Escape(name), status =>
            {
                while (!task.Wait(250))
                    status.Status(Markup.Escape($"{name}  {clock.Elapsed:m\\:ss}{CellText(Volatile.Read(ref cell), "  ", "")}"));
            });
        }
        return task.GetAwaiter().GetResult();
    }

    /// <summary>The closing table: notebook, result, time, key figures (or the first error).</summary>
    public void Summary(IReadOnlyList<NotebookResult> results)
    {
        var table = new Table().Border(Plain ? TableBorder.Ascii : TableBorder.Rounded);
        table.AddColumn("notebook");
        table.AddColumn("result");
        table.AddColumn(new TableColumn("time").RightAligned());
        table.AddColumn("key figures");
        foreach (var result in results)
        {
            string figures = result.Passed || result.Errors.Count == 0
                ? string.Join('\n', result.KeyFigures)
                : "error: " + Shorten(RunnerFailure.OneLine(result.Errors[0]), 150);
            table.AddRow(new Text(result.Name),
                         new Text(result.Passed ? "PASS" : "FAIL", new Style(result.Passed ? Color.Green : Color.Red)),
                         new Text(string.Create(CultureInfo.InvariantCulture, $"{result.Elapsed.TotalSeconds:F1} s")),
                         new Text(figures));
        }
        _console.Write(table);
    }

    static string CellText(CellProgress? cell, string before, string after) =>
        cell is null ? "" : $"{before}cell {cell.Index} of {cell.Count}: {Shorten(Printable(cell.FirstLine), 60)}{after}";

    static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    static string Printable(string text) => new([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);

    /// <summary>
    /// Turns a progress line that rewrites itself with carriage returns into plain lines: each finished line is
    /// written as it is; an overwritten progress text at most once per <c>every</c>.
    /// </summary>
    sealed class PlainLines(TextWriter inner, TimeSpan every) : TextWriter
    {
        readonly StringBuilder _line = new();
        readonly Stopwatch _sinceProgress = Stopwatch.StartNew();

        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            switch (value)
            {
                case '\r':
                    if (_line.Length > 0 && _sinceProgress.Elapsed >= every)
                    {
                        inner.WriteLine(_line.ToString());
                        _sinceProgress.Restart();
                    }
                    _line.Clear();
                    break;
                case '\n':
                    if (_line.Length > 0) inner.WriteLine(_line.ToString());
                    _line.Clear();
                    break;
                default:
                    if (!char.IsControl(value) || value == '\t') _line.Append(value);
                    break;
            }
        }
    }
}
