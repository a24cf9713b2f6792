using System.Globalization;
using System.Text.RegularExpressions;
using NotebookRunner;

namespace CifarHelpers.Tests;

/// <summary>Notebook 11's figures, read from the executed copy: the CNN's size, accuracy and the translation table.</summary>
[Trait("Category", "Notebook")]
[Collection("notebooks")]
public class Notebook11Tests(NotebookSeries series)
{
    static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(Client.Repl)]
    [InlineData(Client.Jupyter)]
    public void TheCnnIsSmallBeatsTheFullyConnectedNetAndLosesLessToAShift(Client client)
    {
        string text = series.Get(client, "11").Text;

        // "18090 [432, 16, 1152, 8, 16384, 32, 64, 2]", then the fully connected net's count.
        var counts = Regex.Match(text, @"^(\d+) \[([\d, ]+)\]\r?$\n^1574402 \[1572864, 512, 1024, 2\]\r?$", RegexOptions.Multiline);
        Assert.True(counts.Success, "no parameter count lines");
        long total = long.Parse(counts.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(total, 1, 19_999);
        Assert.Equal(total, counts.Groups[2].Value.Split(", ").Sum(long.Parse));

        var accuracies = Regex.Match(text, @"^CNN validation accuracy: ([0-9.]+)\r?$\n^Fully connected validation accuracy: ([0-9.]+)\r?$", RegexOptions.Multiline);
        Assert.True(accuracies.Success, "no accuracy lines");
        double cnn = Number(accuracies.Groups[1].Value), fc = Number(accuracies.Groups[2].Value);
        Assert.True(cnn > fc, $"CNN {cnn} is not above the fully connected net's {fc}");
        Assert.True(cnn >= 0.86, $"CNN validation accuracy {cnn} < 0.86");

        var rows = Regex.Matches(text, @"^\s*(\d+)  ([0-9.]+)  ([0-9.]+)\r?$", RegexOptions.Multiline)
            .ToDictionary(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                          m => (Cnn: Number(m.Groups[2].Value), Fc: Number(m.Groups[3].Value)));
        Assert.Equal([0, 1, 2, 4, 8], rows.Keys.Order());
        double cnnLoss = rows[0].Cnn - rows[4].Cnn, fcLoss = rows[0].Fc - rows[4].Fc;
        Assert.True(fcLoss > cnnLoss, $"at a 4-pixel shift the FC net loses {fcLoss:F4}, the CNN {cnnLoss:F4}");
    }
}
