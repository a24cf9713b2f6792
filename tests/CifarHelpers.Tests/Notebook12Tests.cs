using System.Globalization;
using System.Text.RegularExpressions;
using NotebookRunner;

namespace CifarHelpers.Tests;

/// <summary>
/// Notebook 12, read from the executed copies: the exercises, run as given, print "not yet" for every exercise; the
/// solutions print "solved" for every one, and the numbers behind each sentence of "What the experiments showed".
/// </summary>
[Trait("Category", "Notebook")]
[Collection("notebooks")]
public class Notebook12Tests(NotebookSeries series)
{
    static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    static Match Line(string text, string pattern)
    {
        var match = Regex.Match(text, pattern, RegexOptions.Multiline);
        Assert.True(match.Success, $"no line matches {pattern}");
        return match;
    }

    /// <summary>The verdict lines of exercise 1 to 6, English or Chinese: "solved" or "not yet" for each.</summary>
    static Dictionary<int, bool> Verdicts(string text)
    {
        var lines = Regex.Matches(text, @"^(?:Exercise (\d): (solved|not yet) — |练习(\d)：(已完成|还没有)——)\S.*$", RegexOptions.Multiline);
        var verdicts = new Dictionary<int, bool>();
        foreach (Match m in lines)
        {
            int n = int.Parse(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[3].Value, CultureInfo.InvariantCulture);
            Assert.False(verdicts.ContainsKey(n), $"exercise {n} printed more than one verdict");
            verdicts[n] = m.Groups[2].Value == "solved" || m.Groups[4].Value == "已完成";
        }
        Assert.Equal([1, 2, 3, 4, 5, 6], verdicts.Keys.Order());
        return verdicts;
    }

    [Theory]
    [MemberData(nameof(NotebookTests.Runs), MemberType = typeof(NotebookTests))]
    public void TheExercisesAsGivenAreAllNotYetAndTheNotebookRuns(Client client, string edition)
    {
        var result = series.Get(client, edition, "12-exercises.");
        Assert.True(result.Passed, string.Join("; ", result.Errors));
        var verdicts = Verdicts(result.Text);
        Assert.All(verdicts, v => Assert.False(v.Value, $"exercise {v.Key} says solved before it is written"));
        if (edition == Editions.Chinese) Assert.Matches(@"(?m)^练习1：还没有——", result.Text);
        // The experiments wait for their exercise: nothing trains.
        Assert.DoesNotMatch(@"(?m)^with random crops:|^NLL: mean loss|^hidden\s+\d+:", result.Text);
    }

    [Theory]
    [MemberData(nameof(NotebookTests.Runs), MemberType = typeof(NotebookTests))]
    public void TheSolutionsSolveEveryExerciseAndBackWhatTheySay(Client client, string edition)
    {
        var result = series.Get(client, edition, "12-exercises-solutions");
        Assert.True(result.Passed, string.Join("; ", result.Errors));
        string text = result.Text;
        var verdicts = Verdicts(text);
        Assert.All(verdicts, v => Assert.True(v.Value, $"exercise {v.Key} is not solved in the solutions"));

        // Exercise 2: the naive formula gives -inf where the reader's stays finite.
        Assert.Matches(@"(?m)^log\(softmax\(x\)\): \[\[0, -Infinity, -Infinity\]\]", text);
        Assert.Matches(@"(?m)^MyLogSoftmax\(x\): \[\[0, -1000, -2000\]\]", text);

        // "the run with crops ends with a smaller gap ... (the last line of that cell prints the change; below 0)"
        double without = Number(Line(text, @"^without crops\s*: train [0-9.]+, validation [0-9.]+, gap (-?[0-9.]+)\r?$").Groups[1].Value);
        double with = Number(Line(text, @"^with random crops: train [0-9.]+, validation [0-9.]+, gap (-?[0-9.]+)\r?$").Groups[1].Value);
        double change = Number(Line(text, @"^Random crops changed the train-validation gap by (-?[0-9.]+)\r?$").Groups[1].Value);
        Assert.True(with < without, $"the gap with crops {with} is not below the gap without {without}");
        Assert.True(change < 0, $"the change {change} is not below 0");
        Assert.InRange(change, with - without - 0.0002, with - without + 0.0002);

        // "both mean losses fall (each ratio printed is below 1), and the validation accuracies end within 0.03"
        var nll = Line(text, @"^NLL: mean loss ([0-9.]+) -> ([0-9.]+) \(([0-9.]+) of the first epoch's\), validation accuracy ([0-9.]+)\r?$");
        var mse = Line(text, @"^MSE: mean loss ([0-9.]+) -> ([0-9.]+) \(([0-9.]+) of the first epoch's\), validation accuracy ([0-9.]+)\r?$");
        foreach (var m in new[] { nll, mse })
        {
            Assert.True(Number(m.Groups[2].Value) < Number(m.Groups[1].Value), m.Value);
            Assert.True(Number(m.Groups[3].Value) < 1, m.Value);
        }
        double difference = Number(Line(text, @"^NLL minus MSE validation accuracy: (-?[0-9.]+)\r?$").Groups[1].Value);
        Assert.True(Math.Abs(difference) < 0.03, $"NLL minus MSE validation accuracy: {difference}");
        Assert.InRange(difference, Number(nll.Groups[4].Value) - Number(mse.Groups[4].Value) - 0.0002, Number(nll.Groups[4].Value) - Number(mse.Groups[4].Value) + 0.0002);

        // "the 2-unit net's gap is smaller than the 512-unit net's, yet every size still has a gap above 0, and the line
        // names the largest size with a gap of at most 0.04"
        var rows = Regex.Matches(text, @"^hidden\s+(\d+): train ([0-9.]+), validation ([0-9.]+), gap (-?[0-9.]+)\r?$", RegexOptions.Multiline)
            .ToDictionary(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m => Number(m.Groups[4].Value));
        Assert.Equal([2, 8, 32, 128, 512], rows.Keys.Order());
        Assert.True(rows[2] < rows[512], $"the 2-unit gap {rows[2]} is not below the 512-unit gap {rows[512]}");
        Assert.All(rows, r => Assert.True(r.Value > 0, $"hidden {r.Key}: gap {r.Value}"));
        int largest = int.Parse(Line(text, @"^Largest hidden size with a gap of at most 0\.04: (\d+)\r?$").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(rows.Where(r => r.Value <= 0.04).Select(r => r.Key).DefaultIfEmpty(0).Max(), largest);
    }
}
