using System.Collections;
using System.Diagnostics;
using Microsoft.Data.Analysis;
using XPlot.Plotly;

namespace CifarHelpers.Notebook;

/// <summary>
/// What a notebook kernel gives its cells, for a notebook run as a file-based app (tools/NotebookToApp writes
/// these apps): the notebook's folder as the current folder, and <see cref="display"/>, which prints text and
/// tables and writes pictures and charts into <c>artifacts/apps/NN-name/</c>, one announcing line each.
/// </summary>
public static class NotebookApp
{
    static string? _outputDir, _startDir, _plotly;
    static int _pictures, _charts;

    /// <summary>
    /// Makes the app's folder the current folder, as a kernel runs in the notebook's folder, so the notebook's
    /// relative paths (<c>../data/CIFAR-10/</c>) mean the same. Pictures go to <c>artifacts/apps/</c> under the
    /// repository root, in a folder named after the app (its path below <c>notebooks/</c>), emptied first.
    /// </summary>
    public static void Start()
    {
        string file = AppContext.GetData("EntryPointFilePath") as string
            ?? throw new InvalidOperationException("NotebookApp.Start is for a file-based app: run it with `dotnet run notebooks/NN-name.cs`.");
        string dir = Path.GetDirectoryName(file)!;
        _startDir = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(dir);

        string root = FindRoot(dir) ?? dir;
        string notebooks = Path.Combine(root, "notebooks");
        string relative = Path.GetRelativePath(notebooks, Path.ChangeExtension(file, null));
        if (relative.StartsWith("..", StringComparison.Ordinal)) relative = Path.GetFileNameWithoutExtension(file);
        _outputDir = Path.Combine(root, "artifacts", "apps", relative);
        if (Directory.Exists(_outputDir))
            foreach (var old in Directory.EnumerateFiles(_outputDir).Where(f => f.EndsWith(".png", StringComparison.Ordinal) || f.EndsWith(".html", StringComparison.Ordinal)))
                File.Delete(old);
        _pictures = _charts = 0;
    }

    /// <summary>Where the pictures and charts of this run go.</summary>
    public static string OutputDir => _outputDir ?? Path.Combine(Directory.GetCurrentDirectory(), "artifacts", "apps");

    /// <summary>
    /// Shows a value as the kernel would, in a console: images as a PNG file, charts as an HTML page with plotly.js
    /// beside it, tables and other values as text.
    /// </summary>
#pragma warning disable IDE1006 // the kernel's name for it, so notebook cells compile unchanged
    public static void display(object? value)
#pragma warning restore IDE1006
    {
        switch (value)
        {
            case Html { Png: { } png } html:
                string image = Write($"picture-{++_pictures:00}.png", path => File.WriteAllBytes(path, png));
                Console.WriteLine($"{Localization.Text("Picture")}: {image}" + (html.Text is { } caption ? $" ({caption})" : ""));
                break;
            case Html html:
                Console.WriteLine($"{Localization.Text("Page")}: {Write($"page-{++_pictures:00}.html", path => File.WriteAllText(path, Page(html.Content, null)))}");
                break;
            case PlotlyChart chart:
                string? plotly = CopyPlotly();
                string page = Write($"chart-{++_charts:00}.html", path => File.WriteAllText(path, Page(Charts.ToHtml(chart).Content, plotly)));
                Console.WriteLine($"{Localization.Text("Chart")}: {page}");
                break;
            case DataFrame frame:
                Console.WriteLine(Text(frame));
                break;
            case null:
                Console.WriteLine("<null>");
                break;
            case string text:
                Console.WriteLine(text);
                break;
            case IEnumerable items:
                foreach (var item in items) Console.WriteLine(item);
                break;
            default:
                Console.WriteLine(value);
                break;
        }
    }

    /// <summary>
    /// A DataFrame as a text table: a header, then one line per row, text columns aligned left and numbers right.
    /// Chinese characters count as two columns, as a terminal draws them, so the Chinese edition's headers line up.
    /// </summary>
    public static string Text(DataFrame frame)
    {
        var header = frame.Columns.Select(c => c.Name).ToList();
        var rows = Enumerable.Range(0, (int)frame.Rows.Count)
            .Select(r => frame.Columns.Select(c => Convert.ToString(c[r], System.Globalization.CultureInfo.CurrentCulture) ?? "").ToList())
            .ToList();
        var widths = header.Select((h, i) => rows.Select(r => Width(r[i])).Append(Width(h)).Max()).ToList();
        var text = frame.Columns.Select(c => c is StringDataFrameColumn).ToList();
        string Pad(string cell, int i) => new(' ', widths[i] - Width(cell));
        string Line(IReadOnlyList<string> cells) =>
            string.Join("  ", cells.Select((cell, i) => text[i] ? cell + Pad(cell, i) : Pad(cell, i) + cell)).TrimEnd();
        return string.Join(Environment.NewLine, rows.Select(Line).Prepend(Line(header)));
    }

    /// <summary>How many terminal columns <paramref name="text"/> takes: East Asian wide characters take two.</summary>
    internal static int Width(string text) => text.Sum(c => c is (>= '\u1100' and <= '\u115F') or (>= '\u2E80' and <= '\uA4CF')
        or (>= '\uAC00' and <= '\uD7A3') or (>= '\uF900' and <= '\uFAFF') or (>= '\uFE30' and <= '\uFE4F')
        or (>= '\uFF00' and <= '\uFF60') or (>= '\uFFE0' and <= '\uFFE6') ? 2 : 1);

    // Writes through a temporary file, then renames, and returns the path as seen from where the app was started.
    static string Write(string name, Action<string> write)
    {
        Directory.CreateDirectory(OutputDir);
        string path = Path.Combine(OutputDir, name);
        string temp = path + ".tmp";
        write(temp);
        File.Move(temp, path, overwrite: true);
        return Path.GetRelativePath(_startDir ?? Directory.GetCurrentDirectory(), path);
    }

    static string Page(string body, string? plotlySrc) =>
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">" +
        (plotlySrc is null ? "" : $"<script src=\"{plotlySrc}\" data-plotly-src></script>") +
        $"</head>\n<body>\n{body}\n</body></html>\n";

    // plotly.js from tools/pages (npm's pinned plotly.js-dist-min, installed with npm ci when missing), copied beside
    // the charts so the pages draw with no network. Without it the page loads Charts.PlotlySrc.
    static string? CopyPlotly()
    {
        if (_plotly is not null) return _plotly;
        string beside = Path.Combine(OutputDir, "plotly.min.js");
        string? root = FindRoot(Directory.GetCurrentDirectory());
        if (root is not null)
        {
            string tools = Path.Combine(root, "tools", "pages");
            string source = Path.Combine(tools, "node_modules", "plotly.js-dist-min", "plotly.min.js");
            if (!File.Exists(source) && File.Exists(Path.Combine(tools, "package-lock.json"))) NpmCi(tools);
            if (File.Exists(source))
            {
                Directory.CreateDirectory(OutputDir);
                File.Copy(source, beside + ".tmp", overwrite: true);
                File.Move(beside + ".tmp", beside, overwrite: true);
                return _plotly = "plotly.min.js";
            }
        }
        Console.WriteLine($"plotly.js is not in tools/pages/node_modules (run `npm ci` in tools/pages): the charts load {Charts.PlotlySrc}.");
        return _plotly = Charts.PlotlySrc;
    }

    static void NpmCi(string folder)
    {
        try
        {
            using var npm = Process.Start(new ProcessStartInfo("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            {
                WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true,
            })!;
            var stderr = npm.StandardError.ReadToEndAsync();
            npm.StandardOutput.ReadToEnd();
            npm.WaitForExit();
            if (npm.ExitCode != 0) Console.WriteLine($"npm ci in {folder} failed ({npm.ExitCode}): {stderr.Result.Trim()}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.WriteLine($"npm is not installed ({e.Message}).");
        }
    }

    static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "global.json")) && Directory.Exists(Path.Combine(dir.FullName, "notebooks")))
                return dir.FullName;
        return null;
    }
}
