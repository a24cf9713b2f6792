using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using NotebookRunner;

namespace CifarHelpers.Tests;

/// <summary>
/// The rendered pages, served on 127.0.0.1 and opened in Debian's Chromium through Playwright: no console
/// errors, every chart drawn, every image loaded, the key figures present. A screenshot of each page goes to
/// artifacts/test-pages-screenshots. The Chinese edition's pages too: the same checks, plus the twin links, the Noto
/// CJK font on the Chinese text and no missing-glyph boxes.
/// </summary>
[Trait("Category", "Browser")]
[Collection("notebooks")]
public class BrowserTests(NotebookSeries series)
{
    const string Chromium = "/usr/bin/chromium";

    static readonly Dictionary<string, string[]> KeyFigures = new()
    {
        ["03-"] = ["mean tensor([0.4914, 0.4822, 0.4465])", "std  tensor([0.2470, 0.2435, 0.2616])"],
        ["04-"] = ["Training images: 10000, validation images: 2000"],
        ["08-"] = ["Epoch: 99, Loss: "],
        ["09-"] = ["Accuracy: 0."],
        ["10-"] = ["1574402 [1572864, 512, 1024, 2]"],
    };

    [Fact]
    public async Task EveryPageRendersItsChartsImagesAndFiguresWithoutErrors()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (.ci/run does).");
        // The index and one page per notebook of the folder; as many charts and images as the executed notebooks hold.
        var executed = series.Results[Client.Jupyter];
        Assert.Equal(Directory.GetFiles(Editions.NotebooksFolder(series.Repo, Editions.English), "*.ipynb").Length + 1, series.Pages.Count);
        int expectedCharts = executed.Sum(r => HtmlOutputs(r.ExecutedPath).Sum(h => Count(h, "class=\"plotly-chart\"")));
        int expectedImages = executed.Sum(r => HtmlOutputs(r.ExecutedPath).Sum(h => Count(h, "<img ")));
        Assert.True(expectedCharts > 0 && expectedImages > 0, $"the executed notebooks hold {expectedCharts} charts and {expectedImages} images");
        string shots = Path.Combine(series.Repo, "artifacts", "test-pages-screenshots");
        Directory.CreateDirectory(shots);

        using var server = new StaticServer(series.PagesDir);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });

        var failures = new List<string>();
        int charts = 0, images = 0;
        // The Chinese edition's pages: as many as its notebooks, with their own charts and images (from dotnet-repl).
        var chineseNotebooks = Editions.NotebooksFolder(series.Repo, Editions.Chinese);
        Assert.True(Directory.Exists(chineseNotebooks), $"{chineseNotebooks} is missing: the Chinese edition's pages cannot be checked.");
        Assert.Equal(Directory.GetFiles(chineseNotebooks, "*.ipynb").Length, series.ChinesePages.Count);
        expectedCharts += series.ChineseResults.Sum(r => HtmlOutputs(r.ExecutedPath).Sum(h => Count(h, "class=\"plotly-chart\"")));
        string Url(string page) => Path.GetRelativePath(series.PagesDir, page).Replace('\\', '/');
        var all = series.Pages.Select(p => (Path: Url(p), Chinese: false))
                        .Concat(series.ChinesePages.Select(p => (Path: Url(p), Chinese: true)));
        foreach (var (url, chinesePage) in all)
        {
            string name = url;
            var tab = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
            var errors = new List<string>();
            tab.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
            tab.PageError += (_, error) => errors.Add(error);
            tab.RequestFailed += (_, request) => errors.Add($"request failed: {request.Url}");

            var response = await tab.GotoAsync(server.Url + url, new() { WaitUntil = WaitUntilState.Load });
            if (response?.Status != 200) failures.Add($"{name}: HTTP {response?.Status}");

            // Every chart: a plotly SVG with at least one drawn line.
            int chartCount = await tab.EvaluateAsync<int>("document.querySelectorAll('.plotly-chart').length");
            charts += chartCount;
            if (chartCount > 0)
            {
                try
                {
                    await tab.WaitForFunctionAsync(
                        "() => [...document.querySelectorAll('.plotly-chart')].every(c => [...c.querySelectorAll('.scatterlayer .trace path.js-line')].some(p => (p.getAttribute('d') || '').length > 0))",
                        null, new() { Timeout = 20_000 });
                }
                catch (TimeoutException)
                {
                    failures.Add($"{name}: not every chart drew a trace");
                }
            }

            // Every image: loaded, with a natural width.
            var widths = await tab.EvaluateAsync<int[]>("Promise.all([...document.images].map(i => i.complete ? i.naturalWidth : new Promise(r => { i.onload = () => r(i.naturalWidth); i.onerror = () => r(0); })))");
            images += widths.Length;
            if (widths.Any(w => w <= 0)) failures.Add($"{name}: {widths.Count(w => w <= 0)} of {widths.Length} images did not load");

            string text = await tab.InnerTextAsync("body");
            // No page shows a path of the machine that rendered it (the repository, the home folder, the NuGet cache).
            foreach (var path in new[] { series.Repo, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + "/", ".nuget/packages" })
                if (text.Contains(path, StringComparison.Ordinal)) failures.Add($"{name}: the page shows the path {path}");
            foreach (var (prefix, figures) in KeyFigures.Where(k => Path.GetFileName(name).StartsWith(k.Key, StringComparison.Ordinal)))
                foreach (var figure in figures.Where(f => !text.Contains(f, StringComparison.Ordinal)))
                    failures.Add($"{name}: '{figure}' is not on the page");

            if (name != "index.html") failures.AddRange(await CheckTwinLink(tab, server.Url, name, chinesePage));
            failures.AddRange(await CheckEveryLink(tab, server.Url, name));
            if (chinesePage || name == "index.html") failures.AddRange(await CheckChineseGlyphs(tab, name));

            failures.AddRange(errors.Select(e => $"{name}: console: {e}"));
            await tab.ScreenshotAsync(new() { Path = Path.Combine(shots, Path.ChangeExtension(name.Replace('/', '-'), ".png")), FullPage = true });
            await tab.CloseAsync();
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(expectedCharts, charts);
        Assert.True(images >= expectedImages, $"{images} images across the pages, {expectedImages} in the executed notebooks");
    }

    /// <summary>
    /// Every link of the page that stays on the site (the lessons, their twins, the index, the previous and next
    /// lessons, links inside a page) leads to a page that is there; links to other sites cannot be followed offline and
    /// must be absolute https links.
    /// </summary>
    static async Task<List<string>> CheckEveryLink(IPage tab, string baseUrl, string name)
    {
        var failures = new List<string>();
        var hrefs = await tab.EvaluateAsync<string[]>("[...document.querySelectorAll('a[href]')].map(a => a.href)");
        using var client = new HttpClient();
        foreach (var href in hrefs.Distinct())
        {
            if (!href.StartsWith(baseUrl, StringComparison.Ordinal))
            {
                if (!href.StartsWith("https://", StringComparison.Ordinal) && !href.StartsWith("mailto:", StringComparison.Ordinal))
                    failures.Add($"{name}: a link leads to {href}, neither a page of the site nor an https address");
                continue;
            }
            string target = href.Split('#')[0];
            var response = await client.GetAsync(target);
            if (!response.IsSuccessStatusCode) failures.Add($"{name}: the link {href} gives HTTP {(int)response.StatusCode}");
            else if (target.EndsWith(".ipynb", StringComparison.Ordinal)) failures.Add($"{name}: the link {href} leads to a notebook file, not its page");
        }
        return failures;
    }

    /// <summary>A lesson links to its twin in the other edition, and the twin is there.</summary>
    static async Task<List<string>> CheckTwinLink(IPage tab, string baseUrl, string name, bool chinesePage)
    {
        var failures = new List<string>();
        string? href = await tab.EvaluateAsync<string?>("document.querySelector('a.twin') && document.querySelector('a.twin').href");
        string expected = baseUrl + $"{(chinesePage ? Editions.English : Editions.Chinese)}/{Path.GetFileName(name)}";
        if (href != expected) failures.Add($"{name}: the link to its twin is {href ?? "missing"}, not {expected}");
        else
        {
            using var client = new HttpClient();
            var twin = await client.GetAsync(href);
            if (!twin.IsSuccessStatusCode) failures.Add($"{name}: its twin {href} gives HTTP {(int)twin.StatusCode}");
        }
        return failures;
    }

    /// <summary>
    /// The Chinese text is drawn with Noto CJK (Chromium's own account of the fonts it used, over DevTools) and no
    /// character of it is a missing-glyph box: drawn on a canvas in the page's font, no character of the page looks
    /// like a character that no font has (U+0378, unassigned). The check proves itself on U+0379 and on 中 first.
    /// </summary>
    static async Task<List<string>> CheckChineseGlyphs(IPage tab, string name)
    {
        var failures = new List<string>();
        // As a JsonElement: Playwright's EvaluateAsync does not deserialize into a record (playwright-dotnet#2701).
        var json = await tab.EvaluateAsync<System.Text.Json.JsonElement>("""
            () => {
              const cjk = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]/;
              const chars = [...new Set([...document.body.innerText].filter(c => cjk.test(c) && c.trim() !== ''))];
              const el = [...document.querySelectorAll('h1, h2, p, li, a, pre, td, th')].find(e => cjk.test(e.textContent)) || document.body;
              const font = getComputedStyle(el).fontFamily;
              const canvas = document.createElement('canvas');
              canvas.width = 48; canvas.height = 48;
              const ctx = canvas.getContext('2d', { willReadFrequently: true });
              const draw = c => { ctx.clearRect(0, 0, 48, 48); ctx.font = '32px ' + font; ctx.fillText(c, 4, 38); return ctx.getImageData(0, 0, 48, 48).data.join(','); };
              const box = draw('\u0378');
              return { count: chars.length, missing: chars.filter(c => draw(c) === box).join(''),
                       selfCheck: draw('\u0379') === box && draw('中') !== box, font };
            }
            """);
        var result = new GlyphCheck(json.GetProperty("count").GetInt32(), json.GetProperty("missing").GetString() ?? "",
                                    json.GetProperty("selfCheck").GetBoolean(), json.GetProperty("font").GetString() ?? "");
        if (!result.SelfCheck) failures.Add($"{name}: the missing-glyph check cannot tell a box from a glyph in {result.Font}");
        if (result.Count == 0) failures.Add($"{name}: no Chinese text on the page");
        if (result.Missing.Length > 0) failures.Add($"{name}: {result.Missing.Length} characters drawn as missing-glyph boxes: {result.Missing}");

        // The fonts Chromium used for the first element with Chinese text in it.
        var cdp = await tab.Context.NewCDPSessionAsync(tab);
        await cdp.SendAsync("DOM.enable");
        await cdp.SendAsync("CSS.enable");
        var document = await cdp.SendAsync("DOM.getDocument", new() { ["depth"] = 0 });
        int root = document!.Value.GetProperty("root").GetProperty("nodeId").GetInt32();
        var nodes = await cdp.SendAsync("DOM.querySelectorAll", new() { ["nodeId"] = root, ["selector"] = "h1, h2, p, li, a" });
        var fonts = new HashSet<string>();
        foreach (var node in nodes!.Value.GetProperty("nodeIds").EnumerateArray())
        {
            var used = await cdp.SendAsync("CSS.getPlatformFontsForNode", new() { ["nodeId"] = node.GetInt32() });
            foreach (var font in used!.Value.GetProperty("fonts").EnumerateArray()) fonts.Add(font.GetProperty("familyName").GetString() ?? "");
            if (fonts.Any(f => f.Contains("CJK", StringComparison.Ordinal))) break;
        }
        if (!fonts.Any(f => f.StartsWith("Noto Sans CJK", StringComparison.Ordinal) || f.StartsWith("Noto Serif CJK", StringComparison.Ordinal)))
            failures.Add($"{name}: the Chinese text is not drawn with Noto CJK; fonts used: {string.Join(", ", fonts)}");
        await cdp.DetachAsync();
        return failures;
    }

    sealed record GlyphCheck(int Count, string Missing, bool SelfCheck, string Font);

    /// <summary>The text/html outputs of an executed notebook.</summary>
    static IEnumerable<string> HtmlOutputs(string notebook) =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(notebook))!["cells"]!.AsArray()
            .SelectMany(c => c!["outputs"]?.AsArray() ?? [])
            .Select(o => o!["data"]?["text/html"] switch
            {
                System.Text.Json.Nodes.JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
                { } value => (string?)value ?? "",
                null => "",
            });

    static int Count(string text, string what)
    {
        int count = 0;
        for (int at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>Serves a folder on 127.0.0.1, read-only.</summary>
    sealed class StaticServer : IDisposable
    {
        readonly HttpListener _listener = new();
        readonly string _root;

        public StaticServer(string root)
        {
            _root = Path.GetFullPath(root);
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(Serve);
        }

        public string Url { get; }

        async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception) { return; }
                string relative = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath.TrimStart('/'));
                string path = Path.GetFullPath(Path.Combine(_root, relative.Length == 0 ? "index.html" : relative));
                if (!path.StartsWith(_root, StringComparison.Ordinal) || !File.Exists(path))
                {
                    context.Response.StatusCode = 404;
                    context.Response.Close();
                    continue;
                }
                context.Response.ContentType = Path.GetExtension(path) switch
                {
                    ".html" => "text/html; charset=utf-8",
                    ".js" => "text/javascript",
                    ".png" => "image/png",
                    _ => "application/octet-stream",
                };
                byte[] bytes = await File.ReadAllBytesAsync(path);
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
        }
    }
}
