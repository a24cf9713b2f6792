// Generated from 09-validation.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 09-validation.cs` in this folder, or with its path from anywhere; add `-- --epochs N` for a short run.
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

// # 09 · Validation accuracy
//
// [中文版](../zh-CN/09-validation.ipynb)
//
// The article *pytorch深度学习实战:全连接神经网络图像识别*, **§3.3 验证模型** (Validating the model).
//
// The training loss of notebook 08 fell close to zero. That only says the model fits the 10,000 images it was
// trained on. Here we ask the real question: of 2,000 airplanes and birds it has never seen, how many does it
// get right? And which ones does it get wrong?
//
// **What you will learn**
//
// - the article's validation loop: no gradients, `torch.max` of each output, count correct and total;
// - how our accuracy compares with the article's `Accuracy: 0.813`;
// - how to read a confusion matrix, class by class;
// - what the model's mistakes look like.

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
//
// Only `cifar2Val` is needed to validate; `cifar2` is there in case the model has to be trained again (next cell).
var dataPath = "../../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var classNames = new[] { "airplane", "bird" };

var (cifar2, cifar2Val, stats) = NormalizedSubset.Load(dataPath, labelMap);
Console.WriteLine(stats);
Console.WriteLine($"Training images: {cifar2.Count}, validation images: {cifar2Val.Count}");

// ## The trained model
//
// Notebook 08 saved its model in `data/models/`. `ArticleRecipe.LoadOrTrain` builds the article's network
// (`FullyConnected.Create()`), checks that the checkpoint holds that network trained by the article's recipe (the
// parameters' names and shapes, 100 epochs, seed 42, the same images normalised the same way), loads the weights
// and says where they came from. A checkpoint of another run is not used: one line says why. If there is no checkpoint (notebook 08 has not been run), it says so and trains the
// same model here with the same recipe and seed; the progress line then shows the epochs.
var checkpointPath = "../../data/models/birds-airplanes-fc";
var progress = LiveProgress.Start("Looking for the checkpoint...");
var recipeEpochs = Tutorial.Epochs(ArticleRecipe.Epochs);
var (model, source) = ArticleRecipe.LoadOrTrain(cifar2, stats, checkpointPath, seed: 42, epochs: recipeEpochs,
    onEpoch: r => progress.Update($"{r.Epoch + 1}/{recipeEpochs} epochs: loss {r.Loss:F6}"));
progress.Update(source);

// ## The validation loop
//
// This is the article's loop. Three things differ from training:
//
// - `using (no_grad())`: we only read the model, so autograd need not record anything, which saves memory and
//   time. The weights stay as they are because the loop never calls `optimizer.step()`; `no_grad` only stops the
//   recording of gradients.
// - The loader is **not** shuffled: the order does not matter for counting, and a fixed order lets us match
//   each prediction to its image later.
// - The prediction is the class with the highest output. The article writes `_, predicted = torch.max(out, dim=1)`;
//   TorchSharp's `max(dim, keepdim)` returns the same pair of values and indices, and we keep the indices.
//
// `(predicted == labels)` compares element by element and gives a tensor of booleans; `sum()` counts the `true`s.
// As in notebook 08, each batch lives in a dispose scope. The article prints `Accuracy: 0.813`, the hits over
// the total; we print ours as Python prints a float (`PyPrint.Float`), then the article's line beneath it.
var valLoader = new BatchLoader(cifar2Val, batchSize: 64, shuffle: false);
var correct = 0L;
var total = 0L;

using (no_grad())
{
    foreach (var (imgs, labels) in valLoader)
    {
        using var scope = NewDisposeScope();
        scope.Attach(imgs, labels);

        var batchSize = imgs.shape[0];
        var outputs = model.forward(imgs.view(batchSize, -1));
        var (_, predicted) = outputs.max(1, false);
        total += labels.shape[0];
        correct += (predicted == labels).sum().item<long>();
    }
}

Console.WriteLine($"Accuracy: {PyPrint.Float((double)correct / total)}");
Console.WriteLine("article: Accuracy: 0.813");
Console.WriteLine($"{correct} / {total}");

// Our accuracy is printed above the article's line (another seed, another run: the tests accept 0.78 to 0.85,
// about four images in five). Better than a coin toss by far, yet the training loss of notebook 08 fell close to zero: the model
// has learned a good deal about its training images that does not carry over to new ones. Notebook 10 measures
// that gap.
//
// ## Where the mistakes are: the confusion matrix
//
// One accuracy figure hides *which* class suffers. `Evaluator.Evaluate` runs the same loop as above and also
// counts every (true class, predicted class) pair. In the table, each row is a true class and each column a
// prediction: the diagonal holds the right answers, the other cells the two kinds of mistake. The cell also
// checks that it agrees with our hand-written loop.
var evaluation = Evaluator.Evaluate(model, valLoader, classes: 2);
Console.WriteLine($"Evaluator: {evaluation.Correct} correct of {evaluation.Total}, accuracy {evaluation.Accuracy:F4}; " +
                  $"agrees with the loop above: {evaluation.Correct == correct && evaluation.Total == total}");
for (int c = 0; c < classNames.Length; c++)
{
    long classTotal = 0;
    for (int p = 0; p < classNames.Length; p++) classTotal += evaluation.Confusion[c, p];
    Console.WriteLine($"  {classNames[c],-8}: {evaluation.Confusion[c, c]} of {classTotal} right ({(double)evaluation.Confusion[c, c] / classTotal:F4})");
}
display(Tables.Confusion(evaluation, classNames));

// ## What the mistakes look like
//
// To see the misclassified images as pictures we need their raw bytes, not the normalised floats. The raw
// validation split, cut down with the same `labelMap`, keeps the images in the same order as `cifar2Val` (both
// are the test split filtered the same way), so index *i* is the same image in both; the cell checks that the
// labels line up. Because `valLoader` is not shuffled, `evaluation.Predicted[i]` is the model's answer for
// image *i*.
//
// The grid shows the first 16 mistakes, captioned "true → predicted".
var cifar10Val = new Cifar10Dataset(dataPath, train: false, download: true);
var rawVal = cifar10Val.Subset(labelMap);
var truth = cifar2Val.Labels.data<long>().ToArray();
Console.WriteLine($"Same labels in the same order: {rawVal.Labels.data<long>().ToArray().SequenceEqual(truth)}");

var wrong = Enumerable.Range(0, truth.Length).Where(i => evaluation.Predicted[i] != truth[i]).ToList();
Console.WriteLine($"{wrong.Count} misclassified validation images; showing the first 16");

var gallery = wrong.Take(16).Select(i => (rawVal[i].Image, $"{classNames[truth[i]]} → {classNames[evaluation.Predicted[i]]}")).ToList();
var grid = Images.Grid(gallery, columns: 8, zoom: 3);
foreach (var (image, _) in gallery) image.Dispose();
display(grid);

// The model only sees 3,072 numbers, and colours and large bright or dark areas weigh heavily in them; it has no
// built-in idea of a wing or a beak. So look at the backgrounds in these mistakes as much as at the objects. That
// is the limit notebook 10 looks at.

// ---
//
// [← previous](08-training.ipynb) · [next →](10-parameters-and-limits.ipynb)
