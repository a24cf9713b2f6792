using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Bench;
using CifarHelpers.Data;
using CifarHelpers.Runtime;
using CifarHelpers.Training;
using Tools.Shared;
using TorchSharp;
using static TorchSharp.torch;

// The benchmark: the library's data path, training epoch and evaluation against the straightforward ways,
// measured side by side in one run, plus the memory of a full 100-epoch training run (in a child process).
// Usage: dotnet run -c Release --project bench [-- --runs N] [--skip-memory] [--skip-python] [--data-only] [--phases] [--markdown]; --help.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var runsOption = new Option<int>("--runs")
{
    Description = "How many measured runs of each figure, after one warm-up; the medians are reported.",
    HelpName = "N",
    DefaultValueFactory = _ => 5,
    CustomParser = result =>
    {
        string value = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 1000) return n;
        result.AddError($"--runs takes a whole number from 1 to 1000, not '{value}'.");
        return 0;
    },
};
var skipMemoryOption = new Option<bool>("--skip-memory") { Description = "Leave out the 100-epoch memory run in a fresh process (about a minute)." };
var dataOnlyOption = new Option<bool>("--data-only") { Description = "Measure the data path alone: its first run in this process, its median, the peak RSS." };
var skipPythonOption = new Option<bool>("--skip-python") { Description = "Leave out the article's own data code in Python (bench/article_data.py, about 40 s)." };
var phasesOption = new Option<bool>("--phases") { Description = "Time each step of the data path, with its page faults and CPU time." };
var markdownOption = new Option<bool>("--markdown") { Description = "Print the figures as a Markdown table (for bench/README.md), with the date and the machine, instead of the plain table." };
// The benchmark's own child processes: the baseline epoch (TorchSharp without the library's settings) and the memory run.
var baselineChildOption = new Option<bool>("--baseline-child") { Hidden = true };
var memoryChildOption = new Option<bool>("--memory-child") { Hidden = true };
var command = new RootCommand(
    "Measures the library's data path, training epoch, evaluation and memory against the straightforward ways, in one " +
    "run, and prints one 'name: value' line per figure on standard output; progress goes to standard error. Exit " +
    "codes: 0 done; 1 a known failure such as no data (one line says what to do); 2 a bad option.")
{
    runsOption, skipMemoryOption, skipPythonOption, dataOnlyOption, phasesOption, markdownOption, baselineChildOption, memoryChildOption,
};
var parsed = command.Parse(args);
if (parsed.Errors.Count > 0)
{
    Console.Error.WriteLine($"error: {string.Join(" ", parsed.Errors.Select(e => e.Message).Distinct())} See --help for the options.");
    return 2;
}
if (parsed.Action is System.CommandLine.Help.HelpAction) return parsed.Invoke();
if (parsed.GetValue(baselineChildOption))
{
    // As a program without this library runs: malloc as it ships, no huge pages for tensors.
    Environment.SetEnvironmentVariable(MemorySettings.HugePagesVariable, "0");
    TorchRuntime.Initialize(keepFreedBuffers: false);
    return BaselineProcess.Child();
}
int runs = parsed.GetValue(runsOption);
bool skipMemory = parsed.GetValue(skipMemoryOption), dataOnly = parsed.GetValue(dataOnlyOption), phases = parsed.GetValue(phasesOption);
bool markdown = parsed.GetValue(markdownOption);

long startupFaults = Faults.Minor();
Console.WriteLine(TorchRuntime.Initialize());
Console.WriteLine($"Memory: {MemorySettings.Summary}");
long initializeFaults = Faults.Minor() - startupFaults;
if (parsed.GetValue(memoryChildOption)) return MemoryRun.Child();

using var progress = new Progress();
var store = Paths.Store();
progress.Phase("data: preparing data/CIFAR-10");
try
{
    store.Prepare(download: true);
}
catch (Exception e) when (e is IOException or InvalidDataException or HttpRequestException or UnauthorizedAccessException)
{
    // A known failure (no data and no network, a bad archive, a folder that cannot be written): its message says what to do.
    Console.Error.WriteLine($"error: {string.Join(' ', e.Message.Split('\n', StringSplitOptions.TrimEntries))}");
    return 1;
}
if (phases) return PreparedData.Phases(store, runs);
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
Console.WriteLine($"Data: {store.BatchesDir}; medians of {runs} runs after one warm-up.");
Console.WriteLine();

var figures = new List<(string Name, double Value, string Unit, string What)>();

// 1. Data: extracted .bin files → normalised bird/airplane train and validation tensors, statistics included. The
// first run is the first in this process: it pays for memory the process has not touched before.
progress.Phase($"data path: {runs + 1} runs");
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
    if (markdown)
    {
        Console.WriteLine();
        MarkdownTable.Write(Console.Out, runs,
        [
            ("data_first_s", dataRuns.FirstS, "s", "data: library bulk path, first run in this process"),
            ("data_first_faults", dataRuns.FirstFaults, "faults", "data: minor page faults of the first run"),
            ("data_s", dataS, "s", "data: library bulk path"),
            ("data_faults", dataRuns.MedianFaults, "faults", "data: minor page faults per run"),
            ("data_peak_rss_mb", Rss.Mb("VmHWM"), "MB", "data: peak RSS of this process"),
        ], []);
    }
    return 0;
}
progress.Phase($"data path, TorchVision baseline: {Math.Min(runs, 3) + 1} runs of several seconds");
double dataBaselineS = Harness.Median(Math.Min(runs, 3), () => { using var d = PreparedData.Baseline(store.BatchesDir); });
figures.Add(("initialize_faults", initializeFaults, "faults", "TorchRuntime.Initialize: loading libtorch"));
figures.Add(("data_first_s", dataRuns.FirstS, "s", "data: library bulk path, first run in this process"));
figures.Add(("data_first_faults", dataRuns.FirstFaults, "faults", "data: minor page faults of the first run"));
figures.Add(("data_s", dataS, "s", "data: library bulk path"));
figures.Add(("data_faults", dataRuns.MedianFaults, "faults", "data: minor page faults per run"));
figures.Add(("data_baseline_s", dataBaselineS, "s", "data: TorchVision CIFAR10, per-image transforms, filtered list"));
(double FirstS, double MedianS)? dataPython = null;
if (!parsed.GetValue(skipPythonOption))
{
    if (ArticlePython.Find(out string noPython) is { } python)
    {
        int pythonRuns = Math.Min(runs, 3);
        progress.Phase($"data path, the article's Python code ({python} bench/article_data.py): {pythonRuns} run{(pythonRuns == 1 ? "" : "s")} of about 12 s");
        dataPython = ArticlePython.Seconds(python, RepoRoot.Find(), store.BatchesDir, pythonRuns);
        figures.Add(("data_python_first_s", dataPython.Value.FirstS, "s", "data: the article's code in Python (torchvision), first run"));
        figures.Add(("data_python_s", dataPython.Value.MedianS, "s", "data: the article's code in Python (torchvision), median"));
    }
    else Console.WriteLine($"data_python_s: not measured: {noPython}");
}

// 2. One training epoch (157 batches of 64): the library's loader with its fused step (as ArticleRecipe trains) and
// with its autograd Trainer, against TorchSharp's DataLoader in a process without the library's malloc settings.
// The three run in turn, round after round, with a torch.mm peak measured in each round: this VM's speed drifts by
// up to 1.7x within minutes, and turns keep the drift out of the ratios.
progress.Phase($"epochs: a warm-up and {runs} rounds of the fused, autograd and baseline epochs and a torch.mm peak");
using var data = PreparedData.Library(store);
double peak = 0;
int round = -1; // the first call is the warm-up
(double Seconds, double Faults)[] epochMedians;
using (var baseline = new BaselineProcess())
{
    epochMedians = Interleaved.Medians(runs,
        Harness.Timed(Epochs.Library(data.Train)),
        Harness.Timed(Epochs.LibraryAutograd(data.Train)),
        baseline.Epoch,
        () => { peak = Math.Max(peak, MatMul.PeakGflops()); progress.Note(++round == 0 ? "epochs: warm-up done" : $"epochs: round {round} of {runs} done"); return (0, 0); });
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
progress.Phase("evaluation");
using (var valLoader = new BatchLoader(data.Val, batchSize: 64))
    figures.Add(("eval_s", Harness.Median(runs, () => Evaluator.Evaluate(model, valLoader, 2)), "s", "evaluation: 2,000 validation images"));

// 3b. Notebook 11's convolutional network: one epoch with channels-last batches and one with plain ones, in turn.
progress.Phase($"CNN epochs: a warm-up and {runs} rounds of a channels-last and a plain epoch");
int cnnRound = -1;
var cnnMedians = Interleaved.Medians(runs,
    Harness.Timed(CnnEpochs.Library(data.Train, channelsLast: true)),
    Harness.Timed(CnnEpochs.Library(data.Train, channelsLast: false)),
    () => { progress.Note(++cnnRound == 0 ? "CNN epochs: warm-up done" : $"CNN epochs: round {cnnRound} of {runs} done"); return (0, 0); });
figures.Add(("cnn_epoch_s", cnnMedians[0].Seconds, "s", "CNN epoch (notebook 11): channels-last batches"));
figures.Add(("cnn_epoch_baseline_s", cnnMedians[1].Seconds, "s", "CNN epoch: the same, plain NCHW batches"));

// 4. Memory of a full 100-epoch training run, in a fresh process.
if (!skipMemory)
{
    progress.Phase("memory: 100 epochs of ArticleRecipe.Train in a fresh process");
    var (peakRss, growth, accuracy, trainS) = MemoryRun.Parent(progress);
    figures.Add(("peak_rss_mb", peakRss, "MB", "memory: peak RSS, data + 100 epochs + evaluation"));
    figures.Add(("rss_growth_mb", growth, "MB", "memory: RSS growth from epoch 10 to 100"));
    figures.Add(("train_100_s", trainS, "s", $"100 epochs (validation accuracy {accuracy:F4})"));
}

progress.Phase("done");
progress.Dispose();
var ratios = new List<(string Name, string Text)>
{
    ("data speed-up", $"{dataBaselineS / dataS:F1}x over the baseline"),
};
if (dataPython is { } py)
    ratios.Add(("data speed-up", $"{py.MedianS / dataS:F1}x over the article's Python code ({py.FirstS / dataRuns.FirstS:F1}x, first run against first run)"));
ratios.Add(("epoch speed-up", $"{epochBaselineS / epochS:F2}x over the baseline ({epochBaselineS / epochAutogradS:F2}x with autograd)"));
ratios.Add(("epoch vs floor", $"{epochS / (Epochs.FlopsPerEpoch(data.Train.Count) / (peak * 1e9)):F2}x the time the torch.mm peak allows"));
if (markdown) MarkdownTable.Write(Console.Out, runs, figures, ratios);
else
{
    Console.WriteLine($"{"figure",-18} {"value",12}  what");
    foreach (var (name, value, unit, what) in figures)
        Console.WriteLine($"{name,-18} {value,12:F3}  {unit,-8} {what}");
    Console.WriteLine();
    foreach (var (name, text) in ratios) Console.WriteLine($"{name,-15} {text}");
}
Console.WriteLine();
foreach (var (name, value, _, _) in figures)
    Console.WriteLine($"{name}: {value.ToString("0.####", CultureInfo.InvariantCulture)}");
return 0;
