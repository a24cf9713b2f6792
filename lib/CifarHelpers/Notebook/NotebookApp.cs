using CifarHelpers.Text;
using System.Collections;
using Microsoft.Data.Analysis;
using XPlot.Plotly;

namespace CifarHelpers.Notebook;

/// <summary>
/// What a notebook kernel gives its cells, for a notebook run as a file-based app (tools/NotebookToApp writes
/// these apps): the notebook's folder as the current folder, and <see cref="display"/>, which prints text and
/// tables (<see cref="TextTable"/>) and writes pictures and charts into <c>artifacts/apps/en/NN-name/</c> (or
/// <c>zh-CN/</c>), one announcing line each. It installs nothing: charts use the pinned plotly.js that
/// <c>tools/setup.sh</c> put in <c>tools/pages/node_modules</c>, or else load it from its CDN.
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
        Tutorial.UseInvariantCulture();
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
                string name = $"picture-{++_pictures:00}";
                string image = Write(name + ".png", path => File.WriteAllBytes(path, png));
                // The captions live in the markup: a page beside the PNG shows the same pictures with them.
                if (html.Content.Contains("<figcaption", StringComparison.Ordinal))
                    Write(name + ".html", path => File.WriteAllText(path, Page(html.Content, null)));
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
                Console.WriteLine(TextTable.Render(frame));
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

    // plotly.js from tools/pages (npm's pinned plotly.js-dist-min, which tools/setup.sh installs), copied beside the
    // charts so the pages draw with no network. Without it the page loads Charts.PlotlySrc.
    static string? CopyPlotly()
    {
        if (_plotly is not null) return _plotly;
        string beside = Path.Combine(OutputDir, "plotly.min.js");
        string? root = FindRoot(Directory.GetCurrentDirectory());
        if (root is not null)
        {
            string tools = Path.Combine(root, "tools", "pages");
            string source = Path.Combine(tools, "node_modules", "plotly.js-dist-min", "plotly.min.js");
            if (File.Exists(source))
            {
                Directory.CreateDirectory(OutputDir);
                File.Copy(source, beside + ".tmp", overwrite: true);
                File.Move(beside + ".tmp", beside, overwrite: true);
                return _plotly = "plotly.min.js";
            }
        }
        Console.WriteLine($"plotly.js is not in tools/pages/node_modules (run `bash tools/setup.sh`): the charts load {Charts.PlotlySrc}.");
        return _plotly = Charts.PlotlySrc;
    }

    static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "global.json")) && Directory.Exists(Path.Combine(dir.FullName, "notebooks")))
                return dir.FullName;
        return null;
    }
}
