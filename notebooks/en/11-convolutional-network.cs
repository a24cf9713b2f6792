// Generated from 11-convolutional-network.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 11-convolutional-network.cs` in this folder, or with its path from anywhere; add `-- --epochs N` for a short run.
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
using System.Diagnostics;
using static CifarHelpers.Notebook.NotebookApp;

CifarHelpers.Notebook.NotebookApp.Start();

// # 11 · A convolutional network against the fully connected one
//
// [中文版](../zh-CN/11-convolutional-network.ipynb)
//
// **Beyond the article.** The article *pytorch深度学习实战:全连接神经网络图像识别* ends its
// **§4 全连接网络的局限性** (The limitations of fully connected networks) by announcing convolutional networks for its next article; the book
// *Deep Learning with PyTorch* covers them in chapter 8. This notebook is not a translation of any part of the article. It builds the
// book's small convolutional network, on the same data, and measures it against the article's fully connected net.
//
// **What you will learn**
//
// - how a convolution layer, padding and max-pooling work, and why they need so few parameters;
// - how to write a network as a TorchSharp `Module` subclass with `RegisterComponents`;
// - how the two networks compare on validation accuracy, epoch by epoch;
// - with a number, what "fixed pixel positions" costs: the accuracy of both networks on images shifted by a few pixels.

// ## Set-up
//
// The same first cell as in the other notebooks: the NuGet packages, the tutorial's helper library, and
// `Tutorial.Setup`, which loads the torch runtime, seeds torch's random generator with 42 and prints the device.
// Like notebook 08, it adds `using System.Diagnostics;` to time the training with `Stopwatch`.
Tutorial.Setup(seed: 42);

// ## The data: `cifar2` and `cifar2Val`
//
// As in notebooks 08 to 10, `NormalizedSubset.Load` builds the normalised airplane/bird subsets (notebooks 03 and 04
// explained each step): 10,000 training and 2,000 validation images, `float [N, 3, 32, 32]`.
var dataPath = "../../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var classNames = new[] { "airplane", "bird" };

var (cifar2, cifar2Val, stats) = NormalizedSubset.Load(dataPath, labelMap);
Console.WriteLine(stats);
Console.WriteLine($"Training images: {cifar2.Count}, validation images: {cifar2Val.Count}");

// ## The network
//
// A fully connected layer gives every hidden unit its own weight for each of the 3,072 input values. A
// **convolution** does the opposite: a small **kernel**, here 3 × 3 pixels across all input channels, slides over
// the image, and the *same* weights are used at every position. Each output value sees only a 3 × 3 neighbourhood,
// so the layer can detect local patterns (an edge, a patch of texture) wherever they are.
//
// The book's network, layer by layer (shapes for a batch of B images):
//
// - `Conv2d(3, 16, kernel_size: 3, padding: 1)`: 16 kernels of 3 × 3 × 3 weights plus a bias each, so
//   16 · 27 + 16 = 448 parameters. **Padding** 1 adds a one-pixel border of zeros so the kernel can sit on edge
//   pixels too and the output keeps the image's size: `[B, 3, 32, 32]` → `[B, 16, 32, 32]`;
// - `Tanh`, then `MaxPool2d(2)`: **pooling** keeps the largest value of each 2 × 2 block, halving height and width
//   (`[B, 16, 16, 16]`). Each value after it summarises a larger patch of the original image; pooling has no
//   parameters;
// - `Conv2d(16, 8, kernel_size: 3, padding: 1)`, `Tanh`, `MaxPool2d(2)`: 8 kernels of 3 × 3 × 16 weights plus
//   biases, 1,160 parameters, `[B, 8, 8, 8]`;
// - flattening to 8 · 8 · 8 = 512 values, `Linear(512, 32)`, `Tanh`, `Linear(32, 2)`: 16,416 + 66 parameters.
//
// The network returns raw scores (logits) and trains with `CrossEntropyLoss`, which is `LogSoftmax` followed by
// `NLLLoss` in one step (notebook 07), as the book does.
//
// In TorchSharp, as in PyTorch, a model with a custom `forward` is a class derived from `Module`. Its layers
// are fields; `RegisterComponents()` finds them, so that `parameters()`, `save` and `to(device)` see them.
// `ConvNet` in the helper library is the same network, with the same parameters by name and shape (a test loads this
// notebook's checkpoint into it and gets the same validation accuracy).
// (Net is declared at the end of this file.)

manual_seed(42);
var cnn = new Net();
var numlist = cnn.parameters().Where(p => p.requires_grad).Select(p => p.numel()).ToList();
Console.WriteLine($"{numlist.Sum()} {PyPrint.List(numlist)}");
using (var fullyConnected = FullyConnected.Create())
{
    var fcNumlist = fullyConnected.parameters().Where(p => p.requires_grad).Select(p => p.numel()).ToList();
    Console.WriteLine($"{fcNumlist.Sum()} {PyPrint.List(fcNumlist)}");
}
using (var probe = zeros(1, 3, 32, 32))
using (var scores = cnn.forward(probe))
    Console.WriteLine($"{PyPrint.Size(probe.shape)} -> {PyPrint.Size(scores.shape)}");

// The first line is the convolutional network's count in the article's form (`print(sum(numlist), numlist)`), the
// second the fully connected net's. About 18 thousand parameters instead of 1.5 million: about 1/87 as many
// (1,574,402 / 18,090 ≈ 87).
// The weights of a kernel are shared by all positions, so a convolution's size depends on the kernel and the
// channels, not on the size of the image; and pooling shrinks the image to 8 × 8 before the first `Linear` layer, so
// that layer has 512 inputs, not 3,072.
//
// ## Training both networks
//
// The convolutional network trains with the recipe of the article's fully connected net: SGD with learning rate 0.01,
// shuffled batches of 64. The seed, 42, is ours; the article seeds nothing.
// `Trainer` runs the loop of notebook 08 (forward, loss, clear gradients, backward, step); `FlattenImages = false`
// hands the network its images as `[B, 3, 32, 32]`. After each epoch the cell measures the accuracy on both splits
// (`Evaluator.Evaluate` with `flatten: false`).
//
// The network's loaders pass `channelsLast: true`: each batch keeps its shape `[B, 3, 32, 32]` and its values, but
// is stored with the three colour values of a pixel side by side (PyTorch's `torch.channels_last`), the order in
// which the CPU's convolution and pooling code runs fastest. The math is the same; only the speed changes. Such a
// batch is not one plain block of memory, so `forward` uses `reshape` where the book writes `view`.
//
// For the comparison curve, the fully connected net is trained for the same number of epochs from the same seed,
// with the library's fused trainer (notebook 08, *Going further*: the same math, written out). The number of epochs is
// kept small so that the notebook does not run long; the cell prints the measured training time.
var nEpochs = Tutorial.Epochs(30);
// channelsLast: the same batches, laid out channel-innermost in memory, where convolutions run faster.
var trainLoader = new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42, channelsLast: true);
var cnnTrainEvalLoader = new BatchLoader(cifar2, batchSize: 500, shuffle: false, channelsLast: true);
var cnnValLoader = new BatchLoader(cifar2Val, batchSize: 500, shuffle: false, channelsLast: true);
var trainEvalLoader = new BatchLoader(cifar2, batchSize: 500, shuffle: false);
var valLoader = new BatchLoader(cifar2Val, batchSize: 500, shuffle: false);

var cnnTrainer = new Trainer(cnn, optim.SGD(cnn.parameters(), 1e-2), nn.CrossEntropyLoss()) { FlattenImages = false };
var cnnTrainAcc = new List<double>();
var cnnValAcc = new List<double>();
var progress = LiveProgress.Start($"CNN, 0/{nEpochs} epochs");
var clock = Stopwatch.StartNew();
var cnnHistory = cnnTrainer.Fit(trainLoader, nEpochs, onEpoch: r =>
{
    cnnTrainAcc.Add(Evaluator.Evaluate(cnn, cnnTrainEvalLoader, classes: 2, flatten: false).Accuracy);
    cnnValAcc.Add(Evaluator.Evaluate(cnn, cnnValLoader, classes: 2, flatten: false).Accuracy);
    progress.Update($"CNN, {r.Epoch + 1}/{nEpochs} epochs: loss {r.MeanLoss:F4}, train {cnnTrainAcc[^1]:F4}, val {cnnValAcc[^1]:F4}, {clock.Elapsed.TotalSeconds:F0} s");
});
var cnnSeconds = clock.Elapsed.TotalSeconds;

manual_seed(42);
var fcCurve = FullyConnected.Create();
var fcTrainAcc = new List<double>();
var fcValAcc = new List<double>();
var fcLoader = new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42);
Trainer.FusedSgd(fcCurve, 1e-2).Fit(fcLoader, nEpochs, onEpoch: r =>
{
    fcTrainAcc.Add(Evaluator.Evaluate(fcCurve, trainEvalLoader, classes: 2).Accuracy);
    fcValAcc.Add(Evaluator.Evaluate(fcCurve, valLoader, classes: 2).Accuracy);
    progress.Update($"Fully connected, {r.Epoch + 1}/{nEpochs} epochs: loss {r.MeanLoss:F4}, train {fcTrainAcc[^1]:F4}, val {fcValAcc[^1]:F4}");
});
progress.Update($"CNN: {nEpochs} epochs in {cnnSeconds:F0} s ({cnnSeconds / nEpochs:F1} s per epoch, with its two evaluations)");
Console.WriteLine($"Train minus validation accuracy after epoch {nEpochs}: CNN {cnnTrainAcc[^1] - cnnValAcc[^1]:F4}, fully connected {fcTrainAcc[^1] - fcValAcc[^1]:F4}");

// The chart shows the accuracy on the training and validation images after each epoch, for both networks.
var epochAxis = Enumerable.Range(1, nEpochs).Select(e => (double)e).ToArray();
display(Charts.Lines("Accuracy per epoch", "epoch", "accuracy",
             ("CNN, train", epochAxis, cnnTrainAcc),
             ("CNN, validation", epochAxis, cnnValAcc),
             ("fully connected, train", epochAxis, fcTrainAcc),
             ("fully connected, validation", epochAxis, fcValAcc)));

// The line printed above the chart gives each net's gap between train and validation accuracy after the last epoch:
// the fully connected net's is the larger (the tests check this), the overfitting of notebook 10; the convolutional
// net's two curves stay closer together.
//
// ## Saving the convolutional network
//
// Like notebook 08, the cell saves the weights to `data/models/` (`birds-airplanes-cnn.bin`, with a `.json` that
// records the parameters' names and shapes, the epochs, the seed, the validation accuracy and the data). The book's
// `Net` written here and the library's `ConvNet` have the same parameters by name and shape, so the library's
// `ConvNet` can load this checkpoint.
var cnnCheckpoint = "../../data/models/birds-airplanes-cnn";
Checkpoint.Save(cnn, cnnCheckpoint, CheckpointInfo.For(cnn, nEpochs, seed: 42, cifar2, stats, cnnValAcc[^1]));
Console.WriteLine($"Saved {cnnCheckpoint}.bin: {ModelSummary.Signature(cnn)}");

// ## Against the article's model
//
// The fair opponent is the article's model as notebook 08 trained it, for 100 epochs. `ArticleRecipe.LoadOrTrain`
// loads notebook 08's checkpoint, or trains it here when there is none, as notebooks 09 and 10 do.
var checkpointPath = "../../data/models/birds-airplanes-fc";
var loadProgress = LiveProgress.Start("Looking for the checkpoint...");
var recipeEpochs = Tutorial.Epochs(ArticleRecipe.Epochs);
var (fcModel, fcSource) = ArticleRecipe.LoadOrTrain(cifar2, stats, checkpointPath, seed: 42, epochs: recipeEpochs,
    onEpoch: r => loadProgress.Update($"{r.Epoch + 1}/{recipeEpochs} epochs: loss {r.Loss:F6}"));
loadProgress.Update(fcSource);

var cnnAccuracy = Evaluator.Evaluate(cnn, valLoader, classes: 2, flatten: false).Accuracy;
var fcAccuracy = Evaluator.Evaluate(fcModel, valLoader, classes: 2).Accuracy;
Console.WriteLine($"CNN validation accuracy: {cnnAccuracy:F4}");
Console.WriteLine($"Fully connected validation accuracy: {fcAccuracy:F4}");

// With about 1/87 of the parameters and fewer epochs, the convolutional network classifies the validation
// images better (the tests check that its accuracy is above the fully connected net's and at least 0.86).
//
// ## Shifted images
//
// Notebook 10 showed that a shift of a few pixels changes most of the fully connected net's input values. Now we can
// measure what it does to the predictions. The cell moves every validation image right by 1, 2, 4 and 8 pixels
// (`ImageShift.Shift`: the columns that leave on the right are dropped, the ones that come in on the left are zero,
// which on normalised images is the average colour) and measures both networks on each shifted set. Each shifted
// set is scored in batches of 500 images without gradients.
int[] shifts = [0, 1, 2, 4, 8];
var cnnShifted = new List<double>();
var fcShifted = new List<double>();
foreach (var shift in shifts)
{
    using var shiftedImages = ImageShift.Shift(cifar2Val.Images, dx: shift);
    using var shiftedSet = new ImageDataset(shiftedImages, cifar2Val.Labels.clone(), cifar2Val.Classes);
    var shiftedLoader = new BatchLoader(shiftedSet, batchSize: 500, shuffle: false);
    cnnShifted.Add(Evaluator.Evaluate(cnn, shiftedLoader, classes: 2, flatten: false).Accuracy);
    fcShifted.Add(Evaluator.Evaluate(fcModel, shiftedLoader, classes: 2).Accuracy);
}

Console.WriteLine("shift  CNN     FC");
for (int i = 0; i < shifts.Length; i++)
    Console.WriteLine($"{shifts[i],5}  {cnnShifted[i]:F4}  {fcShifted[i]:F4}");

var shiftAxis = shifts.Select(s => (double)s).ToArray();
display(Charts.Lines("Validation accuracy on shifted images", "shift (pixels to the right)", "accuracy",
             ("CNN", shiftAxis, cnnShifted),
             ("fully connected", shiftAxis, fcShifted)));

// The table's first row is the unshifted validation set. As the shift grows the fully connected net loses more
// accuracy than the convolutional one (the tests check this at a 4-pixel shift). The convolution's kernels find the
// same patterns wherever they are, and pooling forgives small moves; the fully connected net has learned what its
// fixed pixel positions look like, and a shifted bird puts other values there. Neither network is fully invariant:
// the border of average colour, and larger shifts, still cost the CNN accuracy.
//
// ## What we did not do
//
// Chapter 8 of the book goes further; each of these would change the numbers above:
//
// - **data augmentation**: train on randomly shifted, flipped or cropped copies of the images, so the net sees more variety;
// - **weight decay**: add the size of the weights to the loss, which keeps them small and the model simpler;
// - **dropout**: switch off a random part of the units at each training step, so no unit can rely on another;
// - **batch normalisation**: rescale each layer's inputs over the batch, which steadies and speeds up training.

// ---
//
// [← previous](10-parameters-and-limits.ipynb) · [next →](12-exercises.ipynb)

// Types declared in the notebook's cells: a file-based app declares them after its statements.

class Net : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Conv2d conv1, conv2;
    readonly TorchSharp.Modules.Linear fc1, fc2;

    public Net() : base("Net")
    {
        conv1 = nn.Conv2d(3, 16, kernel_size: 3, padding: 1);
        conv2 = nn.Conv2d(16, 8, kernel_size: 3, padding: 1);
        fc1 = nn.Linear(8 * 8 * 8, 32);
        fc2 = nn.Linear(32, 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var out1 = nn.functional.max_pool2d(tanh(conv1.forward(x)), 2);
        var out2 = nn.functional.max_pool2d(tanh(conv2.forward(out1)), 2);
        var out3 = tanh(fc1.forward(out2.reshape(-1, 8 * 8 * 8))); // the book's view; reshape also takes channels-last batches
        return fc2.forward(out3).MoveToOuterDisposeScope();
    }
}
