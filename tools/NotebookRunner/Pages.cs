using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NotebookRunner;

/// <summary>
/// Renders executed notebooks to static HTML pages with Jupyter's <c>nbconvert --to html</c> and the offline
/// template of tools/pages, writes an index page that links both editions' pages in order, and puts plotly.js (npm's
/// pinned plotly.js-dist-min) beside them, so the pages work with no network.
/// </summary>
public static partial class Pages
{
    /// <summary>
    /// Renders <paramref name="executed"/>, notebooks of one <paramref name="edition"/>, into the edition's folder of
    /// <paramref name="pagesDir"/> (<c>en/</c> or <c>zh-CN/</c>); links every lesson to its twin in the other edition where that page is there;
    /// and writes the index of both editions. Returns the index, then this edition's pages.
    /// </summary>
    public static IReadOnlyList<string> Render(string repoRoot, IReadOnlyList<string> executed, string pagesDir, string edition = Editions.English)
    {
        string tools = Path.Combine(repoRoot, "tools", "pages");
        string plotly = Path.Combine(tools, "node_modules", "plotly.js-dist-min", "plotly.min.js");
        if (!File.Exists(plotly)) Run(tools, "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund");
        string editionDir = Editions.Subfolder(pagesDir, edition);
        Directory.CreateDirectory(editionDir);
        File.Copy(plotly, Path.Combine(editionDir, "plotly.min.js"), overwrite: true);

        var pages = new List<string>();
        string sources = Path.Combine(editionDir, ".sources");
        Directory.CreateDirectory(sources);
        foreach (var notebook in executed)
        {
            string source = Path.Combine(sources, Path.GetFileName(notebook));
            File.WriteAllText(source, WithoutKernelBootstrap(File.ReadAllText(notebook)));
            Run(sources, "jupyter", "nbconvert", "--to", "html", "--template", "offline",
                $"--TemplateExporter.extra_template_basedirs={Path.Combine(tools, "templates")}",
                "--output-dir", editionDir, Path.GetFileName(source));
            string page = Path.Combine(editionDir, Path.GetFileNameWithoutExtension(notebook) + ".html");
            string title = Title(notebook);
            // Links between notebooks, in this edition or the other (../zh-CN/NN-name.ipynb), point at the pages instead:
            // the pages keep the notebooks' folders (en/, zh-CN/), so the same relative link leads to the twin's page.
            string html = NotebookLink().Replace(File.ReadAllText(page), "href=\"$1.html\"");
            html = html.Replace($"<title>{Path.GetFileNameWithoutExtension(notebook)}</title>", $"<title>{WebUtility.HtmlEncode(title)}</title>");
            // One level down: the index is the parent's; the page says its language (the CJK font is picked by it).
            html = html.Replace("<a href=\"index.html\">&larr; all notebooks</a>",
                                edition == Editions.English ? "<a href=\"../index.html\">&larr; all notebooks</a>"
                                                            : "<a href=\"../index.html\">← 全部课程（all notebooks）</a>")
                       .Replace("<html lang=\"en\">", $"<html lang=\"{edition}\">");
            File.WriteAllText(page, html);
            CopyLinkedFiles(html, Editions.NotebooksFolder(repoRoot, edition), Path.Combine(repoRoot, "notebooks"), pagesDir);
            pages.Add(page);
        }
        Directory.Delete(sources, recursive: true);

        LinkTwins(pagesDir);
        string index = Path.Combine(pagesDir, "index.html");
        File.WriteAllText(index + ".tmp", Index(repoRoot, pagesDir));
        File.Move(index + ".tmp", index, overwrite: true);
        pages.Insert(0, index);
        return pages;
    }

    /// <summary>
    /// Files of the repository that a page links to by a relative path (<c>complete-code.cs</c>, the glossary): copied
    /// into the pages' folder at the same place relative to <c>notebooks/</c>, so the link leads to them there too.
    /// </summary>
    static void CopyLinkedFiles(string html, string notebookFolder, string notebooksRoot, string pagesDir)
    {
        foreach (Match link in RelativeLink().Matches(html))
        {
            string target = WebUtility.HtmlDecode(link.Groups[1].Value);
            if (target.EndsWith(".html", StringComparison.Ordinal) || target.EndsWith(".ipynb", StringComparison.Ordinal)) continue;
            string source = Path.GetFullPath(Path.Combine(notebookFolder, target));
            string relative = Path.GetRelativePath(notebooksRoot, source);
            if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) || !File.Exists(source)) continue;
            string copy = Path.Combine(pagesDir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(source, copy, overwrite: true);
        }
    }

    /// <summary>The lesson pages of an edition that are there, in order.</summary>
    static List<string> LessonPages(string pagesDir, string edition)
    {
        string dir = Editions.Subfolder(pagesDir, edition);
        return !Directory.Exists(dir) ? [] :
            Directory.GetFiles(dir, "*.html").Where(f => Path.GetFileName(f) != "index.html").Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// In the nav bar of every lesson page, a link to the same lesson in the other edition when its page is there
    /// (marked, so that a later render replaces it rather than adding another).
    /// </summary>
    static void LinkTwins(string pagesDir)
    {
        foreach (var edition in Editions.All)
        {
            string other = edition == Editions.English ? Editions.Chinese : Editions.English;
            foreach (var page in LessonPages(pagesDir, edition))
            {
                string name = Path.GetFileName(page);
                string html = TwinLink().Replace(File.ReadAllText(page), "");
                if (File.Exists(Path.Combine(Editions.Subfolder(pagesDir, other), name)))
                {
                    string href = $"../{other}/{name}";
                    string text = other == Editions.English ? "English edition" : "中文版（Chinese edition）";
                    int nav = html.IndexOf("</nav>", StringComparison.Ordinal);
                    if (nav >= 0)
                        html = html.Insert(nav, $"<!--twin--> &middot; <a class=\"twin\" href=\"{href}\" hreflang=\"{other}\">{text}</a><!--/twin-->");
                }
                File.WriteAllText(page + ".tmp", html);
                File.Move(page + ".tmp", page, overwrite: true);
            }
        }
    }

    /// <summary>The picture of a lesson that the README shows too (made by tools/lesson-picture.sh).</summary>
    const string Picture = "lesson.png";

    /// <summary>
    /// The index, the tutorial's front page: the article it follows, the README's picture of a lesson (copied beside
    /// the index, so it shows offline), then the English edition's lessons and the Chinese edition's, each by its
    /// page's title with the article's sections its title cell claims.
    /// </summary>
    static string Index(string repoRoot, string pagesDir)
    {
        string List(string edition)
        {
            var items = LessonPages(pagesDir, edition).Select(page =>
            {
                string href = Path.GetRelativePath(pagesDir, page).Replace('\\', '/');
                string html = File.ReadAllText(page);
                var title = PageTitle().Match(html);
                string text = title.Success ? title.Groups[1].Value : WebUtility.HtmlEncode(Path.GetFileNameWithoutExtension(page));
                string sections = Sections(html, edition);
                return $"<li><a href=\"{href}\">{text}</a>{(sections.Length > 0 ? $"<br><span class=\"sections\">{sections}</span>" : "")}</li>";
            }).ToList();
            return items.Count == 0
                ? (edition == Editions.English ? "<p>Not rendered yet: run the runner with <code>--pages</code>.</p>"
                                               : "<p>尚未生成：运行<code>--edition zh-CN --pages</code>。（Not rendered yet: run with <code>--edition zh-CN --pages</code>.）</p>")
                : $"<ol>\n{string.Join("\n", items)}\n</ol>";
        }
        string picture = Path.Combine(repoRoot, "docs", Picture);
        string figure = "";
        if (File.Exists(picture))
        {
            File.Copy(picture, Path.Combine(pagesDir, Picture), overwrite: true);
            figure = $"""
                <figure><img src="{Picture}" width="480" alt="Lesson 08: the article's training printout beside ours, and the loss curve">
                <figcaption>Lesson 08: the article's ten loss lines beside ours, and the loss curve. 第 08 课：原文的十行损失与我们的并排，以及损失曲线。</figcaption></figure>
                """;
        }
        return $"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Birds vs airplanes in C#: the tutorial</title>
            <style>body {"{"} font-family: sans-serif, "Noto Sans CJK SC"; max-width: 48rem; margin: 2rem auto; line-height: 1.5 {"}"}
            img {"{"} max-width: 100%; height: auto; border: 1px solid #ddd {"}"} figcaption, .sections {"{"} color: #555; font-size: 0.9em {"}"}
            li {"{"} margin-bottom: 0.4em {"}"}</style></head>
            <body>
            <h1>Birds vs airplanes in C#</h1>
            <p>A fully connected network learns to tell birds from airplanes in CIFAR-10, with TorchSharp. The lessons follow
            the Chinese article <em lang="zh-CN">{ArticleTitle}</em> ("PyTorch deep learning in practice: image recognition with a
            fully connected network"), which is built on chapter 7 of <em>Deep Learning with PyTorch</em> (Stevens, Antiga,
            Viehmann). Each lesson names the article's sections it covers and prints the article's figures beside ours.
            These pages are the notebooks as executed headless; read them in order. Two editions, English and Chinese, with
            the same code; each lesson links to its twin.</p>
            <p lang="zh-CN">本教程用 C# 和 TorchSharp 复现文章《pytorch深度学习实战：全连接神经网络图像识别》（基于《Deep Learning with
            PyTorch》第 7 章）：训练一个全连接网络，区分 CIFAR-10 中的鸟和飞机。每课注明对应原文的章节，并把原文的输出与我们的输出并排列出。</p>
            {figure}
            <h2>English edition</h2>
            {List(Editions.English)}
            <h2 lang="zh-CN">中文版（Chinese edition）</h2>
            <div lang="zh-CN">
            {List(Editions.Chinese)}
            </div>
            </body>
            </html>
            """;
    }

    const string ArticleTitle = "pytorch深度学习实战：全连接神经网络图像识别";

    /// <summary>
    /// The article's sections that a lesson page's title cell (its first markdown cell) claims in bold, with the
    /// English edition's translations; or that it goes beyond the article. Empty when the cell names none.
    /// </summary>
    static string Sections(string html, string edition)
    {
        const string Cell = "class=\"jp-Cell ";
        int first = html.IndexOf(Cell + "jp-MarkdownCell", StringComparison.Ordinal);
        if (first < 0) return "";
        int next = html.IndexOf(Cell, first + Cell.Length, StringComparison.Ordinal);
        string title = next < 0 ? html[first..] : html[first..next];
        if (title.Contains("<strong>Beyond the article.</strong>", StringComparison.Ordinal) || title.Contains("<strong>原文之外。</strong>", StringComparison.Ordinal))
            return edition == Editions.English ? "beyond the article" : "原文之外";
        var claimed = ClaimedSection().Matches(title).Select(m =>
            m.Groups[2].Success ? $"{m.Groups[1].Value} ({m.Groups[2].Value})" : m.Groups[1].Value);
        return string.Join("; ", claimed);
    }

    /// <summary>
    /// The .NET kernel under Jupyter adds a script output that probes its HTTP API on 127.0.0.1 and loads require.js
    /// from a CDN. It only serves a live kernel; in a static page it can only fail, so it is left out, as are the
    /// kernel's lines about the extensions it loaded from the NuGet cache.
    /// </summary>
    static string WithoutKernelBootstrap(string notebookJson)
    {
        var notebook = JsonNode.Parse(notebookJson)!;
        foreach (var cell in notebook["cells"]!.AsArray())
        {
            if (cell!["outputs"] is not JsonArray outputs) continue;
            foreach (var output in outputs.ToList())
            {
                string html = Text(output!["data"]?["text/html"]);
                if (html.Contains("loadDotnetInteractiveApi", StringComparison.Ordinal)) outputs.Remove(output);
                // The kernel's "Loading extensions from `<NuGet cache path>`" lines say where this machine keeps its
                // packages: nothing for a reader, and no page shows a path of the machine that rendered it.
                else if (Text(output["data"]?["text/plain"]).StartsWith("Loading extensions from ", StringComparison.Ordinal)) outputs.Remove(output);
            }
        }
        return notebook.ToJsonString();
    }

    static string Text(JsonNode? node) => node is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)node ?? "";

    /// <summary>The notebook's first markdown heading, or its file name.</summary>
    static string Title(string notebook)
    {
        var cells = JsonNode.Parse(File.ReadAllText(notebook))!["cells"]!.AsArray();
        foreach (var cell in cells)
        {
            if ((string?)cell!["cell_type"] != "markdown") continue;
            var source = Text(cell["source"]);
            var heading = source.Split('\n').FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal));
            if (heading is not null) return heading[2..].Trim();
        }
        return Path.GetFileNameWithoutExtension(notebook);
    }

    static void Run(string dir, string file, params string[] arguments) =>
        Tools.Shared.Exec.Check(file, arguments, TimeSpan.FromMinutes(10), dir);

    [GeneratedRegex("href=\"((?:\\.\\./(?:en|zh-CN)/)?\\d\\d-[A-Za-z0-9-]+)\\.ipynb\"")]
    private static partial Regex NotebookLink();

    // A link to a file by a relative path: no scheme, not an anchor, not rooted.
    [GeneratedRegex("href=\"(?![a-z]+:|#|/)([^\"#?]+)\"")]
    private static partial Regex RelativeLink();

    [GeneratedRegex("<!--twin-->.*?<!--/twin-->", RegexOptions.Singleline)]
    private static partial Regex TwinLink();

    [GeneratedRegex("<title>(.*?)</title>", RegexOptions.Singleline)]
    private static partial Regex PageTitle();

    // <strong>§3.1.4 heading</strong> (Translation (with parentheses inside)), as nbconvert renders a title cell's
    // **§3.1.4 heading** (Translation); already HTML, so it is used as it is.
    [GeneratedRegex(@"<strong>(§[\d.]+ [^<]+)</strong>(?:\s*\(([^()<]*(?:\([^()<]*\)[^()<]*)*)\))?")]
    private static partial Regex ClaimedSection();
}
