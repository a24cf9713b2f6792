// Generated from 01-loading-cifar10.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 01-loading-cifar10.cs` in this folder, or with its path from anywhere.
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

// # 01 · Loading CIFAR-10
//
// [中文版](../zh-CN/01-loading-cifar10.ipynb)
//
// The article *pytorch深度学习实战:全连接神经网络图像识别* ("PyTorch deep learning in practice: image recognition with a fully connected network"),
// **§1 实践目标:区分图片中的鸟和飞机** (Goal of the exercise: telling birds from airplanes in pictures) and
// **§2 加载数据** (Loading the data).
//
// The article sets itself one small goal (§1): given a 32×32 colour picture, say whether it shows a bird or an
// airplane. Its pictures come from CIFAR-10, and everything starts with a folder of them. Here we fetch CIFAR-10
// as the article does in §2, and take a first look at it.
//
// **What you will learn**
//
// - how `new Cifar10Dataset(dataPath, train: true, download: true)` mirrors the article's call to `datasets.CIFAR10` with `data_path`, `train=True` and `download=True`;
// - where the files land on disk, how they are checked, and how to work offline with `CIFAR10_ARCHIVE`;
// - how many images the training and validation splits hold, and what the ten classes are;
// - what one raw item looks like: a label and a 32×32 picture stored as H×W×C bytes, just like a PIL image;
// - what TorchVision for .NET's own `CIFAR10` looks like, and what our `Cifar10Dataset` adds to it.

// ## Set-up
//
// The first cell loads the packages (TorchSharp for tensors, SkiaSharp to draw images, XPlot for charts,
// Microsoft.Data.Analysis for tables) and our helper library, then calls `Tutorial.Setup`. That one call
// loads the torch runtime, teaches the notebook how to display our images and charts, seeds the random
// generator, and prints which device we compute on.
Tutorial.Setup(seed: 42);

// ## Download the two splits
//
// The article asks torchvision for the training split (`train=True`) and the validation split (`train=False`,
// CIFAR-10's test batch), with `data_path = './data/CIFAR-10/'`.
// We do the same with our `Cifar10Dataset` class; the arguments carry the same names in C# casing.
//
// `dataPath` is relative to this notebook, so the data lives in the repository's `data/CIFAR-10/` folder.
// With `download: true` the class only downloads when nothing usable is there; if the files are already
// present and verified it says so and goes straight to reading them. Each split is read in one go into a
// single tensor, rather than one tensor per picture.
var dataPath = "../../data/CIFAR-10/";
var cifar10 = new Cifar10Dataset(dataPath, train: true, download: true);
var cifar10Val = new Cifar10Dataset(dataPath, train: false, download: true);

// ## Where the files land
//
// The archive unpacks into `data/CIFAR-10/cifar-10-batches-bin`: five training batches of 10,000 images
// each, one test batch of 10,000, and a small text file with the class names. This is CIFAR-10's *binary*
// version: every record is one label byte followed by 3,072 pixel bytes (1,024 red, then 1,024 green,
// then 1,024 blue), so a batch file is exactly 10,000 × 3,073 bytes. Let's list the folder.
var batchesDir = System.IO.Path.Combine(dataPath, "cifar-10-batches-bin");
foreach (var file in new System.IO.DirectoryInfo(batchesDir).GetFiles().OrderBy(f => f.Name))
    Console.WriteLine($"{file.Name,-18} {file.Length,12:N0} bytes");

// ### Integrity checks and working offline
//
// Like torchvision, the library knows the MD5 checksum of every file it needs. When it unpacks an
// archive, or finds files it has not checked before, it hashes each one and refuses to go on if a
// checksum differs. It then writes the small `.verified` stamp you see above, which records each file's
// size and time, so later runs skip the hashing and print *Files already downloaded and verified*.
//
// The official host can be slow. If you already have `cifar-10-binary.tar.gz` somewhere (a USB stick, a
// shared drive), point the environment variable `CIFAR10_ARCHIVE` at it before starting the notebook,
// and the library unpacks that archive instead of downloading:
//
// ```bash
// export CIFAR10_ARCHIVE=/path/to/cifar-10-binary.tar.gz
// ```
//
// The order it tries is: files already in place, then the local archive, then an archive downloaded
// earlier, then (with `download: true`) the network. The constructor also takes an `archive:` argument
// that does the same as the variable.

// ## What kind of object is it?
//
// The book (chapter 7 of *Deep Learning with PyTorch*, which the article follows) prints `type(cifar10).__mro__` to
// show that the CIFAR-10 class is a kind of `Dataset`; the article itself does not. In C# we can walk the same chain
// with reflection: `Cifar10Dataset` derives from `ImageDataset`, the library's general "images plus labels" class, which the
// other notebooks use for subsets too.
for (var type = cifar10.GetType(); type is not null; type = type.BaseType)
    Console.WriteLine(type.FullName);

// ## How many images?
//
// Python uses `len(cifar10)`; .NET collections call it `Count`. The training split should hold 50,000
// images and the validation split 10,000.
Console.WriteLine($"cifar10.Count    = {cifar10.Count}");
Console.WriteLine($"cifar10Val.Count = {cifar10Val.Count}");

// ## The ten classes
//
// The book writes the ten class names out by hand; the article only needs two of them (`class_names = ['airplane',
// 'bird']`, notebook 04). Our dataset carries all ten in `Classes`, indexed by label, so label 0 is an airplane,
// label 2 a bird, and so on.
for (int i = 0; i < cifar10.Classes.Count; i++)
    Console.WriteLine($"{i}: {cifar10.Classes[i]}");

// ## A summary like torchvision's
//
// Printing a torchvision dataset gives a short summary. `ToString()` on ours gives the same lines, so
// `Console.WriteLine` shows the same thing.
Console.WriteLine(cifar10);
Console.WriteLine(cifar10Val);

// ## Images per class
//
// CIFAR-10 is balanced: every class has the same number of pictures in each split. `Tables.ClassCounts`
// counts the labels and returns a DataFrame, which the notebook renders as a table. `display(...)` shows a
// value in the middle of a cell; the last line's value is shown anyway.
display(Tables.ClassCounts(cifar10));
display(Tables.ClassCounts(cifar10Val));

// ## One raw item
//
// Indexing works like in Python and returns a pair, which C# deconstructs into two variables. Without a
// transform, the image is what a PIL image is to the article: 32 rows × 32 columns × 3 colour channels of
// bytes (0 to 255), laid out H×W×C. The label is a plain number; `Classes` turns it into a name.
var (img, label) = cifar10[99];
Console.WriteLine($"label {label}: {cifar10.Classes[(int)label]}");
Console.WriteLine($"image {img.dtype} [{string.Join(", ", img.shape)}]");

// Now let's look at it. The book shows this PIL image with `plt.imshow(img)`; the article shows its pictures only
// after `ToTensor` (notebook 02). Here `Images.Show` turns an H×W×C tensor into a small picture, enlarged so the
// 32×32 pixels are easy to see.
display(Images.Show(img, caption: $"cifar10[99]: {cifar10.Classes[(int)label]}"));

// ## The plain TorchVision for .NET way
//
// Our `Cifar10Dataset` is a helper. TorchSharp's companion package TorchVision (`#r "nuget: TorchVision, 0.107.0"`) has
// its own, and a reader should know it. Written without our library, this notebook's loading step is:
//
// ```csharp
// // TorchVision looks for <root>/CIFAR10/cifar-10-batches-bin, so root is the folder above that.
// var cifar10 = torchvision.datasets.CIFAR10(root, true, true, (torchvision.ITransform?)null!);   // train, download
// var item = cifar10.GetTensor(99);                 // a Dictionary<string, Tensor>
// var img = item["data"];                           // float [3, 32, 32], already divided by 256
// var label = item["label"].item<long>();
// ```
//
// What our class adds, and why the notebooks use it:
//
// - **It reads like the article.** `cifar10[99]` gives an `(image, label)` pair, and without a transform the image is
//   the raw H×W×C bytes, as the article's PIL image is; `ToTensor` (notebook 02) then makes floats in [0, 1] by
//   dividing by 255, as PyTorch does. TorchVision's items are floats from the start, divided by 256.
// - **Checked files.** It verifies every file against CIFAR-10's MD5 sums, can unpack a local archive
//   (`CIFAR10_ARCHIVE`), and resumes a broken download. TorchVision downloads without a checksum.
// - **One tensor per split.** It reads the 50,000 images into one `uint8 [50000, 3, 32, 32]` tensor and works on it in
//   bulk. TorchVision builds one tensor per image (50,000 small tensors), and disposing one of its items breaks the
//   dataset for good.
//
// We do not run TorchVision's loader here: it would add a package, and the bench (`bench/`) measures its loading time
// against ours.

// ---
//
// [next →](02-to-tensor.ipynb)
