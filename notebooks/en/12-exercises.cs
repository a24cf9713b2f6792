// Generated from 12-exercises.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 12-exercises.cs` in this folder, or with its path from anywhere.
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
using CifarHelpers.Exercises;
using TorchSharp.Modules;
using static CifarHelpers.Notebook.NotebookApp;

CifarHelpers.Notebook.NotebookApp.Start();

// # 12 · Exercises
//
// [中文版](../zh-CN/12-exercises.ipynb)
//
// **Beyond the article.** The article *pytorch深度学习实战:全连接神经网络图像识别* has no exercises. This notebook
// asks six: three on the article's own steps (**§2.2 归一化** (Normalization), **§3.1.4 PyTorch中的实际用法(解决数值不稳定)**
// (Practical use in PyTorch: avoiding numerical instability) and **§3.3 验证模型** (Validating the model)), and three
// after the book's chapter 7 exercises, as far as we know them (random crops as data augmentation, MSE as the loss,
// a smaller network against overfitting; we could not check the book's own wording, so none of it is quoted here).
// The answers, and what each experiment measured, are in [12-exercises-solutions](12-exercises-solutions.ipynb):
// try first.
//
// **How it works.** Each exercise has a task, a code cell with a place marked `// TODO: your code here`, and a check
// cell. The check calls a checker in the helper library (`Exercise.Check1` to `Exercise.Check6`), which runs your
// function or model on inputs of its own, edge cases included, and prints one line: `Exercise N: solved — ` and what
// it measured, or `Exercise N: not yet — ` and a hint about the first thing that is wrong. An unfinished exercise never
// stops the notebook: run it top to bottom at any time.

// ## Set-up
//
// The same first cell as in the other notebooks, with one more `using`: `CifarHelpers.Exercises` holds the checkers.
Tutorial.Setup(seed: 42);

// ## The data
//
// `NormalizedSubset.Load` builds the normalised airplane/bird subsets of notebooks 03 and 04. The training exercises
// train on the first 2,000 training images only (`small`), for 8 epochs, so that each experiment takes seconds.
var dataPath = "../../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var (cifar2, cifar2Val, stats) = NormalizedSubset.Load(dataPath, labelMap);
// The first 2,000 training images: small enough to train on in seconds.
var small = new ImageDataset(cifar2.Images.narrow(0, 0, 2000).clone(), cifar2.Labels.narrow(0, 0, 2000).clone(), cifar2.Classes);
Console.WriteLine($"Training images: {cifar2.Count}, of which the exercises train on {small.Count}; validation images: {cifar2Val.Count}");

// ## Exercise 1 (§2.2): the channel mean and std yourself
//
// The article stacks its images into `[3, 32, 32, 50000]` and calls `view(3, -1).mean(dim=1)` and `.std(dim=1)`: one row
// per channel. Our images are `[N, 3, H, W]`, with the channel second. Write `ChannelMeanStd`, which returns the mean
// and the standard deviation of each channel, `[3]` each. The checker compares your result with the library's
// `ChannelStats.Of` on test batches, one of them with N = 3.
(Tensor Mean, Tensor Std) ChannelMeanStd(Tensor imgs)
{
    // imgs: [N, 3, H, W]. Return the mean and the std of each channel, [3] each.
    // TODO: your code here
    throw new NotImplementedException();
}

// Run the check:
var check1 = Exercise.Check1(ChannelMeanStd);

// ## Exercise 2 (§3.1.4): a log-softmax that does not overflow
//
// §3.1.4 explains why the model ends in `LogSoftmax` rather than taking the log of a softmax. Write `MyLogSoftmax`, the
// log-probabilities of each row of `[B, C]` logits, yourself, without calling `log_softmax`. It must stay finite for
// logits like `[1000, 0, -1000]`: `exp(1000)` overflows a float, and `log(0)` is `-inf`. Hint: subtract each row's
// largest logit first, which does not change the result.
Tensor MyLogSoftmax(Tensor logits)
{
    // logits: [B, C]. Return log(softmax(logits)) over dim 1, without overflowing.
    // TODO: your code here
    throw new NotImplementedException();
}

// The check, then the naive `log(softmax(x))` on one extreme row, and yours beside it once the check says solved:
var check2 = Exercise.Check2(MyLogSoftmax);
var extreme = tensor(new float[,] { { 1000, 0, -1000 } });
Console.WriteLine($"log(softmax(x)): {extreme.softmax(1).log().ToString(TorchSharp.TensorStringStyle.Numpy)}");
if (check2.Solved)
    Console.WriteLine($"MyLogSoftmax(x): {MyLogSoftmax(extreme).ToString(TorchSharp.TensorStringStyle.Numpy)}");

// ## Exercise 3 (§3.3): the validation loop yourself
//
// Write `Accuracy`: put the model in evaluation mode, switch gradients off (`no_grad()`, the article's
// `torch.no_grad()`), flatten each batch as the article does, take the class with the highest score (`argmax(1)`) and
// count the hits over every batch. The checker runs it on a model of its own, which has a `Dropout` layer (so forgetting
// `eval()` changes the answer) and notes whether gradients were on, and compares your accuracy with
// `Evaluator.Evaluate`.
double Accuracy(nn.Module<Tensor, Tensor> model, IEnumerable<(Tensor Images, Tensor Labels)> loader)
{
    // Return the share of images whose highest score is their true class.
    // TODO: your code here
    throw new NotImplementedException();
}

// Run the check:
var check3 = Exercise.Check3(Accuracy);

// ## Exercise 4 (the book): random crops
//
// Data augmentation (图像增广) trains on changed copies of the images. Write `RandomCrop`: pad the image `[3, 32, 32]`
// with 4 zeros on each side (`nn.functional.pad`) and return the `32 × 32` window at a random offset, a new one at each
// call. On normalised images a zero is the average colour. The placeholder returns the image unchanged.
Tensor RandomCrop(Tensor img)
{
    // img: [3, 32, 32]. Pad 4 zeros on each side, then return a 32 x 32 window at a random offset.
    // TODO: your code here
    return img.clone();
}

// The checker calls your function 40 times on a test image whose every value is different, and checks that each
// result is a window of the padded image and that the windows move both ways:
var check4 = Exercise.Check4(RandomCrop);

// Once exercise 4 says solved, this cell trains the fully connected net of notebook 08 on `small` for 8 epochs twice, from the same seed:
// without crops, and with a new random window of every image in every epoch. It prints each run's accuracy on the
// (uncropped) training images and on the validation images, and the gap between them.
var gaps = new List<double>();
if (check4.Solved)
{
    var trainEval = new BatchLoader(small, batchSize: 500);
    var valLoader = new BatchLoader(cifar2Val, batchSize: 500);
    foreach (var withCrops in new[] { false, true })
    {
        manual_seed(42);
        var model = FullyConnected.Create();
        var trainer = Trainer.FusedSgd(model, 1e-2);
        var history = new TrainingHistory();
        for (int epoch = 0; epoch < 8; epoch++)
        {
            using var scope = NewDisposeScope();
            // A new random window of every image in every epoch.
            var images = withCrops ? stack(Enumerable.Range(0, (int)small.Count).Select(i => RandomCrop(small.Images[i])).ToArray())
                                   : small.Images.alias();
            var epochSet = new ImageDataset(images, small.Labels.alias(), small.Classes);
            trainer.Fit(new BatchLoader(epochSet, batchSize: 64, shuffle: true, seed: 42 + epoch), 1, history: history);
        }
        double train = Evaluator.Evaluate(model, trainEval, classes: 2).Accuracy;
        double val = Evaluator.Evaluate(model, valLoader, classes: 2).Accuracy;
        gaps.Add(train - val);
        Console.WriteLine($"{(withCrops ? "with random crops" : "without crops    ")}: train {train:F4}, validation {val:F4}, gap {train - val:F4}");
    }
    Console.WriteLine($"Random crops changed the train-validation gap by {gaps[1] - gaps[0]:F4}");
}

// ## Exercise 5 (the book): MSE instead of NLL
//
// §3.1.2 argues that the mean squared error suits classification badly. Try it: write `MseLoss`, which takes the
// model's output (log-probabilities `[B, C]`) and the labels, and returns the mean squared error between the
// probabilities (`exp()` of the output) and the one-hot targets (`nn.functional.one_hot`), as one value that
// gradients flow through.
Tensor MseLoss(Tensor logProbs, Tensor labels)
{
    // logProbs: the model's output [B, C] (log-probabilities); labels: [B].
    // Return the mean squared error between the probabilities and the one-hot targets.
    // TODO: your code here
    throw new NotImplementedException();
}

// The checker compares value and gradient with `MSELoss` on probabilities and one-hot targets, with 2 classes and
// with 3:
var check5 = Exercise.Check5(MseLoss);

// Once exercise 5 says solved, this cell trains the fully connected net of notebook 08 on `small` for 8 epochs with NLL (the fused
// trainer) and with your MSE (the autograd `Trainer`, through a small module that wraps the function), from the same
// seed, and prints each loss's first and last epoch and the validation accuracy.
var nllLosses = new List<double>();
var mseLosses = new List<double>();
if (check5.Solved)
{
    var valLoader = new BatchLoader(cifar2Val, batchSize: 500);
    manual_seed(42);
    var nllModel = FullyConnected.Create();
    Trainer.FusedSgd(nllModel, 1e-2).Fit(new BatchLoader(small, batchSize: 64, shuffle: true, seed: 42), 8,
                                         onEpoch: r => nllLosses.Add(r.MeanLoss));
    manual_seed(42);
    var mseModel = FullyConnected.Create();
    new Trainer(mseModel, optim.SGD(mseModel.parameters(), 1e-2), new LossFunction(MseLoss))
        .Fit(new BatchLoader(small, batchSize: 64, shuffle: true, seed: 42), 8, onEpoch: r => mseLosses.Add(r.MeanLoss));
    double nllVal = Evaluator.Evaluate(nllModel, valLoader, classes: 2).Accuracy;
    double mseVal = Evaluator.Evaluate(mseModel, valLoader, classes: 2).Accuracy;
    Console.WriteLine($"NLL: mean loss {nllLosses[0]:F4} -> {nllLosses[^1]:F4} ({nllLosses[^1] / nllLosses[0]:F3} of the first epoch's), validation accuracy {nllVal:F4}");
    Console.WriteLine($"MSE: mean loss {mseLosses[0]:F4} -> {mseLosses[^1]:F4} ({mseLosses[^1] / mseLosses[0]:F3} of the first epoch's), validation accuracy {mseVal:F4}");
    Console.WriteLine($"NLL minus MSE validation accuracy: {nllVal - mseVal:F4}");
}

// A loss written as a function, as a module the Trainer takes.
// (LossFunction is declared at the end of this file.)

// The two losses have different scales (a squared error of probabilities against a negative log-probability), so the
// chart divides each by its first epoch's value.
// The chart appears once exercise 5 is solved (before that, nothing was trained).
if (nllLosses.Count > 0)
{
    var epochAxis = Enumerable.Range(0, nllLosses.Count).Select(e => (double)e).ToArray();
    display(Charts.Lines("Mean loss per epoch, relative to the first epoch", "epoch", "loss / first epoch's loss",
                         ("NLL", epochAxis, nllLosses.Select(l => l / nllLosses[0])),
                         ("MSE", epochAxis, mseLosses.Select(l => l / mseLosses[0]))));
}

// ## Exercise 6 (the book): shrink the network until it stops overfitting
//
// Notebook 10 counted 1,574,402 parameters and called the net too big for its data. Write `Net(hidden)`: the layers of
// the article's net, but with `hidden` units in the hidden layer. The next cell trains it on `small` for sizes 512, 128, 32, 8 and 2, and prints the gap
// between training and validation accuracy for each; here a gap of at most 0.04 (`Exercise.MaxGap`) counts as not
// overfitting.
Sequential Net(int hidden)
{
    // The article's net with `hidden` hidden units: 3072 inputs, 2 classes, log-probabilities out.
    // TODO: your code here
    throw new NotImplementedException();
}

// The sweep runs once `Net` builds the right model (`Exercise.Builds`); each size starts from seed 42.
var sweep = new List<(int Hidden, double Train, double Val)>();
if (Exercise.Builds(Net))
{
    var trainEval = new BatchLoader(small, batchSize: 500);
    var valLoader = new BatchLoader(cifar2Val, batchSize: 500);
    foreach (var hidden in new[] { 512, 128, 32, 8, 2 })
    {
        manual_seed(42);
        var model = Net(hidden);
        Trainer.FusedSgd(model, 1e-2).Fit(new BatchLoader(small, batchSize: 64, shuffle: true, seed: 42), 8);
        double train = Evaluator.Evaluate(model, trainEval, classes: 2).Accuracy;
        double val = Evaluator.Evaluate(model, valLoader, classes: 2).Accuracy;
        sweep.Add((hidden, train, val));
        Console.WriteLine($"hidden {hidden,3}: train {train:F4}, validation {val:F4}, gap {train - val:F4}");
    }
}

// Read the table and set `largestHidden` to the largest size whose gap is at most 0.04. The checker trains that size and
// four times as many units with the same recipe: the first must not overfit, the second must.
// TODO: the largest hidden size in the sweep whose gap is at most Exercise.MaxGap (0.04)
int largestHidden = 0;

// Run the check:
var check6 = Exercise.Check6(Net, largestHidden, cifar2, cifar2Val);

// ---
//
// [← previous](11-convolutional-network.ipynb) · [solutions →](12-exercises-solutions.ipynb) · [next →](13-using-the-model.ipynb)

// Types declared in the notebook's cells: a file-based app declares them after its statements.

class LossFunction : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Func<Tensor, Tensor, Tensor> loss;
    public LossFunction(Func<Tensor, Tensor, Tensor> loss) : base("LossFunction") => this.loss = loss;
    public override Tensor forward(Tensor output, Tensor target) => loss(output, target);
}
