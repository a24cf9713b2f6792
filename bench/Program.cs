using System.Diagnostics;
using System.Globalization;
using Bench;
using CifarHelpers.Data;
using CifarHelpers.Runtime;
using CifarHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;
using DataLoader = CifarHelpers.Data.DataLoader;

// The benchmark: the library's data path, training epoch and evaluation against the straightforward ways,
// measured side by side in one run, plus the memory of a full 100-epoch training run (in a child process).
// Usage: dotnet run -c Release --project bench [-- --runs N] [--skip-memory] [--data-only] [--phases]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args is ["--baseline-child"])
{
    // As a program without this library runs: malloc as it ships, no huge pages for tensors.
    Environment.SetEnvironmentVariable(MemorySettings.HugePagesVariable, "0");
    TorchRuntime.Initialize(keepFreedBuffers: false);
    return BaselineProcess.Child();
}
long startupFaults = Faults.Minor();
Console.WriteLine(TorchRuntime.Initialize());
Console.WriteLine($"Memory: {MemorySettings.Summary}");
long initializeFaults = Faults.Minor() - startupFaults;
int runs = 5;
bool skipMemory = false, dataOnly = false, phases = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--runs": runs = int.Parse(args[++i]); break;
        case "--skip-memory": skipMemory = true; break;
        case "--data-only": dataOnly = true; break;
        case "--phases": phases = true; break;
        case "--memory-child": return MemoryRun.Child();
        default: Console.Error.WriteLine($"Unknown argument {args[i]}"); return 2;
    }
}

var store = Paths.Store();
store.Prepare(download: true);
if (phases) return PreparedData.Phases(store, runs);
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
Console.WriteLine($"Data: {store.BatchesDir}; medians of {runs} runs after one warm-up.");
Console.WriteLine();

var figures = new List<(string Name, double Value, string Unit, string What)>();

// 1. Data: extracted .bin files → normalised bird/airplane train and validation tensors, statistics included. The
// first run is the first in this process: it pays for memory the process has not touched before.
var dataRuns = Harness.Measure(runs, () => { using var d = PreparedData.Library(store); });
double dataS = dataRuns.MedianS;
if (dataOnly)
{
    // The library's data path alone, in this process: its first run, its median and the process's peak memory.
    Console.WriteLine(FormattableString.Invariant($"data_first_s: {dataRuns.FirstS:0.####}"));
    Console.WriteLine(FormattableString.Invariant($"data_first_faults: {dataRuns.FirstFaults}"));
    Console.WriteLine(FormattableString.Invariant($"data_s: {dataS:0.####}"));
    Console.WriteLine(FormattableString.Invariant($"data_faults: {dataRuns.MedianFaults}"));
    Console.WriteLine(FormattableString.Invariant($"data_peak_rss_mb: {Rss.Mb("VmHWM"):0.#}"));
    return 0;
}
double dataBaselineS = Harness.Median(Math.Min(runs, 3), () => { using var d = PreparedData.Baseline(store.BatchesDir); });
figures.Add(("initialize_faults", initializeFaults, "faults", "TorchRuntime.Initialize: loading libtorch"));
figures.Add(("data_first_s", dataRuns.FirstS, "s", "data: library bulk path, first run in this process"));
figures.Add(("data_first_faults", dataRuns.FirstFaults, "faults", "data: minor page faults of the first run"));
figures.Add(("data_s", dataS, "s", "data: library bulk path"));
figures.Add(("data_faults", dataRuns.MedianFaults, "faults", "data: minor page faults per run"));
figures.Add(("data_baseline_s", dataBaselineS, "s", "data: TorchVision CIFAR10, per-image transforms, filtered list"));

// 2. One training epoch (157 batches of 64): the library's loader with its fused step (as ArticleRecipe trains) and
// with its autograd Trainer, against TorchSharp's DataLoader in a process without the library's malloc settings.
// The three run in turn, round after round, with a torch.mm peak measured in each round: this VM's speed drifts by
// up to 1.7x within minutes, and turns keep the drift out of the ratios.
using var data = PreparedData.Library(store);
double peak = 0;
(double Seconds, double Faults)[] epochMedians;
using (var baseline = new BaselineProcess())
{
    epochMedians = Interleaved.Medians(runs,
        Harness.Timed(Epochs.Library(data.Train)),
        Harness.Timed(Epochs.LibraryAutograd(data.Train)),
        baseline.Epoch,
        () => { peak = Math.Max(peak, MatMul.PeakGflops()); return (0, 0); });
}
var (epochS, epochAutogradS, epochBaselineS) = (epochMedians[0].Seconds, epochMedians[1].Seconds, epochMedians[2].Seconds);
double gflops = Epochs.FlopsPerEpoch(data.Train.Count) / epochS / 1e9;
figures.Add(("epoch_s", epochS, "s", "epoch: library loader, fused SGD step (ArticleRecipe)"));
figures.Add(("epoch_autograd_s", epochAutogradS, "s", "epoch: library loader, autograd Trainer + optim.SGD"));
figures.Add(("epoch_baseline_s", epochBaselineS, "s", "epoch: TorchSharp DataLoader over per-image tensors"));
figures.Add(("epoch_faults", epochMedians[0].Faults, "faults", "epoch: minor page faults, fused"));
figures.Add(("epoch_autograd_faults", epochMedians[1].Faults, "faults", "epoch: minor page faults, autograd"));
figures.Add(("epoch_baseline_faults", epochMedians[2].Faults, "faults", "epoch: minor page faults, baseline"));
figures.Add(("gflops", gflops, "GFLOP/s", "epoch: achieved"));
figures.Add(("mm_peak_gflops", peak, "GFLOP/s", "torch.mm peak, best of the same rounds"));

// 3. Evaluation over the 2,000 validation images.
manual_seed(42);
var model = CifarHelpers.Models.FullyConnected.Create();
using (var valLoader = new DataLoader(data.Val, batchSize: 64))
    figures.Add(("eval_s", Harness.Median(runs, () => Evaluator.Evaluate(model, valLoader, 2)), "s", "evaluation: 2,000 validation images"));

// 4. Memory of a full 100-epoch training run, in a fresh process.
if (!skipMemory)
{
    var (peakRss, growth, accuracy, trainS) = MemoryRun.Parent();
    figures.Add(("peak_rss_mb", peakRss, "MB", "memory: peak RSS, data + 100 epochs + evaluation"));
    figures.Add(("rss_growth_mb", growth, "MB", "memory: RSS growth from epoch 10 to 100"));
    figures.Add(("train_100_s", trainS, "s", $"100 epochs (validation accuracy {accuracy:F4})"));
}

Console.WriteLine($"{"figure",-18} {"value",12}  what");
foreach (var (name, value, unit, what) in figures)
    Console.WriteLine($"{name,-18} {value,12:F3}  {unit,-8} {what}");
Console.WriteLine();
Console.WriteLine($"data speed-up   {dataBaselineS / dataS,8:F1}x over the baseline");
Console.WriteLine($"epoch speed-up  {epochBaselineS / epochS,8:F2}x over the baseline ({epochBaselineS / epochAutogradS:F2}x with autograd)");
Console.WriteLine($"epoch vs floor  {epochS / (Epochs.FlopsPerEpoch(data.Train.Count) / (peak * 1e9)),8:F2}x the time the torch.mm peak allows");
Console.WriteLine();
foreach (var (name, value, _, _) in figures)
    Console.WriteLine($"{name}: {value.ToString("0.####", CultureInfo.InvariantCulture)}");
return 0;
