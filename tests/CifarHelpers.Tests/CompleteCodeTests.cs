using System.Globalization;
using System.Text.RegularExpressions;
using CifarHelpers.Data;
using NotebookRunner;
using Tools.Shared;

namespace CifarHelpers.Tests;

[Trait("Category", "RealData")]
public class CompleteCodeTests
{
    [Fact]
    public void TheSingleFileRunsWithoutAKernelAndPrintsLossAndAccuracy()
    {
        string repo = RepoRoot.Find();
        // It finds its data beside its own folder (the repository's data/CIFAR-10), else through CIFAR10_ARCHIVE.
        var source = RealData.Locate();
        if (source.Archive is null && source.VerifiedRoot is null)
            throw new InvalidOperationException($"The real CIFAR-10 is missing: run the README's first command or set {Cifar10Format.ArchiveVariable}.");
        var environment = new Dictionary<string, string?> { [Cifar10Format.ArchiveVariable] = source.Archive };
        var result = Exec.Run("dotnet", ["run", Path.Combine(repo, "notebooks", "en", "complete-code.cs"), "--", "--epochs", "3"],
                              TimeSpan.FromMinutes(5), workingDirectory: Path.GetTempPath(), environment);
        Assert.False(result.TimedOut, "complete-code.cs did not finish within 5 minutes:\n" + result.Output);
        Assert.True(result.ExitCode == 0, result.Output);

        string output = result.Stdout;
        Assert.Contains("airplanes and birds: 10000 training, 2000 validation images", output);
        Assert.Equal(["0", "2"], Regex.Matches(output, @"^Epoch: (\d+), Loss: [0-9.]+$", RegexOptions.Multiline).Select(m => m.Groups[1].Value));
        var accuracy = Regex.Match(output, @"^Accuracy: ([0-9.]+)$", RegexOptions.Multiline);
        Assert.True(accuracy.Success, output);
        Assert.InRange(double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture), 0.70, 0.90);
    }
}
