using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using CifarHelpers.Data;
using NotebookRunner;
using Tools.Shared;

using static CifarHelpers.Tests.PrintedFigures;

namespace CifarHelpers.Tests;

/// <summary>
/// Runs every generated app (notebooks/NN-name.cs) once, in order, with <c>dotnet run</c> and no kernel, on the real
/// data, with <c>-- --epochs 2</c> where it trains. They run in a copy of the repository's build files, library and
/// apps in a temporary folder, so their checkpoint (08 writes it, 09 and 10 read it) and data stay out of the
/// working tree. The first app runs from its own folder, the others from the copy's root. Each build goes to
/// <c>--artifacts-path</c> inside the copy: without it every copy's apps left about 560 MB each in the SDK's cache
/// of file-based apps (<c>~/.local/share/dotnet/runfile</c>), keyed by the file's path, and repeated runs filled the disk.
/// </summary>
public sealed class AppRuns : IDisposable
{
    public AppRuns()
    {
        string repo = RepoRoot.Find();
        Root = Path.Combine(Path.GetTempPath(), "cifar-apps-" + Guid.NewGuid().ToString("N"));
        foreach (var file in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props" })
            Copy(Path.Combine(repo, file), Path.Combine(Root, file));
        foreach (var file in Directory.GetFiles(Path.Combine(repo, "lib"), "*", SearchOption.AllDirectories)
                                      .Where(f => !Regex.IsMatch(Path.GetRelativePath(repo, f), @"[\\/](bin|obj)[\\/]")))
            Copy(file, Path.Combine(Root, Path.GetRelativePath(repo, file)));
        // The pinned plotly.js that the apps copy beside their charts, installed as the runner's pages install it.
        string pages = Path.Combine(repo, "tools", "pages");
        if (!File.Exists(Path.Combine(pages, "node_modules", "plotly.js-dist-min", "plotly.min.js")))
            Exec.Check("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5), pages);
        foreach (var file in new[] { "package.json", "package-lock.json", "node_modules/plotly.js-dist-min/plotly.min.js" })
            if (File.Exists(Path.Combine(repo, "tools", "pages", file)))
                Copy(Path.Combine(repo, "tools", "pages", file), Path.Combine(Root, "tools", "pages", file));
        Apps = [.. Directory.GetFiles(Path.Combine(repo, "notebooks", Editions.English), "*.cs").Select(Path.GetFileName).Where(n => Regex.IsMatch(n!, @"^\d\d-")).Order(StringComparer.Ordinal)!];
        foreach (var app in Apps) Copy(Path.Combine(repo, "notebooks", Editions.English, app), Path.Combine(Root, "notebooks", Editions.English, app));

        string archive = RealData.Archive(); // the archive found, or one packed from the verified data/CIFAR-10
        foreach (var app in Apps)
        {
            string path = Path.Combine(Root, "notebooks", Editions.English, app);
            var arguments = new List<string> { "run", "--artifacts-path", ArtifactsPath(app), app == Apps[0] ? app : Path.Combine("notebooks", Editions.English, app) };
            if (File.ReadAllText(path).Contains("Tutorial.Epochs(", StringComparison.Ordinal)) arguments.AddRange(["--", "--epochs", "2"]);
            var clock = Stopwatch.StartNew();
            // Under a German locale (decimal commas): the apps must still print 0.8175, not 0,8175.
            var run = Exec.Run("dotnet", arguments, TimeSpan.FromMinutes(5), app == Apps[0] ? Path.Combine(Root, "notebooks", Editions.English) : Root,
                               new Dictionary<string, string?> { [Cifar10Format.ArchiveVariable] = archive, ["LANG"] = "de_DE.UTF-8", ["LC_ALL"] = "de_DE.UTF-8" });
            // Keyed by number, or by the whole name where two apps share a number (12-exercises, 12-exercises-solutions).
            Results[Apps.Count(a => a[..2] == app[..2]) > 1 ? Path.GetFileNameWithoutExtension(app) : app[..2]] = new AppResult(app, run.ExitCode, run.Stdout, run.Stderr, clock.Elapsed);
        }

        // Two of the Chinese edition's apps (notebooks/zh-CN): a table (01) and charts (07), from the copy's root.
        string chinese = Path.Combine(repo, "notebooks", Editions.Chinese);
        foreach (var prefix in ChineseApps)
        {
            string? app = Directory.Exists(chinese) ? Directory.GetFiles(chinese, prefix + "-*.cs").SingleOrDefault() : null;
            if (app is null) continue;
            string relative = Path.Combine("notebooks", Editions.Chinese, Path.GetFileName(app));
            Copy(app, Path.Combine(Root, relative));
            var clock = Stopwatch.StartNew();
            // Under a French locale (decimal commas, and a space before ':' in its own texts).
            var run = Exec.Run("dotnet", ["run", "--artifacts-path", ArtifactsPath("zh-CN-" + Path.GetFileName(app)), relative], TimeSpan.FromMinutes(5), Root,
                               new Dictionary<string, string?> { [Cifar10Format.ArchiveVariable] = archive, ["LANG"] = "fr_FR.UTF-8", ["LC_ALL"] = "fr_FR.UTF-8" });
            ChineseResults[prefix] = new AppResult(relative, run.ExitCode, run.Stdout, run.Stderr, clock.Elapsed);
        }
    }

    /// <summary>The Chinese edition's apps that run: 01 (a table, a picture) and 07 (two charts).</summary>
    public static readonly string[] ChineseApps = ["01", "07"];

    /// <summary>The runs of <see cref="ChineseApps"/>, by prefix; missing when notebooks/zh-CN has no such app.</summary>
    public Dictionary<string, AppResult> ChineseResults { get; } = [];

    public string Root { get; }
    public IReadOnlyList<string> Apps { get; }
    public Dictionary<string, AppResult> Results { get; } = [];

    /// <summary>Where an app's build goes: inside the copy, so that <see cref="Dispose"/> removes it.</summary>
    string ArtifactsPath(string app) => Path.Combine(Root, "artifacts", "build", Path.GetFileNameWithoutExtension(app));

    static void Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        // What the SDK still keeps per app with --artifacts-path (its build caches and compiler arguments, under 100 kB),
        // in folders named after the app and a hash of its path: those whose files name this copy.
        string cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "dotnet", "runfile");
        if (!Directory.Exists(cache)) return;
        foreach (var folder in Directory.GetDirectories(cache))
        {
            try
            {
                if (Directory.GetFiles(folder).Any(f => new FileInfo(f).Length < 1 << 20 && File.ReadAllText(f).Contains(Root, StringComparison.Ordinal)))
                    Directory.Delete(folder, recursive: true);
            }
            catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>One app's run.</summary>
public sealed record AppResult(string Name, int ExitCode, string Output, string Errors, TimeSpan Elapsed)
{
    public override string ToString() => $"{Name}: exit {ExitCode} after {Elapsed.TotalSeconds:F0} s\n{Output}\n{Errors}";
}

[Trait("Category", "RealData")]
public partial class AppTests(AppRuns runs) : IClassFixture<AppRuns>
{
    [Fact]
    public void EveryNotebookHasAnAppAndEachRunsToTheEnd()
    {
        var notebooks = Directory.GetFiles(Path.Combine(RepoRoot.Find(), "notebooks", Editions.English), "*.ipynb").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        Assert.Equal(notebooks, runs.Apps.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
        foreach (var result in runs.Results.Values)
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.DoesNotContain("Unhandled exception", result.Output + result.Errors);
        }
    }

    [Fact]
    public void App03PrintsTheArticlesMeanAndStd()
    {
        string text = runs.Results["03"].Output;
        AssertClose([0.4914, 0.4822, 0.4465], Values(MeanLine().Matches(text).LastOrDefault()));
        AssertClose([0.2470, 0.2435, 0.2616], Values(StdLine().Matches(text).LastOrDefault()));
    }

    [Fact]
    public void App04PrintsTheSubsetSizes() =>
        Assert.Contains("Training images: 10000, validation images: 2000", runs.Results["04"].Output);

    [Fact]
    public void App08TrainsTheEpochsAskedForAndGetsAnAccuracy()
    {
        string text = runs.Results["08"].Output;
        Assert.Equal(["0", "1"], EpochLine().Matches(text).Select(m => m.Groups[1].Value));
        Assert.Contains("2 epochs, learning rate 0.01", text);
        var accuracy = Regex.Match(text, @"^Validation accuracy: ([0-9.]+) \((\d+) of 2000\)$", RegexOptions.Multiline);
        Assert.True(accuracy.Success, text);
        Assert.InRange(double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture), 0.70, 0.90);
    }

    [Fact]
    public void App09LoadsTheCheckpointOf08AndPrintsItsAccuracy()
    {
        string text = runs.Results["09"].Output;
        // --epochs 2 for both: the recipe 09 asks for is the one 08 ran, so it loads that checkpoint.
        Assert.Matches(@"Loaded \.\./\.\./data/models/birds-airplanes-fc\.bin: 2 epochs, seed 42", text);
        var match = AccuracyLine().Match(text);
        Assert.True(match.Success, text);
        Assert.InRange(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 0.70, 0.90);
    }

    [Fact]
    public void App10CountsTheParametersAsTheArticlePrintsThem()
    {
        Assert.Contains("1574402 [1572864, 512, 1024, 2]", runs.Results["10"].Output.Split('\n').Select(l => l.TrimEnd('\r')));
        Assert.Contains("Both models trained for 2 epochs.", runs.Results["10"].Output);
    }

    [Fact]
    public void AGridOfPicturesHasAPageBesideItWithItsCaptions()
    {
        // 09's grid of misclassified images: the PNG has no room for captions, so a page beside it shows them.
        string folder = Path.Combine(runs.Root, "artifacts", "apps", Editions.English, "09-validation");
        var pictures = Directory.GetFiles(folder, "picture-*.png");
        Assert.NotEmpty(pictures);
        var pages = pictures.Select(p => Path.ChangeExtension(p, ".html")).Where(File.Exists).ToList();
        Assert.True(pages.Count > 0, $"no captions page beside {string.Join(", ", pictures.Select(Path.GetFileName))}");
        string html = File.ReadAllText(pages[^1]);
        Assert.Contains("<figcaption", html);
        Assert.Matches("(airplane|bird) (→|&#8594;) (airplane|bird)", html);
    }

    [Fact]
    public void UnderGermanAndFrenchLocalesTheFiguresPrintWithADecimalPoint()
    {
        // Every app ran under de_DE (the Chinese ones under fr_FR): figures such as losses and accuracies print as
        // 0.8175. A decimal comma between digits would show the culture leaking into what the reader sees.
        foreach (var result in runs.Results.Values.Concat(runs.ChineseResults.Values))
        {
            Assert.True(result.ExitCode == 0, $"{result.Name} exited {result.ExitCode}:\n{result.Output}");
            var comma = DecimalComma().Match(result.Output);
            Assert.False(comma.Success, $"{result.Name} printed '{comma.Value}' under its locale:\n{result.Output}");
        }
        Assert.Matches(@"Accuracy: 0\.\d+", runs.Results["09"].Output);
        Assert.Matches(@"Epoch: 0, Loss: 0\.\d+", runs.Results["08"].Output);
    }

    [Fact]
    public void PicturesAndChartsLandUnderArtifactsAppsAndAreAnnounced()
    {
        var announced = new List<string>();
        foreach (var result in runs.Results.Values)
        {
            string from = result.Name == runs.Apps[0] ? Path.Combine(runs.Root, "notebooks", Editions.English) : runs.Root;
            foreach (Match m in Announcement().Matches(result.Output))
            {
                string path = Path.GetFullPath(Path.Combine(from, m.Groups[2].Value));
                string folder = Path.Combine(runs.Root, "artifacts", "apps", Editions.English, Path.GetFileNameWithoutExtension(result.Name));
                Assert.StartsWith(folder + Path.DirectorySeparatorChar, path);
                Assert.True(File.Exists(path), $"{result.Name} announced {path}, which is not there");
                if (m.Groups[1].Value == "Picture")
                    Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(path).Take(4));
                else if (m.Groups[1].Value == "Page")
                    Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(path));
                else
                {
                    Assert.Contains("<script src=\"plotly.min.js\"", File.ReadAllText(path));
                    Assert.True(File.Exists(Path.Combine(folder, "plotly.min.js")), "plotly.min.js is not beside the chart");
                }
                announced.Add($"{result.Name[..2]} {m.Groups[1].Value}");
            }
        }
        // Where the notebooks show pictures, pages and charts: 01-04, 06, 09 and 10 pictures; 06's network diagram
        // (an HTML page); 05, 07 (the NLL curve and the losses) and 08 charts; 11's two charts (accuracy per epoch,
        // accuracy on shifted images); 12's solutions, one chart (the exercises show it only once solved); 13's picture, what the model sees, and the 16 surest images of other classes,
        // and its confidence chart.
        Assert.Equal(["01 Picture", "02 Picture", "03 Picture", "03 Picture", "04 Picture", "05 Chart", "06 Page", "06 Picture",
                      "07 Chart", "07 Chart", "08 Chart", "09 Picture", "10 Picture", "10 Picture",
                      "11 Chart", "11 Chart", "12 Chart", "13 Chart", "13 Picture", "13 Picture", "13 Picture"],
                     announced.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TablesPrintAsText()
    {
        Assert.Matches(@"(?m)^label\s+class\s+images\r?\n\s*0\s+airplane\s+5000$", runs.Results["01"].Output);
        Assert.Matches(@"(?m)^epoch\s+loss\s+mean loss\s+seconds$", runs.Results["08"].Output);
    }

    [Fact]
    public void TheChineseEditionsAppsAnnounceTheirFilesAndLabelTheirTablesAndChartsInChinese()
    {
        foreach (var prefix in AppRuns.ChineseApps)
            Assert.True(runs.ChineseResults.ContainsKey(prefix),
                        $"notebooks/zh-CN/{prefix}-*.cs is missing: generate it with `dotnet run --project tools/NotebookToApp`.");
        foreach (var result in runs.ChineseResults.Values)
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.DoesNotMatch(Announcement(), result.Output);
        }
        // 01: the table's header in Chinese, the data as it is; the picture announced in Chinese, under artifacts/apps/zh-CN/.
        string text01 = runs.ChineseResults["01"].Output;
        Assert.Matches(@"(?m)^标签\s+类别\s+图像数\r?\n\s*0\s+airplane\s+5000$", text01);
        Assert.Matches(@"(?m)^图像: \S+", text01);
        // 07: two charts, announced in Chinese, written under artifacts/apps/zh-CN/07-*, with Chinese titles.
        var charts = Regex.Matches(runs.ChineseResults["07"].Output, @"^图表: (\S+)", RegexOptions.Multiline);
        Assert.Equal(2, charts.Count);
        string folder = Path.Combine(runs.Root, "artifacts", "apps", Editions.Chinese, "07-choosing-a-loss");
        foreach (Match chart in charts)
        {
            string path = Path.GetFullPath(Path.Combine(runs.Root, chart.Groups[1].Value));
            Assert.StartsWith(folder + Path.DirectorySeparatorChar, path);
            Assert.True(File.Exists(path), $"{path} was announced and is not there");
        }
        // The second chart is the NLL curve: its x axis title from the table.
        Assert.Contains("p（真实类别的概率）", File.ReadAllText(Path.Combine(folder, "chart-02.html")));
        Assert.Contains("Accuracy: ", runs.ChineseResults["07"].Output);
    }

    [GeneratedRegex(@"\b0,\d{3,}")]
    private static partial Regex DecimalComma();

    [GeneratedRegex(@"^(Picture|Chart|Page): (\S+)", RegexOptions.Multiline)]
    private static partial Regex Announcement();
}
