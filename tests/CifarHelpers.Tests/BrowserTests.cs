using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using NotebookRunner;

namespace CifarHelpers.Tests;

/// <summary>
/// The rendered pages, served on 127.0.0.1 and opened in Debian's Chromium through Playwright: no console
/// errors, every chart drawn, every image loaded, the key figures present. A screenshot of each page goes to
/// artifacts/test-pages-screenshots.
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
        Assert.Equal(Directory.GetFiles(Path.Combine(series.Repo, "notebooks"), "*.ipynb").Length + 1, series.Pages.Count);
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
        foreach (var page in series.Pages)
        {
            string name = Path.GetFileName(page);
            var tab = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
            var errors = new List<string>();
            tab.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
            tab.PageError += (_, error) => errors.Add(error);
            tab.RequestFailed += (_, request) => errors.Add($"request failed: {request.Url}");

            var response = await tab.GotoAsync(server.Url + name, new() { WaitUntil = WaitUntilState.Load });
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
            foreach (var (prefix, figures) in KeyFigures.Where(k => name.StartsWith(k.Key, StringComparison.Ordinal)))
                foreach (var figure in figures.Where(f => !text.Contains(f, StringComparison.Ordinal)))
                    failures.Add($"{name}: '{figure}' is not on the page");

            failures.AddRange(errors.Select(e => $"{name}: console: {e}"));
            await tab.ScreenshotAsync(new() { Path = Path.Combine(shots, Path.ChangeExtension(name, ".png")), FullPage = true });
            await tab.CloseAsync();
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(expectedCharts, charts);
        Assert.True(images >= expectedImages, $"{images} images across the pages, {expectedImages} in the executed notebooks");
    }

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
