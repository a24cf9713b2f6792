using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using CifarHelpers.Data;
using NotebookRunner;

namespace CifarHelpers.Tests;

public class CompleteCodeTests
{
    [Fact]
    public async Task TheSingleFileRunsWithoutAKernelAndPrintsLossAndAccuracy()
    {
        string repo = RepoRoot.Find();
        var start = new ProcessStartInfo("dotnet", ["run", Path.Combine(repo, "notebooks", "complete-code.cs"), "--", "--epochs", "3"])
        {
            WorkingDirectory = Path.GetTempPath(), // it finds its data beside its own folder, from anywhere
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment[Cifar10Format.ArchiveVariable] = RealData.Find()
            ?? throw new InvalidOperationException($"The real archive is missing: set {Cifar10Format.ArchiveVariable}.");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string output = await process.StandardOutput.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(limit.Token);
        Assert.True(process.ExitCode == 0, output + await stderr);

        Assert.Contains("airplanes and birds: 10000 training, 2000 validation images", output);
        Assert.Equal(["0", "2"], Regex.Matches(output, @"^Epoch: (\d+), Loss: [0-9.]+$", RegexOptions.Multiline).Select(m => m.Groups[1].Value));
        var accuracy = Regex.Match(output, @"^Accuracy: ([0-9.]+)$", RegexOptions.Multiline);
        Assert.True(accuracy.Success, output);
        Assert.InRange(double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture), 0.70, 0.90);
    }
}
