using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NotebookRunner;

namespace CifarHelpers.Tests;

[Trait("Category", "Notebook")]
[Collection("notebooks")]
public partial class NotebookTests(NotebookSeries series)
{
    static List<string> NotebookNames() =>
        [.. Directory.GetFiles(Path.Combine(RepoRoot.Find(), "notebooks"), "*.ipynb").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<Client, string> NotebooksByClient()
    {
        var data = new TheoryData<Client, string>();
        foreach (var name in NotebookNames())
            foreach (var client in new[] { Client.Repl, Client.Jupyter })
                data.Add(client, name);
        return data;
    }

    [Theory]
    [MemberData(nameof(NotebooksByClient))]
    public void EachNotebookRunsTopToBottomWithoutErrors(Client client, string name)
    {
        var result = series.Results[client].Single(r => r.Name == name);
        Assert.True(result.Passed, $"{name} ({client}): {string.Join("; ", result.Errors)}");
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

    [Theory]
    [InlineData(Client.Repl)]
    [InlineData(Client.Jupyter)]
    public void Notebook03PrintsTheArticlesMeanAndStd(Client client)
    {
        // The notebook first shows the computation on a slice of 1,000 images; the last figures are the 50,000.
        string text = series.Get(client, "03").Text;
        AssertClose([0.4914, 0.4822, 0.4465], Values(MeanLine().Matches(text).LastOrDefault()));
        AssertClose([0.2470, 0.2435, 0.2616], Values(StdLine().Matches(text).LastOrDefault()));
    }

    [Theory]
    [InlineData(Client.Repl)]
    [InlineData(Client.Jupyter)]
    public void Notebook04PrintsTheSubsetSizes(Client client) =>
        Assert.Contains("Training images: 10000, validation images: 2000", series.Get(client, "04").Text);

    [Theory]
    [InlineData(Client.Repl)]
    [InlineData(Client.Jupyter)]
    public void Notebook08PrintsAFallingLossEveryTenEpochs(Client client)
    {
        var losses = EpochLine().Matches(series.Get(client, "08").Text)
                                .Select(m => (Epoch: int.Parse(m.Groups[1].Value), Loss: double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
                                .ToList();
        Assert.Equal([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99], losses.Select(l => l.Epoch));
        // The last batch's loss is noisy; compare the start with the best of the last three reports.
        Assert.True(losses.TakeLast(3).Min(l => l.Loss) < losses[0].Loss / 2, string.Join(", ", losses));
    }

    [Theory]
    [InlineData(Client.Repl)]
    [InlineData(Client.Jupyter)]
    public void Notebook08TrainsTheSameEpochWithAutogradAndByHand(Client client)
    {
        var match = WeightDifferenceLine().Match(series.Get(client, "08").Text);
        Assert.True(match.Success, "08 prints no weight difference");
        Assert.InRange(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 0, 1e-6);
    }

    [Theory]
    [InlineData(Client.Repl)]
    [InlineData(Client.Jupyter)]
    public void Notebook09ReachesTheArticlesAccuracyAfter100Epochs(Client client)
    {
        var match = AccuracyLine().Match(series.Get(client, "09").Text);
        Assert.True(match.Success, "09 prints no 'Accuracy: ' line");
        Assert.InRange(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 0.78, 0.85);
    }

    [Theory]
    [InlineData(Client.Repl)]
    [InlineData(Client.Jupyter)]
    public void Notebook10CountsTheParameters(Client client) =>
        Assert.Contains("(1574402, [1572864, 512, 1024, 2])", series.Get(client, "10").Text);

    static double[] Values(Match? match)
    {
        Assert.True(match is { Success: true }, "the line is missing");
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

    [GeneratedRegex(@"^Largest difference between the two models' weights: ([0-9.E+-]+)", RegexOptions.Multiline)]
    private static partial Regex WeightDifferenceLine();

    [GeneratedRegex(@"^Accuracy: ([0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex AccuracyLine();
}
