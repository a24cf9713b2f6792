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
#:project ../../lib/CifarHelpers/CifarHelpers.csproj

using Microsoft.Data.Analysis;
using TorchSharp;
using static TorchSharp.torch;
using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Training;
using CifarHelpers.Notebook;
using static CifarHelpers.Notebook.NotebookApp;

CifarHelpers.Notebook.NotebookApp.Start();

// # 07 · Choosing a loss
//
// [中文版](../zh-CN/07-choosing-a-loss.ipynb)
//
// The article *pytorch深度学习实战:全连接神经网络图像识别*, **§3.1 损失的选择** (Choosing the loss), with
// **§3.1.1 分类任务的核心目标** (The core goal of a classification task),
// **§3.1.2 为什么MSE不适合分类?** (Why is MSE unsuited to classification?),
// **§3.1.3 负对数似然(NLL)损失:分类的专属损失** (The negative log-likelihood (NLL) loss: a loss made for classification),
// **§3.1.4 PyTorch中的实际用法(解决数值不稳定)** (In practice in PyTorch (avoiding numerical instability)),
// **§3.1.5 交叉熵损失:LogSoftmax+NLLLoss的组合** (The cross-entropy loss: LogSoftmax and NLLLoss combined) and
// **§3.1.6 总结** (Summary).
//
// A loss turns "how wrong is the model" into one number that training can push down. For classification the
// choice matters more than it seems: a loss that looks reasonable can stop teaching the model exactly when the
// model is most wrong.
//
// **What you will learn**
//
// - what a classifier actually has to get right, and why mean squared error against a one-hot target misses it:
//   its gradient vanishes when the model is confidently wrong, and it charges for things that do not matter;
// - what the negative log-likelihood loss (`NLLLoss`) computes, what its curve looks like, and why its gradient does not vanish;
// - why the model ends in `LogSoftmax` rather than taking the log of a softmax;
// - that `LogSoftmax` followed by `NLLLoss` is exactly `CrossEntropyLoss`, shown by training both ways;
// - what loss an untrained model starts from.

// ## Set-up
//
// The first cell only prepares the notebook: it pins the NuGet packages (TorchSharp with its CPU build of libtorch,
// SkiaSharp's native part for pictures, XPlot.Plotly for charts, Microsoft.Data.Analysis for tables), loads the
// tutorial's helper library, and calls `Tutorial.Setup`, which loads the torch runtime, registers the display
// formatters, seeds torch's random generator with 42 and prints the device it will use.
//
// This notebook also builds a small table itself, so its set-up adds `using Microsoft.Data.Analysis;`.
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
//
// Most of this notebook works on small hand-made numbers; the real images come back at the end, to see the
// loss of an untrained model on one batch.
var dataPath = "../../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var classNames = new[] { "airplane", "bird" };

var (cifar2, cifar2Val, stats) = NormalizedSubset.Load(dataPath, labelMap);
Console.WriteLine(stats);
Console.WriteLine($"Training images: {cifar2.Count}, validation images: {cifar2Val.Count}");

// ## §3.1.1 What a classifier has to get right
//
// The model's last layer gives, for each image, a probability per class. For the answer to be right, the true
// class's probability only has to be the **highest** of them. It does not have to be exactly 1: an airplane given
// probability 0.6 is classified as correctly as one given 0.99. A good loss for classification should push hard
// where the true class is not yet on top, and matter less once it clearly is.

// ## §3.1.2 Why mean squared error does not suit classification
//
// MSE is the natural loss for regression. Here are the two candidates side by side. The model ends with softmax probabilities `p = [p_airplane, p_bird]`. Two ways to score them against the
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

// The first of MSE's two problems, **gradient saturation**. Read the table from top to bottom: the model grows more and more sure of the wrong class.
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

// The second problem is **over-penalising**. MSE asks every output to hit its target exactly: 1 for the true class,
// 0 for each of the others. A right answer given with probability 0.9 is still charged for not being 1, and, with more
// than two classes, MSE also charges for *how the remaining probability is spread over the wrong classes*, which does
// not affect the answer at all. NLL looks only at the true class's probability.
//
// The cell scores three-class outputs for an image of class 0: first the same right answer (0.8 for class 0) with
// the other 0.2 spread two ways, then a right answer of 0.9. MSE is the mean of the squared differences from the
// one-hot target `[1, 0, 0]`; NLL is `-log p₀`.
var target3 = from_array(new double[,] { { 1, 0, 0 } });
foreach (var p in new[] { new double[] { 0.8, 0.2, 0.0 }, new double[] { 0.8, 0.1, 0.1 }, new double[] { 0.9, 0.1, 0.0 } })
{
    using var probs = from_array(p).unsqueeze(0);
    var mse = nn.functional.mse_loss(probs, target3).item<double>();
    var nll = -Math.Log(p[0]);
    Console.WriteLine($"p = {PyPrint.List(p)}  MSE {mse:0.0000}  NLL {nll:0.0000}");
}

// The first two rows are the same answer, equally right, with the same probability for the true class: NLL
// gives them the same loss, MSE does not (0.0267 against 0.0200). MSE prefers the second only because its wrong
// probabilities are more even, something no one asked for. Training with it spends effort on that.
//
// ## §3.1.3 The negative log-likelihood loss
//
// NLL is `-log p`, where `p` is the probability the model gives to the true class. The book sums it over the batch
// (PyTorch's `NLLLoss` averages by default) and draws it as Fig. 7.10; here is the same curve, drawn from `-Math.Log(p)`. Below the chart, its
// value at a few probabilities.
var ps = Enumerable.Range(1, 100).Select(i => i / 100.0).ToArray();
display(Charts.Lines("NLL = -log p", "p (probability of the true class)", "NLL", ("-log p", ps, ps.Select(p => -Math.Log(p)))));
foreach (var p in new[] { 0.01, 0.1, 0.5, 0.9, 1.0 })
    Console.WriteLine($"p = {p:0.00}  -log p = {0.0 - Math.Log(p):0.0000}");

// The curve is what §3.1.1 asked for. When the true class gets a low probability, the loss is large and steep
// (4.6 at 0.01, 2.3 at 0.1): a confidently wrong answer costs a lot and is pushed hard. Above 0.5, where the answer
// is already right for two classes, it flattens: going from 0.5 to 1 lowers it by only 0.69 in all. And unlike
// MSE, its gradient with respect to the true class's logit does not vanish when the model is wrong, as the table
// above showed: ∂(-log p₀)/∂z₀ = p₀ − 1.

// ## §3.1.4 In practice: LogSoftmax in the model, NLLLoss after it
//
// PyTorch's `NLLLoss` expects log-probabilities. Why not compute `softmax`, then take `log`? Because the softmax can round a tiny probability to exactly 0
// in float32, and the log of 0 is minus infinity. `log_softmax` works in the log domain all along
// (`z_i − log Σ e^{z_j}`, with the largest logit subtracted first), so it stays finite. With logits `[-60, 60]`
// the true log-probability of class 0 is -120:
var extreme = from_array(new float[] { -60, 60 });
Console.WriteLine($"log(softmax(z)) = {extreme.softmax(0).log().ToString(TorchSharp.TensorStringStyle.Numpy)}");
Console.WriteLine($"log_softmax(z)  = {extreme.log_softmax(0).ToString(TorchSharp.TensorStringStyle.Numpy)}");

// A single `-inf` log-probability would make the loss `+inf` (not NaN); its gradients come out NaN, and after the
// next update so do the weights. So the article puts `LogSoftmax` inside the
// model, and `NLLLoss` takes its stable log-probabilities: for a batch it picks each row's log-probability of the
// true class, negates it and averages. That is the model of notebook 06.

// ## §3.1.5 `CrossEntropyLoss` = `LogSoftmax` + `NLLLoss`
//
// `CrossEntropyLoss` does the two steps in one: it takes the raw scores (logits) and applies `log_softmax`
// itself. So the article's §3.1.5 drops the `LogSoftmax` layer from the model and trains with `nn.CrossEntropyLoss()`.
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

// The same number on one batch is the definition; the article's point is that training goes the same way. The
// cell builds the article's model and a copy **without** its `LogSoftmax` layer, with the same starting weights
// (copied), trains the first with `NLLLoss` and the second with `CrossEntropyLoss` for three epochs, over the same
// seeded batches, with SGD at 1e-2 (`Trainer.Fit` runs the loop of notebook 08). It prints each epoch's mean loss
// for both, the largest difference between their weights afterwards, and both validation accuracies.
manual_seed(42);
var withLogSoftmax = FullyConnected.Create();
var withoutLogSoftmax = nn.Sequential(nn.Linear(3072, 512), nn.Tanh(), nn.Linear(512, 2));
using (no_grad())
    foreach (var (copy, original) in withoutLogSoftmax.parameters().Zip(withLogSoftmax.parameters()))
        copy.copy_(original);

var ceEpochs = 3;
var nllHistory = new Trainer(withLogSoftmax, optim.SGD(withLogSoftmax.parameters(), 1e-2), nn.NLLLoss())
    .Fit(new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42), ceEpochs);
var ceHistory = new Trainer(withoutLogSoftmax, optim.SGD(withoutLogSoftmax.parameters(), 1e-2), nn.CrossEntropyLoss())
    .Fit(new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42), ceEpochs);

Console.WriteLine("epoch  LogSoftmax + NLLLoss  CrossEntropyLoss");
for (int e = 0; e < ceEpochs; e++)
    Console.WriteLine($"{e + 1,5}  {nllHistory.Epochs[e].MeanLoss,20:F6}  {ceHistory.Epochs[e].MeanLoss,16:F6}");
var weightGap = withLogSoftmax.parameters().Zip(withoutLogSoftmax.parameters())
    .Max(pair => (pair.First - pair.Second).abs().max().item<float>());
Console.WriteLine($"max |weight difference|: {weightGap:E1}");
var ceValLoader = new BatchLoader(cifar2Val, batchSize: 64, shuffle: false);
Console.WriteLine($"Accuracy: {Evaluator.Evaluate(withLogSoftmax, ceValLoader, classes: 2).Accuracy:F4} {Evaluator.Evaluate(withoutLogSoftmax, ceValLoader, classes: 2).Accuracy:F4}");

// The two columns agree to the printed digits, the weights agree to rounding error at most, and both models get the same
// validation accuracy: the same training. The model without `LogSoftmax` outputs raw scores; predictions do not
// change, since `argmax` of the scores, of the probabilities and of the log-probabilities is the same class. Take
// `softmax` of the scores only when you want probabilities to show.
//
// ## §3.1.6 Summary
//
// - A classifier needs the true class's probability to be the highest, not exactly 1 (§3.1.1).
// - MSE fits regression, not this: its gradient saturates when the model is confidently wrong, and it charges
//   for differences that do not change the answer (§3.1.2).
// - NLL, `-log p` of the true class, is large and steep when the model is wrong and flat when it is right (§3.1.3).
// - Computed as `LogSoftmax` + `NLLLoss` it stays finite (§3.1.4); `CrossEntropyLoss` is the same two steps in one
//   module, on a model without the `LogSoftmax` layer (§3.1.5).
//
// Notebooks 08–10 keep the article's model with `LogSoftmax` and train it with `NLLLoss`, as the article's complete
// code (§5) does.

// ## Where training starts
//
// What loss should an untrained model have? If it guesses about 50/50 for every image, `-log 0.5 = ln 2 ≈ 0.693`.
// The cell builds the article's model (`FullyConnected.Create()`, seeded), takes the first shuffled batch of 64
// training images, flattens them to `[64, 3072]` and computes `NLLLoss`, and prints it beside ln 2.
manual_seed(42);
var seqModel = FullyConnected.Create();
var trainLoader = new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42);
var (imgs, batchLabels) = trainLoader.First();

var lossFn = nn.NLLLoss();
var loss = lossFn.forward(seqModel.forward(imgs.view(imgs.shape[0], -1)), batchLabels);
Console.WriteLine($"Untrained model, first batch: NLLLoss = {loss.item<float>():F4}; ln 2 = {Math.Log(2):F4}");

// ---
//
// [← previous](06-fully-connected-model.ipynb) · [next →](08-training.ipynb)
