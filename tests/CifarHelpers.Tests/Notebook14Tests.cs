using System.Globalization;
using System.Text.RegularExpressions;
using NotebookRunner;

namespace CifarHelpers.Tests;

/// <summary>
/// Notebook 14's figures, read from the executed copy: notebook 08's model saved as a PyTorch state_dict keeps its
/// keys, shapes and accuracy through the round trip; a model of another size is refused by key; the wrong layout and
/// the missing normalisation each cost accuracy; the checkpoint's statistics are this notebook's.
/// </summary>
[Trait("Category", "Notebook")]
[Collection("notebooks")]
public class Notebook14Tests(NotebookSeries series)
{
    static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    static Match Line(string text, string pattern)
    {
        var m = Regex.Match(text, $"^{pattern}\\r?$", RegexOptions.Multiline);
        Assert.True(m.Success, $"no line /{pattern}/ in the output");
        return m;
    }

    [Theory]
    [MemberData(nameof(NotebookTests.Runs), MemberType = typeof(NotebookTests))]
    public void TheModelCrossesBothWaysWithItsAccuracyAndWhatMustMatchShows(Client client, string edition) =>
        Check(series.Get(client, edition, "14").Text, edition);

    internal static void Check(string text, string edition)
    {

        // The series ran notebook 08 first: its model is the one that crosses.
        Line(text, @"Notebook 08's model: 100 epochs, seed 42");
        double ours = Number(Line(text, @"Our model, validation accuracy: ([0-9.]+)").Groups[1].Value);
        Assert.InRange(ours, 0.78, 0.85);

        // The file: PyTorch's zip layout, the Sequential's keys and shapes.
        Line(text, @"Saved birds-airplanes-fc\.pt: \d+ bytes");
        Assert.Contains("/data.pkl", Line(text, @"Inside: .*").Value);
        foreach (var (key, shape) in new[] { ("0.weight", "[512, 3072]"), ("0.bias", "[512]"), ("2.weight", "[2, 512]"), ("2.bias", "[2]") })
            Line(text, Regex.Escape($"{key} {shape}"));

        // The prose: a fresh model scores what its random weights give; after the load, our model's accuracy and predictions.
        double fresh = Number(Line(text, @"A fresh model, validation accuracy: ([0-9.]+)").Groups[1].Value);
        var loaded = Line(text, @"Loaded from birds-airplanes-fc\.pt, validation accuracy: ([0-9.]+) \((\d+) of 2000\)");
        Assert.Equal(ours, Number(loaded.Groups[1].Value));
        Assert.NotEqual(ours, fresh);
        Line(text, @"The same 2000 predictions as our model: True");
        Line(text, @"No from-pytorch\.pt in data/models: .*");

        // A model with 256 hidden units: refused, naming each key that does not fit (in the edition's language).
        string file = "../../data/models/birds-airplanes-fc.pt";
        string refusal = edition == Editions.Chinese
            ? $"0.weight在{file}里的形状是[512, 3072]，模型要的是[256, 3072]；0.bias在{file}里的形状是[512]，模型要的是[256]；2.weight在{file}里的形状是[2, 512]，模型要的是[2, 256]"
            : $"0.weight has shape [512, 3072] in {file}, the model wants [256, 3072]; 0.bias has shape [512] in {file}, the model wants [256]; " +
              $"2.weight has shape [2, 512] in {file}, the model wants [2, 256]";
        Line(text, Regex.Escape(refusal));

        // The layout: one pixel at c*1024 + y*32 + x; "each change costs accuracy, the wrong layout the most".
        var pixel = Line(text, @"image 0, channel 1, row 5, column 7: (-?[0-9.]+); flattened, index 1191: (-?[0-9.]+)");
        Assert.Equal(pixel.Groups[1].Value, pixel.Groups[2].Value);
        double asTrained = Number(Line(text, @"As in training \(\[N, 3, 32, 32\] flattened, normalised\): accuracy ([0-9.]+)").Groups[1].Value);
        double channelsLast = Number(Line(text, @"Channels last \(\[N, 32, 32, 3\] flattened\): accuracy ([0-9.]+)").Groups[1].Value);
        double raw = Number(Line(text, @"Not normalised \(pixels in \[0, 1\]\): accuracy ([0-9.]+)").Groups[1].Value);
        Assert.Equal(ours, asTrained);
        Assert.True(channelsLast < raw && raw < asTrained, $"as trained {asTrained}, channels last {channelsLast}, not normalised {raw}");

        // The statistics the checkpoint records are the ones this notebook computed.
        var now = Line(text, @"This notebook normalises with mean \(([0-9., ]+)\), std \(([0-9., ]+)\)");
        var recorded = Line(text, @"The checkpoint records +mean \(([0-9., ]+)\), std \(([0-9., ]+)\)");
        Assert.Equal(now.Groups[1].Value, recorded.Groups[1].Value);
        Assert.Equal(now.Groups[2].Value, recorded.Groups[2].Value);
        Assert.InRange(Number(Line(text, @"Largest difference: (\S+)").Groups[1].Value), 0, 1e-6);
    }
}
