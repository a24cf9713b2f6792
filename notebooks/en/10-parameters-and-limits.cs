// Generated from 10-parameters-and-limits.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 10-parameters-and-limits.cs` in this folder, or with its path from anywhere; add `-- --epochs N` for a short run.
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
using static CifarHelpers.Notebook.NotebookApp;

CifarHelpers.Notebook.NotebookApp.Start();

// # 10 · Parameters and the limits of fully connected networks
//
// [中文版](../zh-CN/10-parameters-and-limits.ipynb)
//
// The article *pytorch深度学习实战:全连接神经网络图像识别*, **§4 全连接网络的局限性** (The limitations of fully connected networks).
// Its §5, **本文完整代码** (The complete code of this article), is [`complete-code.cs`](complete-code.cs).
//
// Our model tells birds from airplanes about four times in five. This last notebook looks at what that cost:
// how many numbers the model had to learn, how well it does on the images it trained on compared with new
// ones, and one thing it simply cannot see, however long it trains.
//
// **What you will learn**
//
// - how to count a model's parameters as the article does, and where each of the 1.5 million comes from;
// - how a large gap between training and validation accuracy shows overfitting;
// - what "fixed pixel positions" means: an image shifted by a few pixels is, to this network, a different input;
// - by experiment, that a fully connected network ignores which pixels are neighbours: it learns just as well
//   from images whose pixels have been scrambled;
// - why that points to convolutions, the subject of the article's sequel.

// ## Set-up
//
// The first cell only prepares the notebook: it pins the NuGet packages (TorchSharp with its CPU build of libtorch,
// SkiaSharp's native part for pictures, XPlot.Plotly for charts, Microsoft.Data.Analysis for tables), loads the
// tutorial's helper library, and calls `Tutorial.Setup`, which loads the torch runtime, registers the display
// formatters, seeds torch's random generator with 42 and prints the device it will use.
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

// ## The trained model
//
// As in notebook 09, `ArticleRecipe.LoadOrTrain` loads the model that notebook 08 saved, or, if there is no
// checkpoint, says so and trains it here.
var checkpointPath = "../../data/models/birds-airplanes-fc";
var progress = LiveProgress.Start("Looking for the checkpoint...");
var recipeEpochs = Tutorial.Epochs(ArticleRecipe.Epochs);
var (model, source) = ArticleRecipe.LoadOrTrain(cifar2, stats, checkpointPath, seed: 42, epochs: recipeEpochs,
    onEpoch: r => progress.Update($"{r.Epoch + 1}/{recipeEpochs} epochs: loss {r.Loss:F6}"));
progress.Update(source);

// ## Counting parameters
//
// The article counts with `numlist = [p.numel() for p in model.parameters() if p.requires_grad]` and prints
// `print(sum(numlist), numlist)`: the total, a space, then the list. In C# the list comprehension becomes a LINQ
// query, `model.parameters().Where(p => p.requires_grad).Select(p => p.numel())`: the number of elements of each
// trainable tensor, in order. The cell prints it the way Python's `print` does, then the article's line beneath it.
var numlist = model.parameters().Where(p => p.requires_grad).Select(p => p.numel()).ToList();
Console.WriteLine($"{numlist.Sum()} {PyPrint.List(numlist)}");
Console.WriteLine("article: 1574402 [1572864, 512, 1024, 2]");

// Where each number comes from:
//
// - **1,572,864** = 3,072 × 512: the first layer's weight matrix, one weight from every input value to every
//   hidden unit;
// - **512**: one bias per hidden unit;
// - **1,024** = 512 × 2: the second layer's weights, from every hidden unit to each of the two outputs;
// - **2**: one bias per output.
//
// Nearly everything sits in the first layer. Its size is inputs × hidden units, so it grows with the image:
// the cell counts (without building anything big) what the same design would need for all ten CIFAR classes,
// for a wider hidden layer, and for a 1024 × 1024 colour photo.
long CountFullyConnected(long inputs, long hidden, long classes) => inputs * hidden + hidden + hidden * classes + classes;

using (var tenClasses = FullyConnected.Create(classes: 10))
    Console.WriteLine($"10 classes:                    {tenClasses.parameters().Sum(p => p.numel()),14:N0}");
Console.WriteLine($"2 classes, 1,024 hidden units: {CountFullyConnected(3 * 32 * 32, 1024, 2),14:N0}");
Console.WriteLine($"1024 x 1024 RGB, 1,024 hidden: {CountFullyConnected(3L * 1024 * 1024, 1024, 2),14:N0}");

// Three billion weights for one modest photo: stored as float32 (4 bytes each) that is nearly 13 GB for one layer. This design does not
// scale to real images.
//
// ## Training accuracy against validation accuracy
//
// 1.5 million parameters for 10,000 training images is a lot of freedom; the article says it is too much, and
// that the model overfits. The cell measures the accuracy of the
// trained model on both splits, with unshuffled loaders and `Evaluator.Evaluate` (notebook 09 showed the loop).
var trainEvalLoader = new BatchLoader(cifar2, batchSize: 64, shuffle: false);
var valLoader = new BatchLoader(cifar2Val, batchSize: 64, shuffle: false);
var trainAccuracy = Evaluator.Evaluate(model, trainEvalLoader, classes: 2).Accuracy;
var valAccuracy = Evaluator.Evaluate(model, valLoader, classes: 2).Accuracy;
Console.WriteLine($"Train accuracy: {trainAccuracy:F4}");
Console.WriteLine($"Validation accuracy: {valAccuracy:F4}");

// The model is almost perfect on the images it was trained on and clearly worse on new ones (the tests check that
// the training accuracy is above 0.97 and at least 0.1 above the validation accuracy). That gap is
// **overfitting**: with so many parameters, the network can memorise details of individual training images
// (this exact sky, that exact patch of grass) instead of learning what makes a bird a bird. More training data,
// fewer parameters, or a model built to share what it learns across the image would all help.
//
// ## Fixed pixel positions: the same image, shifted
//
// The article's second point, with a figure: a fully connected network knows *pixel positions*, not the shapes of
// objects. Every one of the 3,072 input values has its own weights; the network has no notion that value 37 and
// value 38 are neighbouring pixels. So what happens to the input vector when the very same picture moves a little?
//
// The cell takes a validation image, shifts it 3 pixels to the right (`roll` along the width; the 3 columns that
// fall off the right edge come back on the left), and compares the two normalised input vectors the model would
// get, value by value. The picture shows the original, the shifted image, and in white each pixel where at least
// one of its three input values changed by more than 0.1 (in normalised units, standard deviations).
var (valImage, valLabel) = cifar2Val[3];
var shifted = valImage.roll(3, 2);
var inputChange = (shifted - valImage).abs();
var changedValues = (inputChange > 0.1).sum().item<long>();
Console.WriteLine($"{changedValues} / {valImage.numel()} ({100.0 * changedValues / valImage.numel():0.0}%)");
Console.WriteLine($"mean |change| {inputChange.mean().item<float>():0.000}");

var channelStd = from_array(stats.Std).to_type(float32).view(3, 1, 1);
var channelMean = from_array(stats.Mean).to_type(float32).view(3, 1, 1);
var changedPixels = (inputChange > 0.1).any(0).to_type(float32).unsqueeze(2).expand(-1, -1, 3);
display(Images.Grid(new[] {
    ((valImage * channelStd + channelMean).permute(1, 2, 0), classNames[valLabel]),
    ((shifted * channelStd + channelMean).permute(1, 2, 0), "roll(3, 2)"),
    (changedPixels, "|change| > 0.1") }, columns: 3, zoom: 5));

// Most of the input vector changes, for a shift that leaves the picture the same to us. The network sees a
// largely different set of numbers arrive at its weights, and what it learned about this picture at its old position
// does not carry over to the new one. It can only learn the object again at every position, from more data or
// shifted copies, paying for each position with its own weights.
var pixelGenerator = new Generator(2024);
var pixelOrder = randperm(32 * 32, generator: pixelGenerator);

ImageDataset PermutePixels(ImageDataset dataset)
{
    using var scope = NewDisposeScope();
    var n = dataset.Images.shape[0];
    var images = dataset.Images.reshape(n, 3, 32 * 32).index_select(2, pixelOrder).reshape(n, 3, 32, 32);
    return new ImageDataset(images.MoveToOuterDisposeScope(), dataset.Labels.clone().MoveToOuterDisposeScope(), dataset.Classes);
}

var cifar2Permuted = PermutePixels(cifar2);
var cifar2ValPermuted = PermutePixels(cifar2Val);
Console.WriteLine($"Permuted: {cifar2Permuted.Count} training and {cifar2ValPermuted.Count} validation images");

// To see what the network will be looking at, the same permutation is applied to the raw bytes of a few
// validation images: the originals on the first row, their scrambled versions below. The colours survive (the
// same pixels, only moved), every shape is gone.
var cifar10Val = new Cifar10Dataset(dataPath, train: false, download: true);
var rawVal = cifar10Val.Subset(labelMap);
var rawValPermuted = PermutePixels(rawVal);

var originals = Enumerable.Range(0, 8).Select(i => { var (image, label) = rawVal[i]; return (image, classNames[label]); });
var scrambled = Enumerable.Range(0, 8).Select(i => (rawValPermuted[i].Image, "permuted"));
var examples = originals.Concat(scrambled).ToList();
var grid = Images.Grid(examples, columns: 8, zoom: 3);
foreach (var (image, _) in examples) image.Dispose();
display(grid);

// Now train two fresh models in exactly the same way: the article's recipe (`ArticleRecipe.Train`: SGD, learning
// rate 0.01, batches of 64, NLLLoss), with the same seed of ours, so the same initial weights and the same batch
// order, 10 epochs each to keep this notebook short. One sees the original images, the other the scrambled ones. Each
// is then measured on the validation images prepared the same way.
var runEpochs = Tutorial.Epochs(10);
var runProgress = LiveProgress.Start("Training on original pixels...");
var (originalModel, _) = ArticleRecipe.Train(cifar2, seed: 42, epochs: runEpochs,
    onEpoch: r => runProgress.Update($"Original pixels, {r.Epoch + 1}/{runEpochs} epochs: loss {r.MeanLoss:F4}"));
var (permutedModel, _) = ArticleRecipe.Train(cifar2Permuted, seed: 42, epochs: runEpochs,
    onEpoch: r => runProgress.Update($"Permuted pixels, {r.Epoch + 1}/{runEpochs} epochs: loss {r.MeanLoss:F4}"));
runProgress.Update($"Both models trained for {runEpochs} epochs.");

var originalAccuracy = Evaluator.Evaluate(originalModel, valLoader, classes: 2).Accuracy;
var permutedValLoader = new BatchLoader(cifar2ValPermuted, batchSize: 64, shuffle: false);
var permutedAccuracy = Evaluator.Evaluate(permutedModel, permutedValLoader, classes: 2).Accuracy;
Console.WriteLine($"Original pixels, validation accuracy: {originalAccuracy:F4}");
Console.WriteLine($"Permuted pixels, validation accuracy: {permutedAccuracy:F4}");

// The two accuracies are practically the same (the tests check that they are within 0.02; they differ a little only because the same initial weights meet
// the pixels in a different order). The network learned from noise-like images as well as from photos, which
// tells us it never used what makes a photo a photo: **which pixels are neighbours**. Edges, textures and shapes
// are all about neighbourhoods, and this model cannot see them; it can only learn, one weight at a time, which
// pixel positions tend to be bright or blue in which class.
//
// ## What comes next
//
// Both problems have the same cure: layers that look at small neighbourhoods of pixels and reuse the same few
// weights at every position of the image. Those are **convolutions**: the article closes its §4 by announcing them for its next article (the book covers them in chapter 8). They
// use the image's structure instead of throwing it away, with a tiny fraction of the parameters counted above.

// ---
//
// [← previous](09-validation.ipynb) · [next →](11-convolutional-network.ipynb)
