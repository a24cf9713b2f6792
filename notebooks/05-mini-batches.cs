// Generated from 05-mini-batches.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 05-mini-batches.cs` in this folder, or with its path from anywhere; add `-- --epochs N` for a short run.
// Pictures and charts go to artifacts/apps/; offline, set CIFAR10_ARCHIVE to a local cifar-10-binary.tar.gz.
#:property ManagePackageVersionsCentrally=false
#:property Nullable=disable
#:property PublishAot=false
#:package TorchSharp@0.107.0
#:package SkiaSharp.NativeAssets.Linux.NoDependencies@2.88.6
#:package XPlot.Plotly@4.1.0
#:package Microsoft.Data.Analysis@0.23.1
#:project ../lib/CifarHelpers/CifarHelpers.csproj

using TorchSharp;
using static TorchSharp.torch;
using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Training;
using CifarHelpers.Notebook;
using Microsoft.Data.Analysis;
using static CifarHelpers.Notebook.NotebookApp;

CifarHelpers.Notebook.NotebookApp.Start();

// # 05 · Mini-batches (小批量 mini-batch)
//
// §2.3.1 of the article.
//
// Training means: show the model some images, measure how wrong it is, and nudge every weight a little
// in the direction that makes it less wrong. How many images should it see before each nudge? One? All
// 10,000? The article's answer is a *mini-batch* of a few dozen, and this notebook measures why.
//
// **What you will learn**
//
// - the trade-off between full batches, single samples and mini-batches;
// - what that trade-off looks like on our birds-and-airplanes data, measured: loss per epoch and time per epoch;
// - how `DataLoader` cuts a dataset into shuffled mini-batches, and what one batch looks like.

// ## Set-up
//
// The usual first cell: packages, our helper library, and `Tutorial.Setup` (torch, displays, seed).
// This notebook also builds a small results table itself, so it adds `using Microsoft.Data.Analysis;`.
var device = Tutorial.Setup(seed: 42);

// ## The data: cifar2, normalised
//
// Exactly as in notebook 04: channel statistics over the 50,000 training images, `ToTensor` plus
// `Normalize`, then the airplane and bird images relabelled 0 and 1, transformed in bulk. `NormalizedSubset.Load`
// runs those steps in one call; this notebook only needs the training split.
var dataPath = "../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var classNames = new[] { "airplane", "bird" };
var (cifar2, _, _) = NormalizedSubset.Load(dataPath, labelMap);
Console.WriteLine($"cifar2: {cifar2.Count} images of {string.Join(" and ", cifar2.Classes)}");

// ## Why mini-batches?
//
// The loss we minimise is an average over the training images, and so is its gradient. There are three
// ways to estimate that gradient before each step of stochastic gradient descent:
//
// - **The full batch.** Use all 10,000 images for every step. The gradient is exact, but one pass over
//   the data (an *epoch*) buys a single step. Progress per epoch is slow, and the whole set must be pushed
//   through the network before anything changes.
// - **One sample at a time.** Take a step after every image: 10,000 steps per epoch. Each gradient comes
//   from one picture, so it is noisy and points roughly, not exactly, downhill. The noise is not only a
//   nuisance (it can shake the model out of poor spots), but each tiny step also pays the full overhead of
//   a forward pass, a backward pass and a weight update for just one image.
// - **Mini-batches.** Average the gradient over a few dozen images. The estimate is much less noisy than
//   a single sample's, there are still many steps per epoch, and the work per step becomes one matrix
//   multiplication over the whole batch, which CPUs and GPUs do far more efficiently than many small ones.
//
// Rather than take that on trust, we try it.

// ## The experiment
//
// We train the article's model (`FullyConnected.Create()`: 3,072 inputs, 512 hidden units with tanh, 2
// outputs with log-softmax) with plain SGD at learning rate 1e-2 and the negative log-likelihood loss, the
// settings of the later notebooks. Only the batch size changes. Before each run we call
// `manual_seed(42)`, so all runs start from the very same weights, and each `DataLoader` is seeded too.
// `Trainer.Fit` runs the article's training loop and records, per epoch, the mean loss over the epoch's
// batches and the wall time.
//
// For the timings we run torch on a single thread (`set_num_threads(1)`) and restore the usual setting
// after the experiment. Tiny single-image steps cannot keep several cores busy, and on a machine that is
// doing other work at the same time, torch's worker threads can end up waiting for each other and slow
// every small step down many times over. On one thread the seconds compare what we want to compare:
// the same arithmetic done as many small operations or as a few big ones.
//
// A few small helpers keep the cells short: `Head` takes the first `n` images of a dataset (a view, no
// copy); `LossOn` computes a model's loss over a whole dataset in one pass, without gradients; and `Run`
// trains one fresh model and returns its history, the number of steps per epoch, and its loss over the
// training data before and after training.
var threads = get_num_threads();
set_num_threads(1);

var learningRate = 1e-2;
var nEpochs = Tutorial.Epochs(3);
var lossFn = nn.NLLLoss();

ImageDataset Head(ImageDataset dataset, int n) =>
    new ImageDataset(dataset.Images.narrow(0, 0, n), dataset.Labels.narrow(0, 0, n), dataset.Classes);

double LossOn(nn.Module<Tensor, Tensor> model, ImageDataset data)
{
    using var scope = NewDisposeScope();
    using var noGrad = no_grad();
    var outputs = model.forward(data.Images.view(data.Count, -1));
    return lossFn.forward(outputs, data.Labels).item<float>();
}

(TrainingHistory History, int Steps, double StartLoss, double FinalLoss) Run(ImageDataset data, int batchSize, int epochs)
{
    manual_seed(42);
    using var model = FullyConnected.Create();
    using var optimizer = optim.SGD(model.parameters(), learningRate);
    using var loader = new DataLoader(data, batchSize: batchSize, shuffle: true, seed: 42);
    double startLoss = LossOn(model, data);
    var history = new Trainer(model, optimizer, lossFn).Fit(loader, epochs);
    return (history, loader.Count, startLoss, LossOn(model, data));
}

// ### How slow is one image at a time?
//
// Batch size 1 is the expensive setting, so we time it first on 200 images (200 steps) and extrapolate
// to the whole of `cifar2`.
var probeSize = 200;
double secondsPerStep;
using (var probeData = Head(cifar2, probeSize))
    secondsPerStep = Run(probeData, batchSize: 1, epochs: 1).History.Elapsed.TotalSeconds / probeSize;
Console.WriteLine($"batch size 1: {secondsPerStep * 1000:0.00} ms per step");
Console.WriteLine($"{nEpochs} epochs over all {cifar2.Count} images would take about {secondsPerStep * cifar2.Count * nEpochs:0} s");

// That is more than we want to wait for in a demonstration, and slower machines take longer still. So
// every setting below uses the same **first 2,000 images** of `cifar2`, a fifth of the data.
// CIFAR-10 is stored in random order, so both classes are about equally represented (the table shows
// the counts). With 2,000 images, the "full batch" is a batch of 2,000. The comparison between the
// settings is what matters, not the absolute numbers.
var nImages = 2000;
var small = Head(cifar2, nImages);
display(Tables.ClassCounts(small));

// Now the three runs: batch size 1, the article's 64, and the full batch. Each line is printed when its
// run ends; the batch-size-1 run takes the longest. At the end the cell gives torch back all its threads.
var runs = new List<(int BatchSize, int Steps, TrainingHistory History, double StartLoss, double FinalLoss)>();
foreach (var batchSize in new[] { 1, 64, nImages })
{
    var (history, steps, startLoss, finalLoss) = Run(small, batchSize, nEpochs);
    runs.Add((batchSize, steps, history, startLoss, finalLoss));
    var losses = string.Join(", ", history.Epochs.Select(e => e.MeanLoss.ToString("0.0000")));
    Console.WriteLine($"batch size {batchSize,4}: {steps,4} steps per epoch, mean loss per epoch [{losses}], " +
                      $"{history.Elapsed.TotalSeconds:0.0} s in all");
}
set_num_threads(threads);

// ### Loss per epoch
//
// One line per batch size: the mean training loss of each epoch, that is, the average of the losses of
// the epoch's batches, each measured just before its step. For reference, a model that answers "50/50"
// for every picture has a loss of ln 2 ≈ 0.693; our untrained model is close to that, and since all three
// runs start from the same weights, they all start from the same loss (see the table below).
display(Charts.Lines("Mean training loss per epoch", "epoch", "mean loss (NLL)",
    runs.Select(r => ($"batch size {r.BatchSize}",
                      r.History.Epochs.Select(e => (double)e.Epoch),
                      r.History.Epochs.Select(e => e.MeanLoss))).ToArray()));

// ### Steps, time and loss side by side
//
// The table puts the numbers together: steps per epoch, wall time per epoch, the model's loss over all
// 2,000 images before training, the mean loss of the last epoch, and the loss of the trained model over
// all 2,000 images. Below it, how much longer an epoch takes with smaller batches, relative to the full batch.
display(new DataFrame(
    new Int32DataFrameColumn("batch size", runs.Select(r => r.BatchSize)),
    new Int32DataFrameColumn("steps per epoch", runs.Select(r => r.Steps)),
    new DoubleDataFrameColumn("seconds per epoch", runs.Select(r => Math.Round(r.History.Elapsed.TotalSeconds / nEpochs, 3))),
    new DoubleDataFrameColumn("loss before", runs.Select(r => Math.Round(r.StartLoss, 4))),
    new DoubleDataFrameColumn("mean loss, last epoch", runs.Select(r => Math.Round(r.History.Epochs[^1].MeanLoss, 4))),
    new DoubleDataFrameColumn("final loss", runs.Select(r => Math.Round(r.FinalLoss, 4)))));

var fullSeconds = runs[^1].History.Elapsed.TotalSeconds;
foreach (var r in runs.SkipLast(1))
    Console.WriteLine($"batch size {r.BatchSize}: {r.History.Elapsed.TotalSeconds / fullSeconds:0.0}x the time of the full batch per epoch");

// ### What the measurement says
//
// - **Batch size 64 does best.** Its loss falls in every epoch and ends clearly the lowest of the three.
//   Each of its 32 steps per epoch follows a gradient averaged over 64 pictures: reliable enough to point
//   downhill, and frequent enough to make real progress in one pass over the data.
// - **The full batch is steady but slow to get anywhere.** Its loss also falls every epoch, smoothly, since
//   each step follows the exact gradient. But three epochs bought only three steps, and it ends well behind
//   batch size 64. Its epochs are the cheapest in wall time, because all 2,000 images go through the network
//   as one big matrix product; it simply needs many more of them.
// - **Batch size 1 goes the wrong way.** At this learning rate its loss *rises* from one epoch to the next,
//   and the trained model ends up worse than the untrained one. Every step follows the gradient of a single
//   picture, which often points away from what would help the others, and 2,000 such steps per epoch at a
//   learning rate of 1e-2 keep knocking the weights about. A smaller learning rate is the usual fix, but then
//   each epoch moves the model even less, and batch size 1 is already by far the slowest per epoch: the same
//   arithmetic, cut into 2,000 tiny pieces, pays the fixed cost of a forward pass, a backward pass and a
//   weight update 2,000 times.
//
// This is the article's argument in numbers: mini-batches give many useful steps per epoch, and each step
// is cheap. The seconds depend on the machine and on whatever else it is doing at the time; the losses do
// not, since the seeds and the data are fixed.

// ## The DataLoader
//
// From now on we train with mini-batches of 64, as the article does. `DataLoader` does the batching: each
// time you loop over it (one epoch) it shuffles the order of the images with its own seeded generator,
// then hands out batches of 64 images and their labels. The count is 10,000 / 64 rounded up; the last
// batch is smaller (pass `dropLast: true` to skip it).
var trainLoader = new DataLoader(cifar2, batchSize: 64, shuffle: true, seed: 42);
Console.WriteLine($"{trainLoader.Count} batches per epoch; the last one holds {cifar2.Count - 64 * (trainLoader.Count - 1)} images");

// ### One batch
//
// A batch is a pair of tensors: the images stacked into `[64, 3, 32, 32]` and their 64 labels. In C# the
// `foreach (var (imgs, labels) in trainLoader)` loop of the training notebooks deconstructs it; here we
// take just the first batch with LINQ's `First()`. The batch belongs to us, so we dispose it at the end.
// The training loop will flatten each image into a row of 3,072 numbers with `imgs.view(imgs.shape[0], -1)`,
// which is the shape the first linear layer expects.
var (imgs, labels) = trainLoader.First();
Console.WriteLine($"imgs   [{string.Join(", ", imgs.shape)}] {imgs.dtype}");
Console.WriteLine($"labels [{string.Join(", ", labels.shape)}] {labels.dtype}");
Console.WriteLine($"labels: {string.Join(" ", labels.data<long>().ToArray())}");
Console.WriteLine($"birds in this batch: {labels.sum().item<long>()} of {labels.shape[0]}");
Console.WriteLine($"flattened for the model: [{string.Join(", ", imgs.view(imgs.shape[0], -1).shape)}]");
imgs.Dispose();
labels.Dispose();

// ---
//
// [← previous](04-birds-and-airplanes.ipynb) · [next →](06-fully-connected-model.ipynb)
