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
#:project ../../lib/CifarHelpers/CifarHelpers.csproj

using TorchSharp;
using static TorchSharp.torch;
using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Training;
using CifarHelpers.Notebook;
using Microsoft.Data.Analysis;
using static CifarHelpers.Notebook.NotebookApp;

CifarHelpers.Notebook.NotebookApp.Start();

// # 05 · Mini-batches
//
// [中文版](../zh-CN/05-mini-batches.ipynb)
//
// The article *pytorch深度学习实战:全连接神经网络图像识别*:
//
// - **§2.3.1 mini-batch 优势** (The advantages of mini-batches), with
//   **§2.3.1.1 背景:训练循环的问题** (Background: the problem with the training loop),
//   **§2.3.1.2 三种训练方式的对比** (Three ways of training compared),
//   **§2.3.1.3 小批量的优势** (What mini-batches gain) and
//   **§2.3.1.4 关键概念** (The key concept);
// - **§2.3.2 如何实现mini-batch** (How to implement mini-batches).
//
// Training means: show the model some images, measure how wrong it is, and nudge every weight a little
// in the direction that makes it less wrong. How many images should it see before each nudge? One? All
// 10,000? The article's answer is a *mini-batch* of a few dozen, and this notebook measures why.
//
// **What you will learn**
//
// - the trade-off between full-batch, single-sample and mini-batch gradient descent, in time and in memory;
// - that the batch size is a *hyperparameter*;
// - what that trade-off looks like on our birds-and-airplanes data, measured: loss per epoch and time per epoch;
// - how our `BatchLoader` cuts a dataset into shuffled mini-batches as the article's `DataLoader` does, what one batch
//   looks like, and how TorchSharp's own `torch.utils.data.DataLoader` does it.

// ## Set-up
//
// The usual first cell: packages, our helper library, and `Tutorial.Setup` (torch, displays, seed).
// This notebook also builds a small results table itself, so it adds `using Microsoft.Data.Analysis;`.
Tutorial.Setup(seed: 42);

// ## The data: cifar2, normalised
//
// Exactly as in notebook 04: channel statistics over the 50,000 training images, `ToTensor` plus
// `Normalize`, then the airplane and bird images relabelled 0 and 1, transformed in bulk. `NormalizedSubset.Load`
// runs those steps in one call: it stands for notebook 03's *All 50,000 images, in bulk* and *Normalize, chained
// after ToTensor*, and notebook 04's *Two classes out of ten* and *Building cifar2 and cifar2Val in bulk*. This
// notebook only needs the training split.
var dataPath = "../../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var classNames = new[] { "airplane", "bird" };
var (cifar2, _, _) = NormalizedSubset.Load(dataPath, labelMap);
Console.WriteLine($"cifar2: {cifar2.Count} images of {string.Join(" and ", cifar2.Classes)}");

// ## §2.3.1 Why mini-batches?
//
// ### §2.3.1.1 The problem: one step costs a pass over everything
//
// The loss we minimise is an average over the training images, and so is its gradient. Computed exactly, one
// step of gradient descent needs every image: a forward pass over all of them, then a backward pass. That costs
// **time** (one pass over the data, an *epoch*, buys a single step) and **memory**: the backward pass needs what
// the forward pass computed, so done in one go, the input and the activations of every layer for *all* images are
// held at once. The cell puts numbers on it, in float32 (4 bytes a value).
string Megabytes(long images, long valuesPerImage) => $"{images * valuesPerImage * 4 / 1e6:N1} MB";
Console.WriteLine($"10000 x [3, 32, 32]:     input {Megabytes(10_000, 3 * 32 * 32)}, hidden {Megabytes(10_000, 512)}");
Console.WriteLine($"64 x [3, 32, 32]:        input {Megabytes(64, 3 * 32 * 32)}, hidden {Megabytes(64, 512)}");
Console.WriteLine($"1281167 x [3, 224, 224]: input {Megabytes(1_281_167, 3 * 224 * 224)}");

// Our 10,000 small images fit: about 123 MB of input and 20 MB of hidden activations. A batch of 64 needs less
// than a megabyte. But the full batch grows with the data set: for ImageNet's 1,281,167 training images at
// 224 × 224 (the last line) the input alone is 771 GB, which no ordinary machine holds. Memory does not really rule
// the full batch out, though: the data can go through the network in chunks, each chunk's gradient added to a running
// sum before the one update (the article's §2.3.1.2 describes just that, adding up every sample's gradient), and then
// only one chunk is in memory at a time. The cost that remains is time: one update per pass over the data.
//
// ### §2.3.1.2 Three ways to estimate the gradient
//
// - **Full-batch gradient descent.** Use all 10,000 images for every step. The gradient is exact, but one epoch buys
//   a single step: the whole set goes through the network before anything changes.
// - **Single-sample gradient descent.** Take a step after every image: 10,000 steps per epoch. Each gradient comes
//   from one picture, so it is noisy and points roughly, not exactly, downhill, and training is unstable. Each
//   tiny step also pays the full overhead of a forward pass, a backward pass and a weight update for one image.
//   The article calls this way SGD (stochastic gradient descent), yet the `optim.SGD` it trains with later takes
//   mini-batches of 64. Both are right: "stochastic" means the gradient is estimated from a random part of the
//   data, one image or 64, and either way it is SGD.
// - **Mini-batch gradient descent.** Average the gradient over a few dozen images: the compromise between the two.
//
// ### §2.3.1.3 What mini-batches gain
//
// The estimate is much less noisy than a single sample's, so training is more stable; there are still many steps
// per epoch; the work of one step is one matrix multiplication over the whole batch, which CPUs and GPUs do far
// more efficiently than many small ones; and the noise that is left can shake the model out of a poor spot
// (a local optimum) that the exact gradient would settle into.
//
// ### §2.3.1.4 The key concept: the batch size is a hyperparameter
//
// The batch size is a **hyperparameter** (超参数): a setting that we choose before training and that training does
// not learn, like the learning rate and the number of epochs. Common choices are 32 or 64; the article takes 64.
// The experiment below changes this one hyperparameter and keeps everything else fixed.
//
// Rather than take the section on trust, we try it.

// ## The experiment
//
// We train the article's model (`FullyConnected.Create()`: 3,072 inputs, 512 hidden units with tanh, 2
// outputs with log-softmax) with plain SGD at learning rate 1e-2 and the negative log-likelihood loss, the
// settings of the later notebooks. Only the batch size changes. Before each run we call
// `manual_seed(42)`, so all runs start from the very same weights, and each `BatchLoader` is seeded too (the seeds
// are ours; the article seeds nothing).
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
    using var loader = new BatchLoader(data, batchSize: batchSize, shuffle: true, seed: 42);
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

// The second line is the estimate for all of `cifar2`. Rather than wait for it in a demonstration, every setting
// below uses the same **first 2,000 images** of `cifar2`, a fifth of the data; the table shows how many of each
// class they hold. With 2,000 images, a full-batch step is a batch of 2,000. The comparison between the
// settings is what matters, not the absolute numbers.
var nImages = 2000;
var small = Head(cifar2, nImages);
display(Tables.ClassCounts(small));

// Now the three runs: batch size 1, the article's 64, and the full batch. Each line is printed when its
// run ends, with the model's loss over all 2,000 images before and after training (`loss before -> after`) and the
// run's time. At the end the cell gives torch back all its threads.
var runs = new List<(int BatchSize, int Steps, TrainingHistory History, double StartLoss, double FinalLoss)>();
foreach (var batchSize in new[] { 1, 64, nImages })
{
    var (history, steps, startLoss, finalLoss) = Run(small, batchSize, nEpochs);
    runs.Add((batchSize, steps, history, startLoss, finalLoss));
    var losses = string.Join(", ", history.Epochs.Select(e => e.MeanLoss.ToString("0.0000")));
    Console.WriteLine($"batch size {batchSize,4}: {steps,4} steps per epoch, mean loss per epoch [{losses}], " +
                      $"loss {startLoss:0.0000} -> {finalLoss:0.0000}, {history.Elapsed.TotalSeconds:0.0} s in all");
}
set_num_threads(threads);

// ### Loss per epoch
//
// One line per batch size: the mean training loss of each epoch, that is, the average of the losses of
// the epoch's batches, each measured just before its step. For reference, a model that answers "50/50"
// for every picture has a loss of ln 2 ≈ 0.693. All three runs start from the same weights, so they start from the
// same loss (the table's "loss before").
display(Charts.Lines("Mean training loss per epoch, by batch size", "epoch", "mean loss (NLL)",
    runs.Select(r => (r.BatchSize.ToString(),
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
// The tests of this tutorial check each point below on the printed lines above.
//
// - **Batch size 64 does best.** Its mean loss falls in every epoch, and its final loss over the 2,000 images is
//   the lowest of the three. Each of its 32 steps per epoch follows a gradient averaged over 64 pictures: reliable
//   enough to point downhill, and frequent enough to make real progress in one pass over the data.
// - **The full batch is steady but slow to get anywhere.** Its loss also falls every epoch, since each step
//   follows the exact gradient. But three epochs bought only three steps, and it ends behind batch size 64.
// - **Batch size 1 goes the wrong way.** At this learning rate its mean loss *rises* from one epoch to the next,
//   and the trained model ends with a higher loss than it started with. Every step follows the gradient of a single
//   picture, which often points away from what would help the others, and 2,000 such steps per epoch at a
//   learning rate of 1e-2 keep knocking the weights about. A smaller learning rate is the usual fix, but then
//   each epoch moves the model even less, and batch size 1 is already by far the slowest per epoch (the ratios
//   above): the same arithmetic, cut into 2,000 tiny pieces, pays the fixed cost of a forward pass, a backward
//   pass and a weight update 2,000 times.
//
// This is §2.3.1 in numbers: mini-batches give many useful steps per epoch, and each step is cheap. The seconds
// depend on the machine and on whatever else it is doing at the time. The pattern of the losses holds on any
// machine, but not necessarily every digit: the seeds fix the initial weights and the order of the batches, not
// the rounding of floating-point sums, and the CPU's instruction set, the BLAS kernels and the libtorch build all
// change the last digits.

// ## §2.3.2 How to implement mini-batches: the DataLoader, and our BatchLoader
//
// From now on we train with mini-batches of 64, as the article does. The article builds its loader with
// `DataLoader` (`batch_size=64`, `shuffle=True`) and loops over it with `for batch in train_loader:`, unpacking each
// batch with `imgs, labels = batch`. Our `BatchLoader` does the batching the same way:
// each time you loop over it (one epoch) it shuffles the order of the images with
// its own seeded generator, then hands out batches of 64 images and their labels. The count is 10,000 / 64 rounded
// up; the last batch is smaller (pass `dropLast: true` to skip it).
var trainLoader = new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42);
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

// ### The plain TorchSharp way
//
// TorchSharp has the PyTorch classes too: `torch.utils.data.Dataset` and `torch.utils.data.DataLoader`. A dataset
// hands out one item at a time, as a dictionary of tensors (`"data"` and `"label"`), and the loader stacks 64 items
// into a batch. Our `ImageDataset` is such a dataset, so TorchSharp's loader takes `cifar2` as it is, and our
// `Trainer` takes that loader's batches. The cell prints the shapes of one batch, then trains a fresh model for one
// epoch over TorchSharp's loader and prints the number of batches and the mean loss. Pass `disposeDataset: false`:
// by default TorchSharp's loader disposes its dataset when it is disposed itself.
// ImageDataset is a torch.utils.data.Dataset: TorchSharp's own DataLoader takes cifar2 as it is, and our Trainer takes
// that loader's batches. disposeDataset: false, or the loader would dispose cifar2 along with itself.
manual_seed(42);
var torchModel = FullyConnected.Create();
using (var torchLoader = torch.utils.data.DataLoader(cifar2, 64, shuffle: true, seed: 42, disposeDataset: false))
{
    foreach (var batch in torchLoader)
    {
        Console.WriteLine($"{PyPrint.Size(batch["data"].shape)} {PyPrint.Size(batch["label"].shape)}");
        break;
    }
    var torchHistory = new Trainer(torchModel, optim.SGD(torchModel.parameters(), learningRate), lossFn).Fit(torchLoader, epochs: 1);
    Console.WriteLine($"{torchLoader.Count} batches; after one epoch the mean loss is {torchHistory.Epochs[0].MeanLoss:F4}");
}

// The same shapes as our `BatchLoader`'s batches, and the same number of batches per epoch. What our `BatchLoader` adds:
//
// - it never goes item by item: a batch is one `index_select` from the dataset's single image tensor, where
//   TorchSharp's loader builds 64 dictionaries of small tensors and stacks them;
// - a batch is an `(imgs, labels)` pair, so `foreach (var (imgs, labels) in trainLoader)` does in one line what the
//   article's `for batch in train_loader:` and `imgs, labels = batch` do in two (§3.2 of the article then writes
//   `for img, label in train_loader`);
// - disposing it leaves the dataset alone (TorchSharp's loader disposes its dataset too, unless told not to).

// ---
//
// [← previous](04-birds-and-airplanes.ipynb) · [next →](06-fully-connected-model.ipynb)
