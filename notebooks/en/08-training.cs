// Generated from 08-training.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 08-training.cs` in this folder, or with its path from anywhere; add `-- --epochs N` for a short run.
// Pictures and charts go to artifacts/apps/; offline, set CIFAR10_ARCHIVE to a local cifar-10-binary.tar.gz.
#:property ManagePackageVersionsCentrally=false
#:property Nullable=disable
#:property PublishAot=false
#:package TorchSharp@0.107.0
#:package SkiaSharp.NativeAssets.Linux.NoDependencies@2.88.6
#:package XPlot.Plotly@4.1.0
#:package Microsoft.Data.Analysis@0.23.1
#:project ../../lib/CifarHelpers/CifarHelpers.csproj

using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Training;
using CifarHelpers.Notebook;
using static CifarHelpers.Notebook.NotebookApp;

CifarHelpers.Notebook.NotebookApp.Start();

// # 08 · Training the classifier
//
// [中文版](../zh-CN/08-training.ipynb)
//
// The article *pytorch深度学习实战:全连接神经网络图像识别*, **§3.2 训练模型** (Training the model).
//
// Everything is in place: normalised images, a model and a loss. This notebook runs the article's training loop
// for 100 epochs, watches the loss go down, puts our printout beside the article's, measures how many validation
// images the trained model gets right, and saves it for notebooks 09 and 10.
//
// **What you will learn**
//
// - the training loop, line by line, in TorchSharp: forward, loss, `zero_grad`, `backward`, `step`;
// - why it runs over shuffled mini-batches of 64 instead of one image at a time;
// - how to keep memory flat in a long loop with TorchSharp's dispose scopes;
// - how to read the article's printout (`Epoch: 0, Loss: 0.6439802646636963` and so on) and a loss curve, and how
//   to save a checkpoint.
//
// The notebook prints how long the training took.

// ## Set-up
//
// The first cell only prepares the notebook: it pins the NuGet packages (TorchSharp with its CPU build of libtorch,
// SkiaSharp's native part for pictures, XPlot.Plotly for charts, Microsoft.Data.Analysis for tables), loads the
// tutorial's helper library, and calls `Tutorial.Setup`, which loads the torch runtime, registers the display
// formatters, seeds torch's random generator with 42 and prints the device it will use.
//
// This notebook times its epochs, so its set-up adds `using System.Diagnostics;` for `Stopwatch`.
Tutorial.Setup(seed: 42);

// ## The data: `cifar2` and `cifar2Val`
//
// This notebook runs on its own, so it builds its data again. Notebooks 03 and 04 explained each step;
// `NormalizedSubset.Load` runs them in one call.
// It stands for these earlier cells: notebook 03's *All 50,000 images, in bulk* (`ChannelStats.Of`) and
// *Normalize, chained after ToTensor* (`ImageTransforms.Compose`), and notebook 04's *Two classes out of ten* (`labelMap`)
// and *Building cifar2 and cifar2Val in bulk* (`Subset`, `ApplyTransform`).
// In short:
//
// - the per-channel mean and standard deviation of the 50,000 raw training images (`ChannelStats.Of`);
// - a transform that turns bytes into floats in [0, 1] (`ToTensor`) and then normalises each channel (`Normalize`);
// - each split cut down to airplanes and birds with `labelMap` (airplane 0 → 0, bird 2 → 1), and transformed in
//   one vectorised pass with `ApplyTransform`.
//
// It reads each split once and disposes what it no longer needs, so only `cifar2` (10,000 training images) and
// `cifar2Val` (2,000 validation images) stay in memory, as `float [N, 3, 32, 32]` tensors.
var dataPath = "../../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var classNames = new[] { "airplane", "bird" };

var (cifar2, cifar2Val, stats) = NormalizedSubset.Load(dataPath, labelMap);
Console.WriteLine(stats);
Console.WriteLine($"Training images: {cifar2.Count}, validation images: {cifar2Val.Count}");

// ## Model, batches, optimiser and loss
//
// The same ingredients as the article, in its order. Before them we call `manual_seed(42)`, so the model's random
// initial weights are the same on every run; that seed is ours, the article seeds nothing.
//
// - `model`: the article's `Sequential` of notebook 06, built by `FullyConnected.Create()`
//   (Linear 3072→512, Tanh, Linear 512→2, LogSoftmax);
// - `trainLoader`: shuffled mini-batches of 64 images. Shuffling gives each epoch a new order; the loader's own
//   seed (ours too) makes that sequence of orders repeatable. 10,000 images make 157 batches, the last one of 16 images;
// - `optimizer`: plain SGD with learning rate 0.01;
// - `lossFn`: `NLLLoss`, which fits the model's `LogSoftmax` output (notebook 07);
// - `nEpochs`: 100 passes over the training set.
//
// A reader who runs the article's sections in order meets an inconsistency here. §3 builds `seq_model` and gives
// `seq_model.parameters()` to the optimiser, but §3.2 trains `model`, which at that point is §3.1.5's model without
// `LogSoftmax`, meant for `CrossEntropyLoss`. Run in that order, the loop either trains a model whose
// weights the optimiser never updates, or trains the cross-entropy variant rather than §3's model. The article's complete code (§5) is consistent, and we follow
// it: the model with `LogSoftmax`, trained with `NLLLoss`, and the optimiser holds that model's parameters.
//
// Why mini-batches? The gradient of one image is a very noisy guide, and the gradient of all 10,000 images is
// expensive to compute for one small step. A batch of 64 gives a decent estimate at a fraction of the cost, and
// the noise that remains even helps the optimiser not to settle in the first poor spot it finds.
manual_seed(42);
var model = FullyConnected.Create();
var trainLoader = new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42);
var learningRate = 1e-2;
var optimizer = optim.SGD(model.parameters(), learningRate);
var lossFn = nn.NLLLoss();
var nEpochs = Tutorial.Epochs(100);
Console.WriteLine($"{trainLoader.Count} batches of up to {trainLoader.BatchSize} images per epoch, {nEpochs} epochs, learning rate {learningRate}");

// ## The training loop
//
// This is the article's loop, with a few C# details:
//
// - `foreach (var (imgs, labels) in trainLoader)` gives one batch at a time: `imgs` is `float [64, 3, 32, 32]`,
//   `labels` is `int64 [64]`.
// - `imgs.view(batchSize, -1)` flattens each image to 3,072 numbers: `[64, 3072]`. `batchSize` is read from the
//   batch itself because the last batch is smaller.
// - `optimizer.zero_grad()` clears the gradients left by the previous batch (autograd *adds* to `.grad`),
//   `loss.backward()` computes the new ones, `optimizer.step()` moves every weight a little against its gradient.
// - **Memory.** In Python each batch's tensors are freed by reference counting as soon as nothing refers to them
//   any more (when the loop's variables move on to the next batch). .NET's garbage collector runs only now and
//   then, and it does not see the native memory that tensors hold, so we free them ourselves: everything created inside
//   `using var scope = NewDisposeScope();` is disposed at the end of the batch. The batch itself was created by
//   the loader before the scope opened, so `scope.Attach(imgs, labels)` hands it to the scope too.
//
// The article prints the last batch's loss every 10 epochs (when `epoch % 10 == 0`), as
// `Epoch: 0, Loss: 0.6439802646636963`. We print the same lines in the same form (`PyPrint.Float` writes a number
// as Python prints it), add the last epoch, and keep one line updating with the current epoch. Each epoch also records the mean loss over all
// its batches, an average over 157 batches rather than the loss of one batch of 16 images, and goes into a `TrainingHistory`
// for the chart and table below.
var history = new TrainingHistory();
var progress = LiveProgress.Start($"0/{nEpochs} epochs");
var clock = Stopwatch.StartNew();

for (int epoch = 0; epoch < nEpochs; epoch++)
{
    var epochClock = Stopwatch.StartNew();
    double lastLoss = double.NaN, lossSum = 0;
    int batches = 0;

    foreach (var (imgs, labels) in trainLoader)
    {
        using var scope = NewDisposeScope();
        scope.Attach(imgs, labels);

        var batchSize = imgs.shape[0];
        var outputs = model.forward(imgs.view(batchSize, -1));
        var loss = lossFn.forward(outputs, labels);

        optimizer.zero_grad();
        loss.backward();
        optimizer.step();

        lastLoss = loss.item<float>();
        lossSum += lastLoss;
        batches++;
    }

    history.Add(new EpochResult(epoch, lastLoss, lossSum / batches, epochClock.Elapsed));
    progress.Update($"{epoch + 1}/{nEpochs} epochs: loss {lastLoss:F6}, mean loss {lossSum / batches:F6}, {clock.Elapsed.TotalSeconds:F1} s");
    if (epoch % 10 == 0 || epoch == nEpochs - 1)
        Console.WriteLine($"Epoch: {epoch}, Loss: {PyPrint.Float(lastLoss)}");
}
Console.WriteLine($"Trained {nEpochs} epochs in {clock.Elapsed.TotalSeconds:F1} s ({clock.Elapsed.TotalSeconds / nEpochs:F2} s per epoch)");

// ### Our ten lines beside the article's
//
// The cell prints the article's ten lines and ours side by side, epoch by epoch. The numbers cannot match: the
// article's run started from other random weights and saw the batches in another order. What should match is the
// trend: both start between 0.6 and 0.75 at epoch 0 and are below 0.03 by epoch 90 (the tests check ours). On the way
// the numbers jump about (the article's go from 0.266 at epoch 20 up to 0.376 at epoch 30), because each is the loss
// of one batch of only 16 images, the last of the epoch.
double[] articleLosses = [0.6439802646636963, 0.3364253044128418, 0.2660796046257019, 0.3763981759548187, 0.24415557086467743,
                          0.1775331050157547, 0.03261692821979523, 0.04219042509794235, 0.020144721493124962, 0.02759580872952938];
Console.WriteLine("epoch  article                ours");
for (int k = 0; k < articleLosses.Length; k++)
    Console.WriteLine($"{10 * k,5}  {PyPrint.Float(articleLosses[k]),-21}  {(10 * k < history.Epochs.Count ? PyPrint.Float(history.Epochs[10 * k].Loss) : "-")}");

// ## The loss curve
//
// The article only prints numbers; a chart makes the trend easier to see. The chart has both series: the last-batch
// loss (what the article prints), which comes from just 16 images, and the mean over each epoch, which averages all
// 157 batches.
var epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
display(Charts.Lines("Training loss per epoch", "epoch", "NLL loss",
             ("last batch", epochs, history.Epochs.Select(e => e.Loss)),
             ("mean over the epoch", epochs, history.Epochs.Select(e => e.MeanLoss))));

// The same numbers as a table, every 10th epoch, with the time each epoch took. Epochs are numbered from 0, as in
// the article's printout, so epoch 90 in the table is the article's `Epoch: 90` line.
display(Tables.History(history, every: 10));

// ## Validation accuracy
//
// A falling training loss says the model fits the images it has seen. The question that matters is how it does
// on images it has *not* seen: the 2,000 validation images. Notebook 09 writes that loop out; here
// `Evaluator.Evaluate` runs it (no gradients, `argmax` of each output, count the hits) over an unshuffled
// loader.
var valLoader = new BatchLoader(cifar2Val, batchSize: 64, shuffle: false);
var evaluation = Evaluator.Evaluate(model, valLoader, classes: 2);
Console.WriteLine($"Validation accuracy: {evaluation.Accuracy:F4} ({evaluation.Correct} of {evaluation.Total})");

// ## Saving a checkpoint
//
// Notebooks 09 and 10 need this trained model; rather than train it again in each of them, we save the
// weights to `data/models/birds-airplanes-fc.bin` (TorchSharp's format; the cell's `checkpointPath` leads there from
// either edition's folder), with a small `.json` beside it that records what trained them: the model's parameters by
// name and shape, the epochs, the seed, the validation accuracy, and the data (how many images of which classes, and
// the mean and std they were normalised with, which is what a picture to classify needs later). The folder is not
// committed. Notebooks 09 to 11 load this checkpoint only when it records this notebook's recipe; if it is missing,
// or another run wrote it (say, the app with `--epochs 2`), they say why in one line and train the model themselves.
var checkpointPath = "../../data/models/birds-airplanes-fc";
Checkpoint.Save(model, checkpointPath, CheckpointInfo.For(model, nEpochs, seed: 42, cifar2, stats, evaluation.Accuracy));

Console.WriteLine($"Saved {checkpointPath}.bin and {checkpointPath}.json");
var info = Checkpoint.TryReadInfo(checkpointPath)!;
Console.WriteLine($"It holds {info.Architecture}: {info.Epochs} epochs, seed {info.Seed}, validation accuracy {info.ValidationAccuracy:F4}");
Console.WriteLine($"trained on {info.TrainImages} images of {string.Join(" and ", info.Classes)}, normalised with mean {ChannelStats.Format(info.Mean)}, std {ChannelStats.Format(info.Std)}");

// ## Going further: the same step, written out
//
// `loss.backward()` and `optimizer.step()` hide two things that cost time. Autograd writes the gradient of the
// first layer's weight, 512 × 3,072 numbers (6 MB), into a new buffer; then SGD reads that buffer back to
// subtract `lr ×` it from the weight. For this model the backward pass is short enough to write by hand:
//
// - at the output, the gradient of the mean NLL loss after `LogSoftmax` is δ = (softmax(z) − onehot(y)) / B;
// - a `Linear` layer's weight gradient is δ · aᵀ (a is the layer's input), its bias gradient is the sum of δ;
// - going down through `Tanh`, δ becomes (Wᵀ · δ) ⊙ (1 − a²).
//
// Written out, the update `W ← W − lr · δ · aᵀ` is a single matrix product that adds into W (`addmm_`), so the
// gradient is never stored. The library's `Trainer.FusedSgd` does this, and `ArticleRecipe.Train` uses it
// (notebooks 09 and 10 train with it when they find no checkpoint). The cell below trains one epoch both ways
// from the same seed and compares the two models: the same math, summed in a different order, so they agree to
// rounding error.
manual_seed(42);
var withAutograd = FullyConnected.Create();
manual_seed(42);
var byHand = FullyConnected.Create();

var autogradEpoch = new Trainer(withAutograd, optim.SGD(withAutograd.parameters(), learningRate), nn.NLLLoss())
    .Fit(new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42), epochs: 1).Epochs[0];
var fusedEpoch = Trainer.FusedSgd(byHand, learningRate)
    .Fit(new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42), epochs: 1).Epochs[0];

var largestDifference = withAutograd.parameters().Zip(byHand.parameters())
    .Max(pair => (pair.First - pair.Second).abs().max().item<float>());
Console.WriteLine($"Autograd:      loss {autogradEpoch.Loss:F6}, {autogradEpoch.Elapsed.TotalSeconds:F2} s");
Console.WriteLine($"Fused by hand: loss {fusedEpoch.Loss:F6}, {fusedEpoch.Elapsed.TotalSeconds:F2} s");
Console.WriteLine($"Largest difference between the two models' weights: {largestDifference:E1}");

// ---
//
// [← previous](07-choosing-a-loss.ipynb) · [next →](09-validation.ipynb)
