using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NotebookRunner;
using Tools.Shared;

using static CifarHelpers.Tests.PrintedFigures;

namespace CifarHelpers.Tests;

[Trait("Category", "Notebook")]
[Collection("notebooks")]
public partial class NotebookTests(NotebookSeries series)
{
    static List<string> NotebookNames(string edition = Editions.English)
    {
        string folder = Editions.NotebooksFolder(RepoRoot.Find(), edition);
        return !Directory.Exists(folder) ? [] : [.. Directory.GetFiles(folder, "*.ipynb").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The runs every figure is checked on: the English edition with both clients, and the Chinese edition
    /// (<c>notebooks/zh-CN</c>, the same code cells) with dotnet-repl. One assertion, all three runs.
    /// </summary>
    public static TheoryData<Client, string> Runs() => new()
    {
        { Client.Repl, Editions.English }, { Client.Jupyter, Editions.English }, { Client.Repl, Editions.Chinese },
    };

    public static TheoryData<Client, string, string> NotebooksByRun()
    {
        var data = new TheoryData<Client, string, string>();
        foreach (var name in NotebookNames())
            foreach (var client in new[] { Client.Repl, Client.Jupyter })
                data.Add(client, Editions.English, name);
        // The Chinese edition has every notebook of the English one, by the same name.
        foreach (var name in NotebookNames())
            data.Add(Client.Repl, Editions.Chinese, name);
        return data;
    }

    [Theory]
    [MemberData(nameof(NotebooksByRun))]
    public void EachNotebookRunsTopToBottomWithoutErrors(Client client, string edition, string name)
    {
        var results = edition == Editions.English ? series.Results[client] : series.ChineseResults;
        var result = results.SingleOrDefault(r => r.Name == name);
        Assert.True(result is not null, $"{name} ({edition}) did not run: is it in notebooks/{edition}/?");
        Assert.True(result.Passed, $"{name} ({client}, {edition}): {string.Join("; ", result.Errors)}");
        Assert.True(File.Exists(result.ExecutedPath));
        Assert.StartsWith(series.Output, result.ExecutedPath);
    }

    [Fact]
    public void TheChineseEditionShowsChineseChartsTablesAndProgressAndTheSameFigures()
    {
        // Chart titles: the English run's title, the Chinese run's translation, from the same code cell.
        string english = HtmlOutputs(series.Get(Client.Repl, Editions.English, "08").ExecutedPath);
        string chinese = HtmlOutputs(series.Get(Client.Repl, Editions.Chinese, "08").ExecutedPath);
        Assert.Contains("\"title\":{\"text\":\"Training loss per epoch\"}", english);
        Assert.Contains("\"title\":{\"text\":\"每轮的训练损失\"}", chinese);
        Assert.DoesNotContain("Training loss per epoch", chinese);
        // Every chart title of the edition has Chinese in it.
        var titles = series.ChineseResults.SelectMany(r => ChartTitle().Matches(HtmlOutputs(r.ExecutedPath)).Select(m => m.Groups[1].Value)).ToList();
        Assert.True(titles.Count >= 4, $"{titles.Count} chart titles in the Chinese edition");
        Assert.All(titles.Where(t => t.Any(char.IsLetter)), t => Assert.Matches(@"\p{IsCJKUnifiedIdeographs}|^NLL = -log p$|^\|dL/dz0\|$|^NLL$", t));
        // The set-up line and the table headers; the article's print forms stay as they are.
        string text08 = series.Get(Client.Repl, Editions.Chinese, "08").Text;
        Assert.Matches(Line(@"CPU，随机种子42，\d+个线程。"), text08);
        Assert.Matches(Line(@"CPU, seed 42, \d+ threads\."), series.Get(Client.Repl, Editions.English, "08").Text);
        // The progress lines the library shows, in Chinese: the last one of 08's training loop.
        Assert.Matches(@"100/100轮：损失\d\.\d{6}，平均损失\d\.\d{6}，\d+\.\d秒", OutputsText(series.Get(Client.Repl, Editions.Chinese, "08").ExecutedPath));
        Assert.Contains(">轮<", OutputsText(series.Get(Client.Repl, Editions.Chinese, "08").ExecutedPath));
        Assert.Equal(EpochLine().Matches(series.Get(Client.Repl, Editions.English, "08").Text).Count, EpochLine().Matches(text08).Count);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Notebook02PrintsTheShapeBesideTheArticles(Client client, string edition)
    {
        string text = series.Get(client, edition, "02").Text;
        Assert.Matches(Line(@"article: torch\.Size\(\[3, 32, 32\]\)"), text);
        Assert.Matches(Line(@"ours:    torch\.Size\(\[3, 32, 32\]\)"), text);
        Assert.Matches(Line(@"dtype Float32, min 0\.\d+, max 1\.0000"), text);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Notebook03PrintsTheArticlesMeanAndStd(Client client, string edition)
    {
        // The notebook first shows the computation on a slice of 1,000 images; the last figures are the 50,000.
        string text = series.Get(client, edition, "03").Text;
        var means = MeanLine().Matches(text);
        AssertClose([0.4914, 0.4822, 0.4465], Values(means.LastOrDefault()));
        AssertClose([0.2470, 0.2435, 0.2616], Values(StdLine().Matches(text).LastOrDefault()));
        // Side by side with the article's printout, in the same form.
        Assert.Matches(Line(@"article  tensor\(\[0\.4914, 0\.4822, 0\.4465\]\)  tensor\(\[0\.2470, 0\.2435, 0\.2616\]\)"), text);
        Assert.Matches(Line(@"ours     tensor\(\[0\.4914, 0\.4822, 0\.4465\]\)  tensor\(\[0\.2470, 0\.2435, 0\.2616\]\)"), text);
        // "The slice of 1,000 images came close to these values, but not exactly."
        var slice = Values(means.FirstOrDefault());
        var all = Values(means.LastOrDefault());
        Assert.NotEqual(all, slice);
        Assert.All(slice.Zip(all), pair => Assert.InRange(pair.First, pair.Second - 0.005, pair.Second + 0.005));
        // "Darker than the average image in all three channels, but far less so in red than in green and blue."
        var car = Values(Match(text, @"^per-channel mean tensor\(\[([^\]]+)\]\)"));
        Assert.All(car, v => Assert.True(v < 0, $"channel mean {v} is not below 0"));
        Assert.True(car[0] > car[1] + 0.5 && car[0] > car[2] + 0.5, string.Join(", ", car));
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Notebook04PrintsTheSubsetSizesAndTheLabelMapFromTheData(Client client, string edition)
    {
        string text = series.Get(client, edition, "04").Text;
        Assert.Contains("Training images: 10000, validation images: 2000", text);
        // The article's comment calls label 0 the bird; the data says airplane.
        Assert.Matches(Line(@"0 \(airplane\) -> 0 \(airplane\)"), text);
        Assert.Matches(Line(@"2 \(bird\) -> 1 \(bird\)"), text);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Notebook05BacksWhatItSaysAboutTheThreeBatchSizes(Client client, string edition)
    {
        string text = series.Get(client, edition, "05").Text;
        var runs = RunLine().Matches(text).ToDictionary(
            m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
            m => (Losses: m.Groups[2].Value.Split(", ").Select(Number).ToArray(), Before: Number(m.Groups[3].Value), After: Number(m.Groups[4].Value)));
        Assert.Equal([1, 64, 2000], runs.Keys.Order());
        static bool Rising(double[] v) => v.Zip(v.Skip(1)).All(p => p.Second > p.First);
        static bool Falling(double[] v) => v.Zip(v.Skip(1)).All(p => p.Second < p.First);
        // "Batch size 1 goes the wrong way": its mean loss rises every epoch and it ends above where it started.
        Assert.True(Rising(runs[1].Losses), string.Join(", ", runs[1].Losses));
        Assert.True(runs[1].After > runs[1].Before, $"{runs[1].Before} -> {runs[1].After}");
        // "Batch size 64 does best": falls every epoch, lowest final loss.
        Assert.True(Falling(runs[64].Losses), string.Join(", ", runs[64].Losses));
        Assert.True(runs[64].After < runs[2000].After && runs[64].After < runs[1].After);
        // "The full batch ... also falls every epoch ... ends behind batch size 64."
        Assert.True(Falling(runs[2000].Losses), string.Join(", ", runs[2000].Losses));
        // "by far the slowest per epoch"
        Assert.True(Number(Match(text, @"^batch size 1: ([0-9.]+)x the time of the full batch").Groups[1].Value) > 3);
        // §2.3.1.1's memory figures, as the prose quotes them.
        Assert.Matches(Line(@"10000 x \[3, 32, 32\]:     input 122\.9 MB, hidden 20\.5 MB"), text);
        Assert.Matches(Line(@"64 x \[3, 32, 32\]:        input 0\.8 MB, hidden 0\.1 MB"), text);
        Assert.Matches(Line(@"1281167 x \[3, 224, 224\]: input 771,\d{3}\.\d MB"), text);
        // §2.3.2: TorchSharp's own DataLoader over 640 images gives ten batches of 64.
        Assert.Matches(Line(@"torch\.Size\(\[64, 3, 32, 32\]\) torch\.Size\(\[64\]\)"), text);
        // TorchSharp's own loader over cifar2, feeding our Trainer for one epoch: as many batches as ours.
        Assert.Matches(Line(@"157 batches; after one epoch the mean loss is 0\.\d{4}"), text);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Notebook06BuildsTheModelDrawsItAndPrintsItsOutputBesideTheArticles(Client client, string edition)
    {
        var result = series.Get(client, edition, "06");
        string text = result.Text;
        // nn.Sequential with unnamed modules names them "0" to "3", as PyTorch does.
        Assert.Matches(Line(@"\(0\): Linear\s+weight \[512, 3072\], bias \[512\]"), text);
        Assert.Matches(Line(@"\(1\): Tanh\s*"), text);
        Assert.Matches(Line(@"\(3\): LogSoftmax\s*"), text);
        Assert.Contains("Same layers and shapes as seqModel: True", text);
        Assert.Contains("article: tensor([[0.4481, 0.5519]], grad_fn=<SoftmaxBackward0>)", text);
        var ours = Match(text, @"^ours:    tensor\(\[\[(-[0-9.]+), (-[0-9.]+)\]\]\), requires_grad=True");
        var exp = Match(text, @"^exp\(\):   tensor\(\[\[([0-9.]+), ([0-9.]+)\]\]\)");
        double[] logs = [Number(ours.Groups[1].Value), Number(ours.Groups[2].Value)];
        double[] probabilities = [Number(exp.Groups[1].Value), Number(exp.Groups[2].Value)];
        Assert.All(logs, v => Assert.True(v < 0));
        Assert.InRange(probabilities.Sum(), 0.999, 1.001);
        for (int i = 0; i < 2; i++) Assert.InRange(Math.Exp(logs[i]), probabilities[i] - 2e-4, probabilities[i] + 2e-4);
        // The network diagram is drawn from the model: 3072, 512 and 2 units.
        string html = HtmlOutputs(result.ExecutedPath);
        Assert.Contains("class=\"network-diagram\"", html);
        foreach (var units in new[] { "3072", "512", "2" }) Assert.Contains($">{units}</text>", html);
        Assert.Contains("Linear(3072, 512)", html);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Notebook07ShowsOverPenalisingTheNllCurveAndCrossEntropyTrainingTheSame(Client client, string edition)
    {
        string text = series.Get(client, edition, "07").Text;
        // MSE charges differently for the same right answer; NLL does not.
        var a = Match(text, @"^p = \[0\.8, 0\.2, 0\.0\]  MSE ([0-9.]+)  NLL ([0-9.]+)");
        var b = Match(text, @"^p = \[0\.8, 0\.1, 0\.1\]  MSE ([0-9.]+)  NLL ([0-9.]+)");
        Assert.Equal(a.Groups[2].Value, b.Groups[2].Value);
        Assert.Equal(("0.0267", "0.0200"), (a.Groups[1].Value, b.Groups[1].Value));
        Assert.Matches(Line(@"p = 0\.01  -log p = 4\.6052"), text);
        Assert.Matches(Line(@"p = 0\.50  -log p = 0\.6931"), text);
        // §3.1.5: without LogSoftmax, with CrossEntropyLoss, from the same weights: the same training.
        var rows = Regex.Matches(text, @"^\s+(\d)\s+([0-9.]+)\s+([0-9.]+)\r?$", RegexOptions.Multiline);
        Assert.Equal(3, rows.Count);
        Assert.All(rows, row => Assert.Equal(row.Groups[2].Value, row.Groups[3].Value));
        Assert.True(Number(rows[0].Groups[2].Value) > Number(rows[2].Groups[2].Value), "the loss does not fall");
        Assert.InRange(Number(Match(text, @"^max \|weight difference\|: ([0-9.E+-]+)").Groups[1].Value), 0, 1e-4);
        var accuracy = Match(text, @"^Accuracy: ([0-9.]+) ([0-9.]+)");
        Assert.Equal(accuracy.Groups[1].Value, accuracy.Groups[2].Value);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Notebook08PrintsAFallingLossEveryTenEpochs(Client client, string edition)
    {
        var losses = EpochLine().Matches(series.Get(client, edition, "08").Text)
                                .Select(m => (Epoch: int.Parse(m.Groups[1].Value), Loss: double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
                                .ToList();
        Assert.Equal([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99], losses.Select(l => l.Epoch));
        // The last batch's loss is noisy; compare the start with the best of the last three reports.
        Assert.True(losses.TakeLast(3).Min(l => l.Loss) < losses[0].Loss / 2, string.Join(", ", losses));
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Notebook08PrintsItsTenLinesBesideTheArticles(Client client, string edition)
    {
        string text = series.Get(client, edition, "08").Text;
        var printed = EpochLine().Matches(text).ToDictionary(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m => m.Groups[2].Value);
        string[] article = ["0.6439802646636963", "0.3364253044128418", "0.2660796046257019", "0.3763981759548187", "0.24415557086467743",
                            "0.1775331050157547", "0.03261692821979523", "0.04219042509794235", "0.020144721493124962", "0.02759580872952938"];
        var rows = Regex.Matches(text, @"^\s*(\d+)  ([0-9.e-]+)\s+([0-9.e-]+)\r?$", RegexOptions.Multiline);
        Assert.Equal(10, rows.Count);
        for (int k = 0; k < 10; k++)
        {
            Assert.Equal((10 * k).ToString(CultureInfo.InvariantCulture), rows[k].Groups[1].Value);
            Assert.Equal(article[k], rows[k].Groups[2].Value);
            Assert.Equal(printed[10 * k], rows[k].Groups[3].Value);
        }
        // Python's repr of a float32 loss: more than the six decimals of a fixed format.
        Assert.Matches(@"^0\.\d{7,}$", printed[0]);
        // "both start between 0.6 and 0.75 at epoch 0 and are below 0.03 by epoch 90"
        Assert.InRange(Number(printed[0]), 0.6, 0.75);
        Assert.InRange(Number(printed[90]), 0, 0.03);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Notebook08TrainsTheSameEpochWithAutogradAndByHand(Client client, string edition)
    {
        var match = WeightDifferenceLine().Match(series.Get(client, edition, "08").Text);
        Assert.True(match.Success, "08 prints no weight difference");
        Assert.InRange(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 0, 1e-6);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Notebook09ReachesTheArticlesAccuracyAfter100Epochs(Client client, string edition)
    {
        string text = series.Get(client, edition, "09").Text;
        var match = AccuracyLine().Match(text);
        Assert.True(match.Success, "09 prints no 'Accuracy: ' line");
        Assert.InRange(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 0.78, 0.85);
        Assert.Matches(Line(@"article: Accuracy: 0\.813"), text);
        Assert.Contains("agrees with the loop above: True", text);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Notebook10CountsTheParametersAsTheArticlePrintsThem(Client client, string edition)
    {
        string text = series.Get(client, edition, "10").Text;
        // print(sum(numlist), numlist), not a tuple; the article's own line is printed after it with its label.
        Assert.Matches(Line(@"1574402 \[1572864, 512, 1024, 2\]"), text);
        Assert.DoesNotContain("(1574402, [", text);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Notebook10BacksWhatItSaysAboutOverfittingShiftsAndScrambledPixels(Client client, string edition)
    {
        string text = series.Get(client, edition, "10").Text;
        double train = Number(Match(text, @"^Train accuracy: ([0-9.]+)").Groups[1].Value);
        double val = Number(Match(text, @"^Validation accuracy: ([0-9.]+)").Groups[1].Value);
        Assert.True(train > 0.97 && train - val >= 0.1, $"train {train}, validation {val}");
        // "Most of the input vector changes" for a 3-pixel shift.
        var changed = Match(text, @"^(\d+) / 3072 \(([0-9.]+)%\)");
        Assert.True(int.Parse(changed.Groups[1].Value, CultureInfo.InvariantCulture) > 3072 / 2, changed.Value);
        // "practically the same (within 0.02)"
        double original = Number(Match(text, @"^Original pixels, validation accuracy: ([0-9.]+)").Groups[1].Value);
        double permuted = Number(Match(text, @"^Permuted pixels, validation accuracy: ([0-9.]+)").Groups[1].Value);
        Assert.InRange(Math.Abs(original - permuted), 0, 0.02);
    }

    static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    static Regex Line(string pattern) => new($"^{pattern}\\r?$", RegexOptions.Multiline);

    static Match Match(string text, string pattern)
    {
        var match = Regex.Match(text, pattern, RegexOptions.Multiline);
        Assert.True(match.Success, $"no line matches {pattern}");
        return match;
    }

    /// <summary>Everything the executed notebook displayed as text/plain, concatenated (tables, progress lines).</summary>
    static string OutputsText(string executedPath)
    {
        var notebook = JsonNode.Parse(File.ReadAllText(executedPath))!;
        var parts = new List<string>();
        foreach (var cell in notebook["cells"]!.AsArray())
            foreach (var output in cell!["outputs"]?.AsArray() ?? [])
                foreach (var node in new[] { output?["data"]?["text/plain"], output?["data"]?["text/html"], output?["text"] })
                    if (node is not null)
                        parts.Add(node is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)node ?? "");
        return string.Concat(parts);
    }

    /// <summary>Everything the executed notebook displayed as text/html, concatenated.</summary>
    static string HtmlOutputs(string executedPath)
    {
        var notebook = JsonNode.Parse(File.ReadAllText(executedPath))!;
        var parts = new List<string>();
        foreach (var cell in notebook["cells"]!.AsArray())
            foreach (var output in cell!["outputs"]?.AsArray() ?? [])
                if (output?["data"]?["text/html"] is { } html)
                    parts.Add(html is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)html ?? "");
        return string.Concat(parts);
    }

    [GeneratedRegex(@"^batch size\s+(\d+):\s+\d+ steps per epoch, mean loss per epoch \[([^\]]+)\], loss ([0-9.]+) -> ([0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex RunLine();

    [GeneratedRegex("\"title\":\\{\"text\":\"((?:[^\"\\\\]|\\\\.)*)\"\\}")]
    private static partial Regex ChartTitle();

    [GeneratedRegex(@"^Largest difference between the two models' weights: ([0-9.E+-]+)", RegexOptions.Multiline)]
    private static partial Regex WeightDifferenceLine();

}

/// <summary>
/// The map from the article's outline to the notebooks: every section, by its number and verbatim heading, is
/// claimed by exactly one notebook's title cell or by complete-code.cs; things from the book are called the book's.
/// </summary>
[Trait("Category", "Unit")]
public class ArticleMapTests
{
    const string ArticleTitle = "pytorch深度学习实战:全连接神经网络图像识别";

    /// <summary>The article's outline, numbers and headings as ../shared/docs/article.md quotes them.</summary>
    public static readonly (string Number, string Heading)[] Outline =
    [
        ("1", "实践目标:区分图片中的鸟和飞机"), ("2", "加载数据"), ("2.1", "将PIL图像转换为张量"), ("2.2", "归一化"),
        ("2.3", "提取鸟和飞机的图像"), ("2.3.1", "mini-batch 优势"), ("2.3.1.1", "背景:训练循环的问题"),
        ("2.3.1.2", "三种训练方式的对比"), ("2.3.1.3", "小批量的优势"), ("2.3.1.4", "关键概念"), ("2.3.2", "如何实现mini-batch"),
        ("3", "搭建全连接模型"), ("3.1", "损失的选择"), ("3.1.1", "分类任务的核心目标"), ("3.1.2", "为什么MSE不适合分类?"),
        ("3.1.3", "负对数似然(NLL)损失:分类的专属损失"), ("3.1.4", "PyTorch中的实际用法(解决数值不稳定)"),
        ("3.1.5", "交叉熵损失:LogSoftmax+NLLLoss的组合"), ("3.1.6", "总结"), ("3.2", "训练模型"), ("3.3", "验证模型"),
        ("4", "全连接网络的局限性"), ("5", "本文完整代码"),
    ];

    static readonly string Notebooks = Path.Combine(RepoRoot.Find(), "notebooks", "en");

    static List<(string Name, JsonArray Cells)> ReadNotebooks() =>
        [.. Directory.GetFiles(Notebooks, "*.ipynb").Order(StringComparer.Ordinal)
                     .Select(f => (Path.GetFileName(f), JsonNode.Parse(File.ReadAllText(f))!["cells"]!.AsArray()))];

    static string Source(JsonNode cell) => string.Concat(cell["source"]!.AsArray().Select(l => (string?)l));

    [Fact]
    public void EverySectionOfTheOutlineIsClaimedByExactlyOneNotebookOrTheCompleteCode()
    {
        var claimants = ReadNotebooks().Select(n => (n.Name, Title: Source(n.Cells[0]!)))
            // complete-code.cs claims its section in its header comment; its later comments point back to the others.
            .Append(("complete-code.cs", string.Join("\n", File.ReadLines(Path.Combine(Notebooks, "complete-code.cs")).TakeWhile(l => l.StartsWith("//", StringComparison.Ordinal)))))
            // A notebook beyond the article (11) names the section it follows on from, but does not claim it.
            .Where(c => !c.Item2.Contains("**Beyond the article.**", StringComparison.Ordinal))
            .ToList();
        foreach (var (number, heading) in Outline)
        {
            var claims = claimants.Where(c => c.Item2.Contains($"§{number} {heading}", StringComparison.Ordinal)).Select(c => c.Item1).ToList();
            Assert.True(claims.Count == 1, $"§{number} {heading} is claimed by [{string.Join(", ", claims)}]");
        }
        Assert.Contains("complete-code.cs", claimants.Where(c => c.Item2.Contains("§5 本文完整代码")).Select(c => c.Item1));
    }

    [Fact]
    public void EveryNotebookTitleNamesTheArticleAndTranslatesEachHeading()
    {
        foreach (var (name, cells) in ReadNotebooks())
        {
            string title = Source(cells[0]!);
            Assert.True(title.Contains(ArticleTitle, StringComparison.Ordinal), $"{name}: the title cell does not name the article");
            // Each heading in the title is followed by its English translation in parentheses.
            var headings = Regex.Matches(title, @"\*\*§[\d.]+ [^*]+\*\* \(([^)]+)");
            Assert.True(headings.Count > 0, $"{name}: no § heading in the title cell");
            Assert.All(headings, h => Assert.Matches(@"^[A-Z][A-Za-z ,:()-]+", h.Groups[1].Value));
        }
        // The README's notebooks table names these sections: ReadmeTests checks it against the title cells.
    }

    [Fact]
    public void WhatComesFromTheBookIsCalledTheBooks()
    {
        // The article has no dir(transforms), no __mro__, no list of the ten class names and no imshow of a PIL image.
        foreach (var (name, cells) in ReadNotebooks())
            foreach (var cell in cells.Where(c => (string?)c!["cell_type"] == "markdown"))
            {
                string text = Source(cell!);
                foreach (var bookOnly in new[] { "__mro__", "`dir(", "plt.imshow(img)`", "the ten class names", "writes the class names" })
                    if (text.Contains(bookOnly, StringComparison.Ordinal))
                        Assert.True(text.Contains("the book", StringComparison.OrdinalIgnoreCase), $"{name}: '{bookOnly}' is not attributed to the book");
                Assert.DoesNotContain("The article prints `type(", text);
                Assert.DoesNotContain("numel_list", text);
            }
    }
}
