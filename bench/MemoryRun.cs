using System.Diagnostics;
using System.Globalization;
using CifarHelpers.Data;
using Tools.Shared;
using CifarHelpers.Training;
using static TorchSharp.torch;

namespace Bench;

/// <summary>A full 100-epoch training run in a fresh process, to read its peak RSS and its growth.</summary>
static class MemoryRun
{
    public static (double PeakMb, double GrowthMb, double Accuracy, double Seconds) Parent(Progress progress)
    {
        string self = Environment.ProcessPath!;
        string[] arguments = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? [typeof(MemoryRun).Assembly.Location, "--memory-child"]
            : ["--memory-child"];
        var values = new Dictionary<string, double>();
        // 100 epochs take minutes; two hours means it hangs.
        var run = Exec.Run(self, arguments, TimeSpan.FromHours(2), onStdoutLine: line =>
        {
            var parts = line.Split(": ", 2);
            if (parts.Length != 2 || !double.TryParse(parts[1], CultureInfo.InvariantCulture, out double v)) return;
            lock (values) values[parts[0]] = v;
            if (parts[0] == "epoch" && (int)v % 10 == 0) progress.Phase($"memory: epoch {v:F0} of {ArticleRecipe.Epochs}");
        });
        if (run.TimedOut || run.ExitCode != 0)
            throw new InvalidOperationException(
                $"The memory run {(run.TimedOut ? "did not finish within 2 hours" : $"failed with {run.ExitCode}")}:\n{Exec.Tail(run.Stderr)}");
        return (values["peak_rss_mb"], values["rss_epoch100_mb"] - values["rss_epoch10_mb"], values["accuracy"], values["train_s"]);
    }

    public static int Child()
    {
        using var data = PreparedData.Library(Paths.Store());
        double at10 = 0, at100 = 0;
        var clock = Stopwatch.StartNew();
        var (model, _) = ArticleRecipe.Train(data.Train, seed: 42, onEpoch: r =>
        {
            Console.WriteLine($"epoch: {r.Epoch}");
            if (r.Epoch == 10) at10 = Rss.Mb("VmRSS");
            if (r.Epoch == 100) at100 = Rss.Mb("VmRSS");
        });
        double seconds = clock.Elapsed.TotalSeconds;
        using var valLoader = new BatchLoader(data.Val, batchSize: 64);
        var evaluation = Evaluator.Evaluate(model, valLoader, 2);
        Console.WriteLine(FormattableString.Invariant($"rss_epoch10_mb: {at10}"));
        Console.WriteLine(FormattableString.Invariant($"rss_epoch100_mb: {at100}"));
        Console.WriteLine(FormattableString.Invariant($"peak_rss_mb: {Rss.Mb("VmHWM")}"));
        Console.WriteLine(FormattableString.Invariant($"accuracy: {evaluation.Accuracy}"));
        Console.WriteLine(FormattableString.Invariant($"train_s: {seconds}"));
        return 0;
    }
}
