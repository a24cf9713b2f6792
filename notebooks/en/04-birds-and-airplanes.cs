// Generated from 04-birds-and-airplanes.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 04-birds-and-airplanes.cs` in this folder, or with its path from anywhere.
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

// # 04 · Birds and airplanes
//
// [中文版](../zh-CN/04-birds-and-airplanes.ipynb)
//
// The article *pytorch深度学习实战:全连接神经网络图像识别*, **§2.3 提取鸟和飞机的图像** (Extracting the bird and airplane images).
//
// The article's task is deliberately small: given a 32×32 picture, say whether it shows a bird or an
// airplane. Here we cut that two-class data set out of CIFAR-10's ten classes, as §2.3 does with a label map
// and two list comprehensions.
//
// **What you will learn**
//
// - how a label map keeps two classes and renumbers them 0 and 1, and what the article's comment on it gets wrong;
// - how `Subset` and `ApplyTransform` build the data set in bulk, where the article builds a Python list;
// - how many images the training and validation sets hold, per class;
// - what the birds and airplanes actually look like.

// ## Set-up
//
// The usual first cell: packages, our helper library, and `Tutorial.Setup` (torch, displays, seed).
Tutorial.Setup(seed: 42);

// ## The normalised datasets
//
// Notebook 03 computed the channel statistics and built the normalising transform. We repeat that here
// so this notebook runs on its own: the statistics come from the 50,000 training images, and the *same*
// numbers normalise the validation split too. The validation data must be transformed exactly like the
// training data, or the model would see inputs on a different scale from the ones it learned on.
var dataPath = "../../data/CIFAR-10/";
var cifar10 = new Cifar10Dataset(dataPath, train: true, download: true);
var cifar10Val = new Cifar10Dataset(dataPath, train: false, download: true);
var stats = ChannelStats.Of(cifar10);
Console.WriteLine(stats);

var normalize = ImageTransforms.Compose(ImageTransforms.ToTensor(), ImageTransforms.Normalize(stats.Mean, stats.Std));
var transformedCifar10 = new Cifar10Dataset(dataPath, train: true, download: false, transform: normalize);
var transformedCifar10Val = new Cifar10Dataset(dataPath, train: false, download: false, transform: normalize);

// ## Two classes out of ten
//
// In CIFAR-10 airplanes have label 0 and birds label 2. The label map says which labels to keep and what
// to call them now: 0 stays 0, and 2 becomes 1. A model with two outputs then needs labels 0 and 1, no gaps.
// In C# a dictionary initialiser plays the role of the Python dict literal `{0: 0, 2: 1}`.
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var classNames = new[] { "airplane", "bird" };

// ### The article's comment on `label_map` is the wrong way round
//
// Beside `label_map = {0: 0, 2: 1}` the article writes a comment that calls label 0 the bird. It is not: in
// CIFAR-10, label 0 is *airplane* and label 2 is *bird*, which is also what the article's own
// `class_names = ['airplane', 'bird']` says (new label 0 is an airplane, new label 1 a bird). The code is right; only
// the comment is swapped. The cell reads the names from the data set itself.
foreach (var (oldLabel, newLabel) in labelMap)
    Console.WriteLine($"{oldLabel} ({cifar10.Classes[oldLabel]}) -> {newLabel} ({classNames[newLabel]})");

// ## Building cifar2 and cifar2Val in bulk
//
// The article's list comprehensions go over all 50,000 items, apply the transform to each image one at a time,
// and keep, in a Python list, the image-and-label pairs whose label is in the map. Here the same work happens in two
// bulk steps:
//
// 1. `Subset(labelMap)` picks the airplane and bird images out of the split's one big tensor and relabels
//    them, in a single indexing operation. The transform comes along but is not applied yet.
// 2. `ApplyTransform()` runs `ToTensor` and `Normalize` on all of them at once and returns a dataset of
//    ready float tensors, with no transform left to apply.
//
// The intermediate subset of raw bytes is only needed for a moment, so a `using` block frees it right away.
ImageDataset cifar2, cifar2Val;
using (var subset = transformedCifar10.Subset(labelMap))
    cifar2 = subset.ApplyTransform();
using (var subset = transformedCifar10Val.Subset(labelMap))
    cifar2Val = subset.ApplyTransform();

Console.WriteLine($"Training images: {cifar2.Count}, validation images: {cifar2Val.Count}");

// Each split keeps all images of the two classes; the tables count them per class. Note that the class names
// came along with the subset.
display(Tables.ClassCounts(cifar2));
display(Tables.ClassCounts(cifar2Val));

// Under the hood `cifar2` holds one float tensor of all its images and one tensor of labels. An item
// is a normalised `[3, 32, 32]` image, ready for the model.
Console.WriteLine($"cifar2.Images [{string.Join(", ", cifar2.Images.shape)}] {cifar2.Images.dtype}, " +
                  $"cifar2.Labels [{string.Join(", ", cifar2.Labels.shape)}] {cifar2.Labels.dtype}");
var (imgT, label) = cifar2[0];
Console.WriteLine($"cifar2[0]: [{string.Join(", ", imgT.shape)}] {imgT.dtype}, label {label} ({classNames[label]})");

// ## What the two classes look like
//
// Normalised tensors are for the model; for our eyes the raw bytes are better (notebook 03 showed how odd
// a normalised picture looks). So we take the same subset of the raw `cifar10`, whose items are H×W×C
// bytes, and show the first 16 images with their class names. `Images.Grid` takes (image, caption)
// pairs. The item tensors are views into the dataset; we dispose them once the grid is drawn.
var rawCifar2 = cifar10.Subset(labelMap);
var samples = Enumerable.Range(0, 16).Select(i => rawCifar2[i]).ToList();
var grid = Images.Grid(samples.Select(s => (s.Image, classNames[s.Label])), columns: 8, zoom: 3);
foreach (var s in samples) s.Image.Dispose();
display(grid);

// Look at the backgrounds as well as the objects: at 32×32 the sky, grass, water or branches around the object
// fill much of each picture. Notebook 10 comes back to what a fully connected network can and cannot learn from
// pictures like these.
//
// §2.3 of the article ends by wrapping both sets in `DataLoader`s (`batch_size=64`, `shuffle=True` for training,
// `shuffle=False` for validation). The next notebook explains why, and builds ours, `BatchLoader`s.
//
// ---
//
// [← previous](03-normalize.ipynb) · [next →](05-mini-batches.ipynb)
