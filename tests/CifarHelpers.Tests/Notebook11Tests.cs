using System.Globalization;
using System.Text.RegularExpressions;
using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Runtime;
using CifarHelpers.Training;
using NotebookRunner;

namespace CifarHelpers.Tests;

/// <summary>Notebook 11's figures, read from the executed copy: the CNN's size, accuracy and the translation table.</summary>
[Trait("Category", "Notebook")]
[Collection("notebooks")]
public class Notebook11Tests(NotebookSeries series)
{
    static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(NotebookTests.Runs), MemberType = typeof(NotebookTests))]
    public void TheCnnIsSmallBeatsTheFullyConnectedNetAndLosesLessToAShift(Client client, string edition)
    {
        string text = series.Get(client, edition, "11").Text;

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
        // The notebook: "as the shift grows the fully connected net loses more accuracy than the convolutional one",
        // and larger shifts "still cost the CNN accuracy".
        foreach (int shift in new[] { 1, 2, 4, 8 })
        {
            double cnnLoss = rows[0].Cnn - rows[shift].Cnn, fcLoss = rows[0].Fc - rows[shift].Fc;
            Assert.True(fcLoss > cnnLoss, $"at a {shift}-pixel shift the FC net loses {fcLoss:F4}, the CNN {cnnLoss:F4}");
        }
        Assert.True(rows[8].Cnn < rows[0].Cnn, $"an 8-pixel shift costs the CNN nothing: {rows[8].Cnn} vs {rows[0].Cnn}");

        // The notebook: "the convolutional net's two curves stay closer together" than the fully connected net's.
        var gaps = Regex.Match(text, @"^Train minus validation accuracy after epoch \d+: CNN (-?[0-9.]+), fully connected (-?[0-9.]+)\r?$", RegexOptions.Multiline);
        Assert.True(gaps.Success, "no train-minus-validation line");
        double cnnGap = Number(gaps.Groups[1].Value), fcGap = Number(gaps.Groups[2].Value);
        Assert.True(fcGap > cnnGap, $"the FC net's train-validation gap {fcGap} is not above the CNN's {cnnGap}");
    }

    [Fact]
    public void TheCheckpointOfTheBooksNetLoadsIntoTheLibrarysConvNetAndScoresTheSame()
    {
        // The last run of notebook 11 (the Chinese edition's) left its checkpoint in the workspace: the library's
        // ConvNet loads it (same parameters by name and shape) and scores the validation images as the notebook did.
        TorchRuntime.Initialize();
        string checkpoint = Path.Combine(series.Workspace.Models, "birds-airplanes-cnn");
        var info = Checkpoint.TryReadInfo(checkpoint);
        Assert.True(info is not null, $"notebook 11 left no checkpoint at {checkpoint}");
        using var net = new ConvNet();
        Checkpoint.Load(net, checkpoint);
        Assert.Equal([0.4914, 0.4822, 0.4465], info.Mean!.Select(m => Math.Round(m, 4)));

        var (train, val, stats) = NormalizedSubset.Load(Path.Combine(series.Workspace.Root, "data", "CIFAR-10"), new Dictionary<int, int> { [0] = 0, [2] = 1 },
                                                        download: false, log: TextWriter.Null);
        using (train)
        using (val)
        {
            Assert.Equal(info.Mean, stats.Mean);
            using var loader = new BatchLoader(val, 500);
            double accuracy = Evaluator.Evaluate(net, loader, classes: 2, flatten: false).Accuracy;
            string text = series.Get(Client.Repl, Editions.Chinese, "11").Text;
            var printed = Regex.Match(text, @"^CNN validation accuracy: ([0-9.]+)\r?$", RegexOptions.Multiline);
            Assert.True(printed.Success, "no CNN accuracy line in the Chinese run of 11");
            Assert.Equal(printed.Groups[1].Value, accuracy.ToString("F4", CultureInfo.InvariantCulture));
        }
    }
}
