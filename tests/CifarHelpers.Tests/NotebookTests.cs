using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NotebookRunner;

namespace CifarHelpers.Tests;

[Collection("notebooks")]
public partial class NotebookTests(NotebookSeries series)
{
    static List<string> NotebookNames() =>
        [.. Directory.GetFiles(Path.Combine(RepoRoot.Find(), "notebooks"), "*.ipynb").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> Notebooks() => [.. NotebookNames()];

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void EachNotebookRunsTopToBottomWithoutErrors(string name)
    {
        var result = series.Results.Single(r => r.Name == name);
        Assert.True(result.Passed, $"{name}: {string.Join("; ", result.Errors)}");
        Assert.True(File.Exists(result.ExecutedPath));
        Assert.StartsWith(series.Output, result.ExecutedPath);
    }

    [Fact]
    public void TheSeriesHasTenNotebooksCommittedWithoutOutputs()
    {
        var names = NotebookNames();
        Assert.Equal(10, names.Count);
        foreach (var name in names)
        {
            string source = File.ReadAllText(Path.Combine(series.Repo, "notebooks", name));
            Assert.DoesNotContain("\"output_type\"", source);
            Assert.Contains("\".net-csharp\"", source);
        }
    }

    [Fact]
    public void Notebook03PrintsTheArticlesMeanAndStd()
    {
        string text = series["03"].Text;
        AssertClose([0.4914, 0.4822, 0.4465], Values(MeanLine().Match(text)));
        AssertClose([0.2470, 0.2435, 0.2616], Values(StdLine().Match(text)));
    }

    [Fact]
    public void Notebook04PrintsTheSubsetSizes() =>
        Assert.Contains("Training images: 10000, validation images: 2000", series["04"].Text);

    [Fact]
    public void Notebook08PrintsAFallingLossEveryTenEpochs()
    {
        var losses = EpochLine().Matches(series["08"].Text)
                                .Select(m => (Epoch: int.Parse(m.Groups[1].Value), Loss: double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
                                .ToList();
        Assert.Equal([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99], losses.Select(l => l.Epoch));
        // The last batch's loss is noisy; compare the start with the best of the last three reports.
        Assert.True(losses.TakeLast(3).Min(l => l.Loss) < losses[0].Loss / 2, string.Join(", ", losses));
    }

    [Fact]
    public void Notebook09ReachesTheArticlesAccuracyAfter100Epochs()
    {
        var match = AccuracyLine().Match(series["09"].Text);
        Assert.True(match.Success, "09 prints no 'Accuracy: ' line");
        Assert.InRange(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 0.78, 0.85);
    }

    [Fact]
    public void Notebook10CountsTheParameters() =>
        Assert.Contains("(1574402, [1572864, 512, 1024, 2])", series["10"].Text);

    static double[] Values(Match match)
    {
        Assert.True(match.Success, "the line is missing");
        return match.Groups[1].Value.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.InRange(actual[i], expected[i] - 1e-4, expected[i] + 1e-4);
    }

    [GeneratedRegex(@"^mean tensor\(\[([^\]]+)\]\)", RegexOptions.Multiline)]
    private static partial Regex MeanLine();

    [GeneratedRegex(@"^std  tensor\(\[([^\]]+)\]\)", RegexOptions.Multiline)]
    private static partial Regex StdLine();

    [GeneratedRegex(@"^Epoch: (\d+), Loss: ([0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex EpochLine();

    [GeneratedRegex(@"^Accuracy: ([0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex AccuracyLine();
}
