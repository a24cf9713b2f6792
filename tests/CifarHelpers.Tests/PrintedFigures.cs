using System.Globalization;
using System.Text.RegularExpressions;

namespace CifarHelpers.Tests;

/// <summary>The figures the notebooks and their apps print, read back the same way by both kinds of test.</summary>
static partial class PrintedFigures
{
    /// <summary>The comma-separated numbers of the match's first group; fails when the line is missing.</summary>
    public static double[] Values(Match? match)
    {
        Assert.True(match is { Success: true }, "the line is missing");
        return match.Groups[1].Value.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Each value within 1e-4 of the expected one (the article's four decimals).</summary>
    public static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.InRange(actual[i], expected[i] - 1e-4, expected[i] + 1e-4);
    }

    [GeneratedRegex(@"^mean tensor\(\[([^\]]+)\]\)", RegexOptions.Multiline)]
    public static partial Regex MeanLine();

    [GeneratedRegex(@"^std  tensor\(\[([^\]]+)\]\)", RegexOptions.Multiline)]
    public static partial Regex StdLine();

    [GeneratedRegex(@"^Epoch: (\d+), Loss: ([0-9.e-]+)", RegexOptions.Multiline)]
    public static partial Regex EpochLine();

    [GeneratedRegex(@"^Accuracy: ([0-9.]+)", RegexOptions.Multiline)]
    public static partial Regex AccuracyLine();
}
