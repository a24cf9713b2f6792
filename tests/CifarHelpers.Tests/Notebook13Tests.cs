using System.Globalization;
using System.Text.RegularExpressions;
using NotebookRunner;

namespace CifarHelpers.Tests;

/// <summary>
/// Notebook 13's figures, read from the executed copy: the classifier gives what the steps by hand give, enlarged
/// files keep the predictions of their originals, and the fully connected net is about as sure of pictures of other
/// classes as of airplanes and birds.
/// </summary>
[Trait("Category", "Notebook")]
[Collection("notebooks")]
public partial class Notebook13Tests(NotebookSeries series)
{
    static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(NotebookTests.Runs), MemberType = typeof(NotebookTests))]
    public void TheModelsKeepTheirPredictionsOnEnlargedFilesAndAreSureOfWhatTheyNeverSaw(Client client, string edition)
    {
        string text = series.Get(client, edition, "13").Text;

        // The checkpoint's statistics, as notebook 08 recorded them (the article's, to four decimals).
        var mean = Regex.Match(text, @"^mean: \[([0-9.]+), ([0-9.]+), ([0-9.]+)\]\r?$", RegexOptions.Multiline);
        Assert.True(mean.Success, "no mean line");
        Assert.Equal(0.4914, Number(mean.Groups[1].Value), 3);

        // The steps by hand and Classifier print the same line for the picture.
        var lines = Regex.Matches(text, @"^my-picture\.jpg: (airplane \d\.\d{4}, bird \d\.\d{4} -> \w+)\r?$", RegexOptions.Multiline);
        Assert.Equal(2, lines.Count);
        Assert.Equal(lines[0].Groups[1].Value, lines[1].Groups[1].Value);
        // Notebook 11 ran before: its CNN is there and classifies the picture too.
        Assert.Matches(@"(?m)^CNN, \d+ epochs, validation accuracy [0-9.]+: airplane \d\.\d{4}, bird \d\.\d{4} -> \w+\r?$", text);

        // "at least 95 % of the 200 images, in both formats", for each model; the JPEG moves the values more.
        var differences = Regex.Matches(text, @"^(PNG|JPEG), 224 x 224, read back at 32 x 32: mean difference ([0-9.]+) of 255 per value\r?$", RegexOptions.Multiline)
                               .ToDictionary(m => m.Groups[1].Value, m => Number(m.Groups[2].Value));
        Assert.Equal(["JPEG", "PNG"], differences.Keys.Order());
        Assert.True(differences["JPEG"] > differences["PNG"], $"JPEG {differences["JPEG"]}, PNG {differences["PNG"]}");
        Assert.True(differences["PNG"] < 8, $"PNG files come back {differences["PNG"]} of 255 away on average");
        var agreements = AgreementLine().Matches(text);
        Assert.Equal(4, agreements.Count); // two formats, two models
        foreach (Match m in agreements)
        {
            Assert.Equal("200", m.Groups[3].Value);
            Assert.True(Number(m.Groups[2].Value) >= 0.95 * 200, $"{m.Groups[1].Value}: {m.Value}");
        }

        // The fully connected net's table: every class of the ten, the eight others with a mean confidence above 0.85,
        // hardly below (at most 0.05) its confidence on airplanes and birds.
        int start = text.IndexOf("fully connected:\n", StringComparison.Ordinal) is var i and >= 0 ? i : text.IndexOf("fully connected:\r\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "no table of the fully connected net");
        var rows = TableRow().Matches(text[start..]).Take(10)
                             .ToDictionary(m => m.Groups[1].Value, m => (CalledBird: Number(m.Groups[3].Value), Mean: Number(m.Groups[4].Value)));
        string[] classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
        Assert.Equal(classes, rows.Keys);
        var others = classes.Where(c => c is not ("airplane" or "bird")).ToList();
        foreach (var c in others) Assert.True(rows[c].Mean > 0.85, $"{c}: mean confidence {rows[c].Mean}");
        double trained = (rows["airplane"].Mean + rows["bird"].Mean) / 2, other = others.Average(c => rows[c].Mean);
        Assert.True(other >= trained - 0.05, $"other classes {other:F4}, airplanes and birds {trained:F4}");
    }

    [GeneratedRegex(@"^  (fully connected|CNN): (\d+) of (\d+) predictions agree with the 32 x 32 ones \(([0-9.]+)\)\r?$", RegexOptions.Multiline)]
    private static partial Regex AgreementLine();

    [GeneratedRegex(@"^(\w+)\s+(\d+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\r?$", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
