// Takes the README's picture: a viewport of a rendered lesson page, opened offline in Chromium (headless, through
// Playwright, as the browser tests do), scrolled to a heading, saved as a PNG.
// Usage: dotnet run tools/lesson-picture.cs -- PAGE.html HEADING_ID OUT.png   (tools/lesson-picture.sh passes them)
#:package Microsoft.Playwright
// Playwright serialises with reflection, which a file-based app (native AOT by default) turns off.
#:property PublishAot=false

using Microsoft.Playwright;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: dotnet run tools/lesson-picture.cs -- PAGE.html HEADING_ID OUT.png");
    return 2;
}
string page = Path.GetFullPath(args[0]), heading = args[1], output = Path.GetFullPath(args[2]);
const string Chromium = "/usr/bin/chromium";
if (!File.Exists(page)) { Console.Error.WriteLine($"error: {page} is missing: render the pages first (--pages)."); return 1; }
if (!File.Exists(Chromium)) { Console.Error.WriteLine($"error: {Chromium} is missing: run bash tools/setup.sh."); return 1; }

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = Chromium,
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"],
});
var tab = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 960, Height = 1060 }, DeviceScaleFactor = 1 });
await tab.GotoAsync(new Uri(page).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load });
// Charts are drawn by plotly.js after the load: wait until every one has its SVG.
await tab.WaitForFunctionAsync("[...document.querySelectorAll('.plotly-chart')].every(c => c.querySelector('svg.main-svg'))");
var target = tab.Locator($"[id=\"{heading}\"]");
if (await target.CountAsync() == 0) { Console.Error.WriteLine($"error: {page} has no element with id {heading}."); return 1; }
await target.First.EvaluateAsync("e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 8)");
Directory.CreateDirectory(Path.GetDirectoryName(output)!);
await tab.ScreenshotAsync(new() { Path = output, Type = ScreenshotType.Png });
Console.WriteLine($"{output}: {new FileInfo(output).Length:N0} bytes");
return 0;
