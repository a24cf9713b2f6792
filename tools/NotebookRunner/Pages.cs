using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NotebookRunner;

/// <summary>
/// Renders executed notebooks to static HTML pages with Jupyter's <c>nbconvert --to html</c> and the offline
/// template of tools/pages, writes an index page that links them in order, and puts plotly.js (npm's pinned
/// plotly.js-dist-min) beside them, so the pages work with no network.
/// </summary>
public static partial class Pages
{
    /// <summary>Renders <paramref name="executed"/> into <paramref name="pagesDir"/>; returns the page paths, index first.</summary>
    public static IReadOnlyList<string> Render(string repoRoot, IReadOnlyList<string> executed, string pagesDir)
    {
        string tools = Path.Combine(repoRoot, "tools", "pages");
        string plotly = Path.Combine(tools, "node_modules", "plotly.js-dist-min", "plotly.min.js");
        if (!File.Exists(plotly)) Run(tools, "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund");
        Directory.CreateDirectory(pagesDir);
        File.Copy(plotly, Path.Combine(pagesDir, "plotly.min.js"), overwrite: true);

        var pages = new List<string>();
        var links = new List<string>();
        string sources = Path.Combine(pagesDir, ".sources");
        Directory.CreateDirectory(sources);
        foreach (var notebook in executed)
        {
            string source = Path.Combine(sources, Path.GetFileName(notebook));
            File.WriteAllText(source, WithoutKernelBootstrap(File.ReadAllText(notebook)));
            Run(sources, "jupyter", "nbconvert", "--to", "html", "--template", "offline",
                $"--TemplateExporter.extra_template_basedirs={Path.Combine(tools, "templates")}",
                "--output-dir", pagesDir, Path.GetFileName(source));
            string page = Path.Combine(pagesDir, Path.GetFileNameWithoutExtension(notebook) + ".html");
            string title = Title(notebook);
            // Links between notebooks point at the pages instead.
            string html = NotebookLink().Replace(File.ReadAllText(page), "href=\"$1.html\"");
            html = html.Replace($"<title>{Path.GetFileNameWithoutExtension(notebook)}</title>", $"<title>{WebUtility.HtmlEncode(title)}</title>");
            File.WriteAllText(page, html);
            pages.Add(page);
            links.Add($"<li><a href=\"{Path.GetFileName(page)}\">{WebUtility.HtmlEncode(title)}</a></li>");
        }

        Directory.Delete(sources, recursive: true);
        string index = Path.Combine(pagesDir, "index.html");
        File.WriteAllText(index, $"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Birds vs airplanes in C#: the tutorial</title>
            <style>body {"{"} font-family: sans-serif; max-width: 48rem; margin: 2rem auto; line-height: 1.5 {"}"}</style></head>
            <body>
            <h1>Birds vs airplanes in C#</h1>
            <p>A fully connected network learns to tell birds from airplanes in CIFAR-10, with TorchSharp. These pages are
            the notebooks as executed headless; read them in order.</p>
            <ol>
            {string.Join("\n", links)}
            </ol>
            </body>
            </html>
            """);
        pages.Insert(0, index);
        return pages;
    }

    /// <summary>
    /// The .NET kernel under Jupyter adds a script output that probes its HTTP API on 127.0.0.1 and loads require.js
    /// from a CDN. It only serves a live kernel; in a static page it can only fail, so it is left out.
    /// </summary>
    static string WithoutKernelBootstrap(string notebookJson)
    {
        var notebook = JsonNode.Parse(notebookJson)!;
        foreach (var cell in notebook["cells"]!.AsArray())
        {
            if (cell!["outputs"] is not JsonArray outputs) continue;
            foreach (var output in outputs.ToList())
            {
                string html = output!["data"]?["text/html"] is JsonArray lines
                    ? string.Concat(lines.Select(l => (string?)l))
                    : (string?)output["data"]?["text/html"] ?? "";
                if (html.Contains("loadDotnetInteractiveApi", StringComparison.Ordinal)) outputs.Remove(output);
            }
        }
        return notebook.ToJsonString();
    }

    /// <summary>The notebook's first markdown heading, or its file name.</summary>
    static string Title(string notebook)
    {
        var cells = JsonNode.Parse(File.ReadAllText(notebook))!["cells"]!.AsArray();
        foreach (var cell in cells)
        {
            if ((string?)cell!["cell_type"] != "markdown") continue;
            var source = cell["source"] is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)cell["source"] ?? "";
            var heading = source.Split('\n').FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal));
            if (heading is not null) return heading[2..].Trim();
        }
        return Path.GetFileNameWithoutExtension(notebook);
    }

    static void Run(string dir, string file, params string[] arguments) =>
        Tools.Shared.Exec.Check(file, arguments, TimeSpan.FromMinutes(10), dir);

    [GeneratedRegex("href=\"(\\d\\d-[A-Za-z0-9-]+)\\.ipynb\"")]
    private static partial Regex NotebookLink();
}
