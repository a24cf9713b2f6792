// Generated from 07-choosing-a-loss.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 07-choosing-a-loss.cs` in this folder, or with its path from anywhere.
// Pictures and charts go to artifacts/apps/; offline, set CIFAR10_ARCHIVE to a local cifar-10-binary.tar.gz.
#:property ManagePackageVersionsCentrally=false
#:property Nullable=disable
#:property PublishAot=false
#:package TorchSharp@0.107.0
#:package SkiaSharp.NativeAssets.Linux.NoDependencies@2.88.6
#:package XPlot.Plotly@4.1.0
#:package Microsoft.Data.Analysis@0.23.1
#:project ../lib/CifarHelpers/CifarHelpers.csproj

using Microsoft.Data.Analysis;
using TorchSharp;
using static TorchSharp.torch;
using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Training;
using CifarHelpers.Notebook;
using static CifarHelpers.Notebook.NotebookApp;

CifarHelpers.Notebook.NotebookApp.Start();

// # 07 · Choosing a loss (分类的损失)
//
// §2.4 of the article
//
// A loss turns "how wrong is the model" into one number that training can push down. For classification the
// choice matters more than it seems: a loss that looks reasonable can stop teaching the model exactly when the
// model is most wrong.
//
// **What you will learn**
//
// - why mean squared error against a one-hot target is a poor loss for a softmax classifier: its gradient
//   vanishes when the model is confidently wrong, which we measure with autograd;
// - what the negative log-likelihood loss (`NLLLoss`) computes, and why its gradient does not vanish;
// - that `LogSoftmax` followed by `NLLLoss` is exactly `CrossEntropyLoss`, and why the article later uses the latter;
// - what loss an untrained model starts from.

// ## Set-up
//
// The first cell only prepares the notebook: it pins the NuGet packages (TorchSharp with its CPU build of libtorch,
// SkiaSharp's native part for pictures, XPlot.Plotly for charts, Microsoft.Data.Analysis for tables), loads the
// tutorial's helper library, and calls `Tutorial.Setup`, which loads the torch runtime, registers the display
// formatters, seeds torch's random generator with 42 and prints the device it will use.
//
// This notebook also builds a small table itself, so its set-up adds `using Microsoft.Data.Analysis;`.
var device = Tutorial.Setup(seed: 42);

// ## The data: `cifar2` and `cifar2Val`
//
// This notebook runs on its own, so it builds its data again. Notebooks 03 and 04 explained each step;
// `NormalizedSubset.Load` runs them in one call:
//
// - the per-channel mean and standard deviation of the 50,000 raw training images (`ChannelStats.Of`);
// - a transform that turns bytes into floats in [0, 1] (`ToTensor`) and then normalises each channel (`Normalize`);
// - each split cut down to airplanes and birds with `labelMap` (airplane 0 → 0, bird 2 → 1), and transformed in
//   one vectorised pass with `ApplyTransform`.
//
// It reads each split once and disposes what it no longer needs, so only `cifar2` (10,000 training images) and
// `cifar2Val` (2,000 validation images) stay in memory, as `float [N, 3, 32, 32]` tensors.
//
// Most of this notebook works on small hand-made numbers; the real images come back at the end, to see the
// loss of an untrained model on one batch.
var dataPath = "../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var classNames = new[] { "airplane", "bird" };

var (cifar2, cifar2Val, stats) = NormalizedSubset.Load(dataPath, labelMap);
Console.WriteLine(stats);
Console.WriteLine($"Training images: {cifar2.Count}, validation images: {cifar2Val.Count}");

// ## Two candidate losses
//
// The model ends with softmax probabilities `p = [p_airplane, p_bird]`. Two ways to score them against the
// true class:
//
// - **Mean squared error** against a one-hot target: for an airplane the target is `[1, 0]`, and the loss is
//   the mean of the squared differences. It treats classification like regression onto 0s and 1s.
// - **Negative log-likelihood**: take the probability the model gave to the *true* class and return
//   `-log p_true`. A sure right answer (`p_true` = 1) costs 0; a sure wrong one (`p_true` → 0) costs without bound.
//
// Both are zero for a perfect answer, so why prefer one? Look at what happens when the model is *confidently
// wrong*. Take two logits `z = [-s, s]` while the true class is 0 (airplane): the larger `s`, the more sure the
// model is of the wrong class, bird. Training moves `z` along the gradient of the loss, so the gradient with
// respect to `z₀` (the logit of the true class) is how hard the loss pushes towards the right answer.
//
// The cell computes both losses and both gradients with autograd: `backward()` fills `z.grad`. We use float64
// so that tiny gradients are not rounded away.
var target = from_array(new long[] { 0 });                   // the true class: airplane
var oneHot = from_array(new double[,] { { 1, 0 } });   // the same class as a one-hot row

(double PCorrect, double MseLoss, double MseGrad, double NllLoss, double NllGrad) Measure(double s)
{
    using var scope = NewDisposeScope();
    var z = from_array(new double[,] { { -s, s } }).requires_grad_();
    var mse = nn.functional.mse_loss(z.softmax(1), oneHot);
    mse.backward();
    var mseGrad = z.grad[0, 0].item<double>();

    var zAgain = from_array(new double[,] { { -s, s } }).requires_grad_();
    var nll = nn.functional.nll_loss(zAgain.log_softmax(1), target);
    nll.backward();
    var nllGrad = zAgain.grad[0, 0].item<double>();

    var pCorrect = z.softmax(1)[0, 0].item<double>();
    return (pCorrect, mse.item<double>(), mseGrad, nll.item<double>(), nllGrad);
}

double Round4(double v) => double.Parse(v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture),
                                        System.Globalization.CultureInfo.InvariantCulture);

var sValues = new double[] { 1, 2, 4, 8 };
var rows = sValues.Select(Measure).ToList();
display(new DataFrame(
    new DoubleDataFrameColumn("s", sValues),
    new DoubleDataFrameColumn("p(true class)", rows.Select(r => Round4(r.PCorrect))),
    new DoubleDataFrameColumn("MSE loss", rows.Select(r => Round4(r.MseLoss))),
    new DoubleDataFrameColumn("MSE dL/dz0", rows.Select(r => Round4(r.MseGrad))),
    new DoubleDataFrameColumn("NLL loss", rows.Select(r => Round4(r.NllLoss))),
    new DoubleDataFrameColumn("NLL dL/dz0", rows.Select(r => Round4(r.NllGrad)))));

// Read the table from top to bottom: the model grows more and more sure of the wrong class.
//
// - The MSE loss creeps towards its ceiling of 1 and its gradient **shrinks towards zero**. The softmax has
//   saturated: moving `z₀` a little barely changes a probability that is already almost 0, so the squared error
//   barely changes either. A model in that state learns almost nothing from its worst mistakes.
// - The NLL loss keeps growing (about `2s` for large `s`) and its gradient **tends to -1**. In fact
//   ∂(-log p₀)/∂z₀ = p₀ − 1: the further the true class's probability is from 1, the harder the push.
//
// The chart shows the size of the two gradients over a finer range of `s`. MSE's gradient is largest for a
// mildly wrong model and then collapses; NLL's only grows until it levels off at 1.
var sFine = Enumerable.Range(0, 33).Select(i => i * 0.25).ToArray();
var fine = sFine.Select(Measure).ToList();
display(Charts.Lines("How hard each loss pushes the true class's logit (z = [-s, s], true class 0)",
             "s (how confidently wrong the model is)", "|dL/dz0|",
             ("MSE(softmax(z), one-hot)", sFine, fine.Select(r => Math.Abs(r.MseGrad))),
             ("NLL(log_softmax(z))", sFine, fine.Select(r => Math.Abs(r.NllGrad)))));

// ## `LogSoftmax` + `NLLLoss` is `CrossEntropyLoss`
//
// PyTorch's `NLLLoss` expects log-probabilities and the class index of each image; for a batch it picks each
// row's log-probability of the true class, negates it and averages. That is why the model of notebook 06 ends
// with `LogSoftmax`. `CrossEntropyLoss` does the two steps in one: it takes the raw scores (logits) and applies
// `log_softmax` itself.
//
// The cell checks this on a random batch of 64 logit pairs with random labels. It prints the two losses with
// every digit of the float (`:R`, round-trip format) and their difference.
var logits = randn(64, 2);
var labels = randint(0, 2, new long[] { 64 });

var viaNll = nn.NLLLoss().forward(nn.LogSoftmax(dim: 1).forward(logits), labels).item<float>();
var viaCrossEntropy = nn.CrossEntropyLoss().forward(logits, labels).item<float>();
Console.WriteLine($"LogSoftmax + NLLLoss: {viaNll:R}");
Console.WriteLine($"CrossEntropyLoss:     {viaCrossEntropy:R}");
Console.WriteLine($"Difference:           {viaNll - viaCrossEntropy:R}");

// ### Why the log and the softmax belong together
//
// Why not compute `softmax`, then take `log`? Because the softmax can round a tiny probability to exactly 0
// in float32, and the log of 0 is minus infinity. `log_softmax` works in the log domain all along
// (`z_i − log Σ e^{z_j}`, with the largest logit subtracted first), so it stays finite. With logits `[-60, 60]`
// the true log-probability of class 0 is -120:
var extreme = from_array(new float[] { -60, 60 });
Console.WriteLine($"log(softmax(z)) = {extreme.softmax(0).log().ToString(TorchSharp.TensorStringStyle.Numpy)}");
Console.WriteLine($"log_softmax(z)  = {extreme.log_softmax(0).ToString(TorchSharp.TensorStringStyle.Numpy)}");

// A single `-inf` would make the loss, and then every weight, NaN. This is why the article first puts
// `LogSoftmax` inside the model (so `NLLLoss` gets stable log-probabilities) and later drops it and uses
// `CrossEntropyLoss` on the raw outputs: the same number, one module fewer, and the model's output stays the
// plain scores. Predictions do not change either way, since `argmax` of the scores, of the probabilities and of
// the log-probabilities is the same class; take `softmax` of the scores only when you want probabilities to show.
//
// Notebooks 08–10 keep the article's model with `LogSoftmax` and train it with `NLLLoss`, which, as we just
// saw, is the same loss.

// ## Where training starts
//
// What loss should an untrained model have? If it guesses about 50/50 for every image, `-log 0.5 = ln 2 ≈ 0.693`.
// The cell builds the article's model (`FullyConnected.Create()`, seeded), takes the first shuffled batch of 64
// training images, flattens them to `[64, 3072]` and computes `NLLLoss`. The loss curves of notebook 08 start
// near this value.
manual_seed(42);
var seqModel = FullyConnected.Create();
var trainLoader = new DataLoader(cifar2, batchSize: 64, shuffle: true, seed: 42);
var (imgs, batchLabels) = trainLoader.First();

var lossFn = nn.NLLLoss();
var loss = lossFn.forward(seqModel.forward(imgs.view(imgs.shape[0], -1)), batchLabels);
Console.WriteLine($"Untrained model, first batch: NLLLoss = {loss.item<float>():F4}; ln 2 = {Math.Log(2):F4}");

// ---
//
// [← previous](06-fully-connected-model.ipynb) · [next →](08-training.ipynb)
