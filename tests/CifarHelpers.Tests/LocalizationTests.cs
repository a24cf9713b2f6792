using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CifarHelpers.Notebook;
using NotebookRunner;
using Tools.Shared;

namespace CifarHelpers.Tests;

/// <summary>
/// The Chinese edition's words: every string the notebooks pass to a chart or a progress line, and every header the
/// library writes, has an entry; the language comes from the folder, TUTORIAL_LANG or Tutorial.Setup; figures stay.
/// Runs alone (it sets the process-wide language), after the parallel tests.
/// </summary>
[Trait("Category", "Unit")]
[Collection("language")]
public partial class LocalizationTests
{
    static readonly string Repo = RepoRoot.Find();

    /// <summary>The string literals a call passes, interpolation holes filled with 1; from every notebook's code cells.</summary>
    static List<(string Notebook, string Text)> LiteralsPassedTo(Regex call)
    {
        var found = new List<(string, string)>();
        foreach (var file in Directory.GetFiles(Path.Combine(Repo, "notebooks", "en"), "*.ipynb").Order(StringComparer.Ordinal))
            foreach (var cell in JsonNode.Parse(File.ReadAllText(file))!["cells"]!.AsArray())
            {
                if ((string?)cell!["cell_type"] != "code") continue;
                string source = string.Concat(cell["source"]!.AsArray().Select(l => (string?)l));
                foreach (Match start in call.Matches(source))
                    foreach (Match literal in StringLiteral().Matches(Arguments(source, start.Index + start.Length)))
                        found.Add((Path.GetFileName(file), Hole().Replace(literal.Groups[1].Value.Replace("\\\\", "\\", StringComparison.Ordinal), "1")));
            }
        return found;
    }

    /// <summary>The text from <paramref name="open"/> (just after a call's opening parenthesis) to its closing one.</summary>
    static string Arguments(string source, int open)
    {
        int depth = 1, i = open;
        bool inString = false;
        for (; i < source.Length && depth > 0; i++)
        {
            char c = source[i];
            if (inString) { if (c == '\\') i++; else if (c == '"') inString = false; }
            else if (c == '"') inString = true;
            else if (c == '(') depth++;
            else if (c == ')') depth--;
        }
        return source[open..i];
    }

    [Fact]
    public void EveryChartLabelTheNotebooksPassHasAChineseEntry()
    {
        var labels = LiteralsPassedTo(ChartCall());
        // Titles, axis titles and series names of the four charts (05, 07 twice, 08).
        Assert.True(labels.Count >= 15, $"only {labels.Count} chart strings found: {string.Join(" | ", labels)}");
        Assert.Contains(labels, l => l.Text == "Training loss per epoch");
        var missing = labels.Where(l => !Localization.Knows(l.Text)).ToList();
        Assert.True(missing.Count == 0, "no Chinese for: " + string.Join(" | ", missing.Select(m => $"{m.Notebook}: {m.Text}")));
        // The titles are words, so their Chinese has Chinese in it.
        foreach (var title in new[] { "Mean training loss per epoch", "Training loss per epoch", "p (probability of the true class)" })
            Assert.Matches(Cjk(), Localization.ToChinese(title)!);
    }

    [Fact]
    public void EveryProgressLineTheNotebooksShowHasAChineseEntry()
    {
        var lines = LiteralsPassedTo(ProgressCall());
        Assert.True(lines.Count >= 8, $"only {lines.Count} progress strings found: {string.Join(" | ", lines)}");
        // What LoadOrTrain hands to progress.Update(source).
        var sources = new[] { "Loaded ../data/models/birds-airplanes-fc.bin: 100 epochs, seed 42, validation accuracy 0.8175",
                              "Loaded ../data/models/birds-airplanes-fc.bin: 100 epochs, seed 42", "Trained here for 100 epochs, seed 42" };
        foreach (var (notebook, text) in lines.Concat(sources.Select(s => ("ArticleRecipe", s))))
        {
            string? chinese = Localization.ToChinese(text);
            Assert.True(chinese is not null, $"{notebook}: no Chinese for the progress line '{text}'");
            Assert.Matches(Cjk(), chinese);
        }
        // The numbers are kept as they are.
        Assert.Equal("第 7/100 轮:损失 0.123456,平均损失 0.234567,12.5 秒",
                     Localization.ToChinese("Epoch 7/100: loss 0.123456, mean loss 0.234567, 12.5 s"));
    }

    [Fact]
    public void EveryWordTheLibraryLocalisesHasAChineseEntry()
    {
        var words = Directory.GetFiles(Path.Combine(Repo, "lib", "CifarHelpers", "Notebook"), "*.cs")
            .SelectMany(f => LibraryWord().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value.Replace("\\\\", "\\", StringComparison.Ordinal)))
            .ToList();
        Assert.Contains("true \\ predicted", words);
        Assert.Contains("Picture", words);
        Assert.All(words, w => Assert.Matches(Cjk(), Localization.ToChinese(w) ?? $"no Chinese for '{w}'"));
    }

    [Fact]
    public void PrintedFiguresAreNeverTranslated()
    {
        foreach (var line in new[] { "Epoch: 0, Loss: 0.6439802646636963", "Accuracy: 0.8175", "1574402 [1572864, 512, 1024, 2]" })
            Assert.Null(Localization.ToChinese(line));
    }

    [Fact]
    public void TheLanguageComesFromTheVariableThenTheFolder()
    {
        string zh = Path.Combine(Path.GetTempPath(), "notebooks", "zh-CN");
        Assert.Equal("zh-CN", Localization.Detect(null, zh));
        Assert.Equal("zh-CN", Localization.Detect(null, zh + Path.DirectorySeparatorChar));
        Assert.Equal("en", Localization.Detect(null, Path.Combine(Path.GetTempPath(), "notebooks")));
        Assert.Equal("en", Localization.Detect("en", zh));
        Assert.Equal("zh-CN", Localization.Detect("zh-cn", Path.GetTempPath()));
        // A value it does not know is ignored: the folder decides.
        Assert.Equal("zh-CN", Localization.Detect("fr", zh));
    }

    [Fact]
    public void InChineseAChartATableAndTheProgressLineShowChineseAndTheFiguresStay()
    {
        try
        {
            var e = Assert.Throws<ArgumentException>(() => Localization.Language = "fr");
            Assert.Contains("zh-CN", e.Message);

            Localization.Language = "zh-CN";
            var chart = Charts.Lines("Training loss per epoch", "epoch", "NLL loss", ("last batch", [0.0, 1.0], [0.7, 0.5]));
            string html = Charts.ToHtml(chart).Content;
            Assert.Contains("每轮的训练损失", html);
            Assert.Contains("最后一个小批量", html);
            Assert.DoesNotContain("Training loss per epoch", html);

            var history = new CifarHelpers.Training.TrainingHistory();
            history.Add(new CifarHelpers.Training.EpochResult(1, 0.5, 0.6, TimeSpan.FromSeconds(1)));
            string table = NotebookApp.Text(Tables.History(history));
            Assert.StartsWith("轮次 (epoch)", table);
            Assert.Contains("平均损失", table);

            var output = new StringWriter();
            var console = Console.Out;
            Console.SetOut(output);
            try
            {
                LiveProgress.Start("Epoch 0/2").Update("Epoch 1/2: loss 0.500000, mean loss 0.600000, 1.0 s");
            }
            finally
            {
                Console.SetOut(console);
            }
            Assert.Equal(["第 0/2 轮", "第 1/2 轮:损失 0.500000,平均损失 0.600000,1.0 秒"], output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));

            Localization.Language = "en";
            Assert.Contains("\"Training loss per epoch\"", Charts.ToHtml(Charts.Lines("Training loss per epoch", "epoch", "NLL loss", ("last batch", [0.0], [0.7]))).Content);
        }
        finally
        {
            Localization.Language = null;
        }
    }

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Cjk();

    [GeneratedRegex(@"\bCharts\.Lines\(")]
    private static partial Regex ChartCall();

    [GeneratedRegex(@"(?:\bLiveProgress\.Start|\b\w*[pP]rogress\.Update)\(")]
    private static partial Regex ProgressCall();

    [GeneratedRegex(@"\$?""((?:[^""\\]|\\.)*)""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex Hole();

    [GeneratedRegex(@"Localization\.Text\(""((?:[^""\\]|\\.)*)""\)")]
    private static partial Regex LibraryWord();
}

/// <summary>Tests that set the process-wide language run alone, so no other test sees Chinese.</summary>
[CollectionDefinition("language", DisableParallelization = true)]
public sealed class LanguageCollection;

