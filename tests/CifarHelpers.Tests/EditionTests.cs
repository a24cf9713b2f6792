using System.Text.Json.Nodes;
using NotebookRunner;
using Tools.Shared;

namespace CifarHelpers.Tests;

/// <summary>
/// The Chinese edition, <c>notebooks/zh-CN/</c>, against the English one, <c>notebooks/en/</c>, read as files: the same
/// notebooks, byte-identical code cells, markdown that is Chinese, and title cells that link each other.
/// </summary>
[Trait("Category", "Unit")]
public class EditionTests
{
    const string Edition = "zh-CN";
    const double MinimumCjkShare = 0.60;

    static string NotebooksFolder => Path.Combine(RepoRoot.Find(), "notebooks", "en");

    static string ChineseFolder => Path.Combine(RepoRoot.Find(), "notebooks", Edition);

    static string[] NotebookNames(string folder) =>
        Directory.GetFiles(folder, "*.ipynb").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();

    static JsonArray Cells(string path) => JsonNode.Parse(File.ReadAllText(path))!["cells"]!.AsArray();

    static string Source(JsonNode cell) => cell["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        JsonNode text => (string?)text ?? "",
        null => "",
    };

    static IEnumerable<string> Markdown(JsonArray cells) =>
        cells.Where(c => (string?)c!["cell_type"] == "markdown").Select(c => Source(c!));

    /// <summary>The share of the letters in <paramref name="text"/> that are CJK ideographs (0 when it has no letters).</summary>
    internal static double CjkShare(string text)
    {
        int letters = 0, cjk = 0;
        foreach (char c in text)
        {
            if (!char.IsLetter(c)) continue;
            letters++;
            if (c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF') cjk++;
        }
        return letters == 0 ? 0 : (double)cjk / letters;
    }

    [Fact]
    public void EveryEnglishNotebookHasAChineseTwinAndViceVersa()
    {
        var english = NotebookNames(NotebooksFolder);
        var chinese = NotebookNames(ChineseFolder);
        Assert.NotEmpty(english);
        Assert.True(!english.Except(chinese).Any(),
            $"notebooks/{Edition}/ lacks {string.Join(", ", english.Except(chinese))}: write the Chinese twin of each.");
        Assert.True(!chinese.Except(english).Any(),
            $"notebooks/{Edition}/ has {string.Join(", ", chinese.Except(english))} with no English notebook of that name.");
    }

    [Fact]
    public void TheCodeCellsAreByteIdentical()
    {
        foreach (var name in NotebookNames(ChineseFolder))
        {
            var english = JsonNode.Parse(File.ReadAllText(Path.Combine(NotebooksFolder, name)))!;
            var chinese = JsonNode.Parse(File.ReadAllText(Path.Combine(ChineseFolder, name)))!;
            Assert.True(JsonNode.DeepEquals(english["metadata"], chinese["metadata"]),
                $"{Edition}/{name}: its notebook metadata differs from the English notebook's.");
            var en = english["cells"]!.AsArray();
            var zh = chinese["cells"]!.AsArray();
            Assert.True(en.Select(c => (string?)c!["cell_type"]).SequenceEqual(zh.Select(c => (string?)c!["cell_type"])),
                $"{Edition}/{name}: its cells are not the English notebook's cells in the same order " +
                $"({string.Join("", en.Select(c => ((string?)c!["cell_type"])![0]))} against {string.Join("", zh.Select(c => ((string?)c!["cell_type"])![0]))}).");
            for (int i = 0; i < en.Count; i++)
            {
                if ((string?)en[i]!["cell_type"] != "code") continue;
                string expected = Source(en[i]!);
                string actual = Source(zh[i]!);
                Assert.True(expected == actual,
                    $"{Edition}/{name}, cell {i}: the code differs from the English notebook's. " +
                    $"Copy it over from notebooks/en/{name}.\nexpected:\n{expected}\nactual:\n{actual}");
                Assert.True(JsonNode.DeepEquals(en[i]!["metadata"], zh[i]!["metadata"]), $"{Edition}/{name}, cell {i}: its metadata differs.");
            }
        }
    }

    [Fact]
    public void TheChineseMarkdownIsMostlyCjk()
    {
        foreach (var name in NotebookNames(ChineseFolder))
        {
            double share = CjkShare(string.Join("\n", Markdown(Cells(Path.Combine(ChineseFolder, name)))));
            Assert.True(share >= MinimumCjkShare,
                $"{Edition}/{name}: only {share:P1} of its markdown's letters are CJK (at least {MinimumCjkShare:P0} wanted).");
        }
    }

    [Fact]
    public void TheTitleCellsLinkEachOther()
    {
        foreach (var name in NotebookNames(ChineseFolder))
        {
            string englishTitle = Markdown(Cells(Path.Combine(NotebooksFolder, name))).First();
            string chineseTitle = Markdown(Cells(Path.Combine(ChineseFolder, name))).First();
            Assert.True(englishTitle.StartsWith("# ", StringComparison.Ordinal) && chineseTitle.StartsWith("# ", StringComparison.Ordinal),
                $"{name}: the first cell of each edition must be its title (# ...).");
            Assert.Contains($"[中文版](../{Edition}/{name})", englishTitle);
            Assert.Contains($"[English version](../en/{name})", chineseTitle);
        }
    }

    [Fact]
    public void TheMeasuresCountWhatTheySay()
    {
        Assert.Equal(0.5, CjkShare("ab 中文 `12`"));
        Assert.Equal(0, CjkShare("123 ..."));
        Assert.Equal(1, CjkShare("张量、小批量。"));
    }
}
