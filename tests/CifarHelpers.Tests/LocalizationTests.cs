using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CifarHelpers.Notebook;
using CifarHelpers.Text;
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

    /// <summary>The string literals a call passes, interpolated ones as their composite format; from every notebook's code cells.</summary>
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
                        found.Add((Path.GetFileName(file), CompositeFormat(literal.Groups[1].Value.Replace("\\\\", "\\", StringComparison.Ordinal))));
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

    /// <summary>What a notebook passes as an interpolated string, as the composite format the library looks up.</summary>
    internal static string CompositeFormat(string interpolated)
    {
        int n = 0;
        return Hole().Replace(interpolated, m => "{" + (n++).ToString(System.Globalization.CultureInfo.InvariantCulture) + m.Groups[1].Value + "}");
    }

    // Chart labels that are formulas or symbols: the same in both languages.
    static readonly HashSet<string> Formulas = ["|dL/dz0|", "MSE(softmax(z), one-hot)", "NLL(log_softmax(z))", "NLL = -log p", "NLL", "MSE", "-log p"];

    [Fact]
    public void EveryChartLabelAndProgressLineTheNotebooksPassHasAChineseEntry()
    {
        var labels = LiteralsPassedTo(ChartCall());
        Assert.Contains(labels, l => l.Text == "Training loss per epoch");
        var lines = LiteralsPassedTo(ProgressCall());
        Assert.Contains(lines, l => l.Text == "{0}/{1} epochs: loss {2:F6}");
        var missing = labels.Concat(lines).Where(l => !Localization.Knows(l.Text) && !Formulas.Contains(l.Text)).ToList();
        Assert.True(missing.Count == 0, "no Chinese for: " + string.Join(" | ", missing.Select(m => $"{m.Notebook}: {m.Text}")));
    }

    [Fact]
    public void EveryTextTheLibraryLocalisesHasAChineseEntry()
    {
        var texts = Directory.GetFiles(Path.Combine(Repo, "lib", "CifarHelpers"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => LibraryText().Matches(File.ReadAllText(f))
                .Select(m => m.Groups[1].Value.StartsWith('$') ? CompositeFormat(m.Groups[2].Value) : m.Groups[2].Value)
                .Select(t => (File: Path.GetFileName(f), Text: t.Replace("\\\\", "\\", StringComparison.Ordinal))))
            .ToList();
        Assert.Contains(texts, t => t.Text == "Picture");
        Assert.Contains(texts, t => t.Text == "it was trained for {0} epochs, not {1}");
        var missing = texts.Where(t => !Localization.Knows(t.Text)).ToList();
        Assert.True(missing.Count == 0, "no Chinese for: " + string.Join(" | ", missing.Select(m => $"{m.File}: {m.Text}")));
    }

    [Fact]
    public void EveryChineseEntryHasTheSameHolesAsItsEnglish()
    {
        foreach (var (english, chinese) in Localization.All)
        {
            Assert.Equal(Holes().Matches(english).Select(m => m.Value).Order(), Holes().Matches(chinese).Select(m => m.Value).Order());
            if (english.Any(char.IsAsciiLetter) && !Formulas.Contains(english)) Assert.Matches(Cjk(), chinese);
        }
    }

    [Fact]
    public void TheLanguageComesFromTheVariableThenTheFolder()
    {
        string zh = Path.Combine(Path.GetTempPath(), "notebooks", "zh-CN");
        Assert.Equal("zh-CN", Localization.Detect(null, zh));
        Assert.Equal("zh-CN", Localization.Detect(null, zh + Path.DirectorySeparatorChar));
        Assert.Equal("en", Localization.Detect(null, Path.Combine(Path.GetTempPath(), "notebooks", "en")));
        Assert.Equal("en", Localization.Detect("en", zh));
        Assert.Equal("zh-CN", Localization.Detect("zh-cn", Path.GetTempPath()));
        // A value it does not know is ignored: the folder decides.
        Assert.Equal("zh-CN", Localization.Detect("fr", zh));
        var e = Assert.Throws<ArgumentException>(() => Localization.Use("fr"));
        Assert.Contains("zh-CN", e.Message);
    }

    [Fact]
    public void InChineseAChartATableAndTheProgressLineShowChineseAndTheFiguresStayInvariant()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        var console = Console.Out;
        try
        {
            // A reader whose machine writes decimal commas: the figures still print with a point.
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Localization.Use("zh-CN");
            var chart = Charts.Lines("Training loss per epoch", "epoch", "NLL loss", ("last batch", [0.0, 1.0], [0.7, 0.5]));
            string html = Charts.ToHtml(chart).Content;
            Assert.Contains("每轮的训练损失", html);
            Assert.Contains("最后一个小批量", html);
            Assert.DoesNotContain("Training loss per epoch", html);

            var history = new CifarHelpers.Training.TrainingHistory();
            history.Add(new CifarHelpers.Training.EpochResult(0, 0.5, 0.6, TimeSpan.FromSeconds(1)));
            string table = TextTable.Render(Tables.History(history));
            Assert.StartsWith("轮", table);
            Assert.Contains("平均损失", table);
            Assert.Contains("0.6", table);

            var output = new StringWriter();
            Console.SetOut(output);
            int total = 2;
            double loss = 0.5, mean = 0.6, seconds = 1.04;
            LiveProgress.Start($"0/{total} epochs").Update($"{1}/{total} epochs: loss {loss:F6}, mean loss {mean:F6}, {seconds:F1} s");
            Console.SetOut(console);
            Assert.Equal(["0/2轮", "1/2轮：损失0.500000，平均损失0.600000，1.0秒"],
                         output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));

            Localization.Use("en");
            Assert.Equal("1/2 epochs: loss 0.500000", Localization.Format($"{1}/{total} epochs: loss {loss:F6}"));
            Assert.Contains("\"Training loss per epoch\"", Charts.ToHtml(Charts.Lines("Training loss per epoch", "epoch", "NLL loss", ("last batch", [0.0], [0.7]))).Content);
        }
        finally
        {
            Console.SetOut(console);
            System.Globalization.CultureInfo.CurrentCulture = culture;
            Localization.Use("en");
        }
    }

    [Fact]
    public void AnInterpolatedStringKeepsItsFormatAndEscapesBraces()
    {
        int a = 3;
        double b = 0.25;
        LocalizedText text = $"{{x}} {a} and {b:F3} {a,4}";
        Assert.Equal("{{x}} {0} and {1:F3} {2,4}", text.Format);
        Assert.Equal("{x} 3 and 0.250    3", text.ToString());
    }

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Cjk();

    [GeneratedRegex(@"\bCharts\.Lines\(")]
    private static partial Regex ChartCall();

    [GeneratedRegex(@"(?:\bLiveProgress\.Start|\b\w*[pP]rogress\.Update)\(")]
    private static partial Regex ProgressCall();

    [GeneratedRegex(@"\$?""((?:[^""\\]|\\.)*)""")]
    private static partial Regex StringLiteral();

    // A hole of an interpolated string: its expression, then what to keep (an alignment and a format).
    [GeneratedRegex(@"\{[^{}:,]*((?:,-?\d+)?(?::[^{}]*)?)\}")]
    private static partial Regex Hole();

    [GeneratedRegex(@"\{\d+(?:,-?\d+)?(?::[^{}]*)?\}")]
    private static partial Regex Holes();

    [GeneratedRegex(@"Localization\.(?:Text|Format)\((\$?)""((?:[^""\\]|\\.)*)""\)")]
    private static partial Regex LibraryText();
}

/// <summary>Tests that set the process-wide language run alone, so no other test sees Chinese.</summary>
[CollectionDefinition("language", DisableParallelization = true)]
public sealed class LanguageCollection;

