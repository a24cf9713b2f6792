// Generated from 02-to-tensor.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 02-to-tensor.cs` in this folder, or with its path from anywhere.
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

// # 02 · From image to tensor: ToTensor
//
// [中文版](../zh-CN/02-to-tensor.ipynb)
//
// The article *pytorch深度学习实战:全连接神经网络图像识别*, **§2.1 将PIL图像转换为张量** (Converting a PIL image to a tensor).
//
// A network cannot eat bytes laid out as a picture: it wants floating-point tensors with the colour
// channels first. torchvision's `ToTensor` does that conversion, and so does our `ImageTransforms.ToTensor()`.
// The article takes item 99, converts it with `ToTensor()`, prints its shape, passes `transform=ToTensor()` to the dataset, and
// shows the picture again after `permute(1, 2, 0)`. We do the same.
//
// **What you will learn**
//
// - which transforms the library offers, and how one is applied to a single image with `.Apply`;
// - what `ToTensor` changes: the layout (H×W×C → C×H×W), the type (bytes → `float32`) and the range ([0, 255] → [0, 1]);
// - how to give a dataset a transform, so every item comes out already converted;
// - why showing a C×H×W tensor needs `permute(1, 2, 0)` first;
// - how TorchVision for .NET handles the same step.

// ## Set-up
//
// The same first cell as in every notebook: packages, our helper library, and `Tutorial.Setup`, which
// loads torch, registers the image and chart displays, and seeds the random generator.
Tutorial.Setup(seed: 42);

// ## The raw data again
//
// Each notebook stands on its own, so we load the training split here. The files were fetched and
// verified in notebook 01, so this only reads them. We keep item 99, the red car, as our example.
var dataPath = "../../data/CIFAR-10/";
var cifar10 = new Cifar10Dataset(dataPath, train: true, download: true);
var (img, label) = cifar10[99];
Console.WriteLine($"{cifar10.Classes[(int)label]}: {img.dtype} [{string.Join(", ", img.shape)}]");

// ## The transforms on offer
//
// The book lists the contents of `torchvision.transforms` with `dir(...)`; the article goes straight to `ToTensor`.
// Our `ImageTransforms` class is much smaller: it holds exactly the three transforms this tutorial needs. Reflection lists them.
display(typeof(ImageTransforms).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
    .Select(m => m.Name).Distinct().OrderBy(name => name));

// ## Apply ToTensor to one image
//
// In Python a transform is a callable object: `to_tensor(img)`. In C# we call its `Apply` method.
// The result has the channels first and holds `float32` values. Each byte was divided by 255, so the darkest
// possible pixel becomes 0 and the brightest 1.
//
// The article prints the converted tensor's shape, `torch.Size([3, 32, 32])`. The cell prints the article's line and ours beneath it, in PyTorch's form
// (`PyPrint.Size` writes a shape the way PyTorch prints `torch.Size`).
var toTensor = ImageTransforms.ToTensor();
var imgT = toTensor.Apply(img);
Console.WriteLine("article: torch.Size([3, 32, 32])");
Console.WriteLine($"ours:    {PyPrint.Size(imgT.shape)}");
Console.WriteLine($"dtype {imgT.dtype}, min {imgT.min().item<float>():0.0000}, max {imgT.max().item<float>():0.0000}");

// Printing the first five red values of the top row makes the scaling concrete: byte `b` became `b / 255`.
var firstBytes = img[0, ..5, 0].data<byte>().ToArray();
var firstFloats = imgT[0, 0, ..5].data<float>().ToArray();
for (int i = 0; i < 5; i++)
    Console.WriteLine($"{firstBytes[i],3} / 255 = {firstFloats[i]:0.0000}");

// ## A dataset with a transform
//
// Rather than converting by hand, the article passes the transform to the dataset, so every item it
// hands out is already a tensor. Our `Cifar10Dataset` takes the same `transform:` argument. Since the data is on
// disk already, `download: false` is enough. Notice the extra *Transform* line in the summary.
var tensorCifar10 = new Cifar10Dataset(dataPath, train: true, download: false, transform: ImageTransforms.ToTensor());
Console.WriteLine(tensorCifar10);

// Item 99 of this dataset is the same picture, now arriving as a float tensor `[3, 32, 32]` with values in
// [0, 1]. We replace `imgT` with it, check that it holds exactly the values we got by hand, and free the
// old tensor.
var previous = imgT;
(imgT, _) = tensorCifar10[99];
Console.WriteLine(imgT.GetType().FullName);
Console.WriteLine($"shape [{string.Join(", ", imgT.shape)}], dtype {imgT.dtype}");
Console.WriteLine($"min {imgT.min().item<float>():0.0000}, max {imgT.max().item<float>():0.0000}");
Console.WriteLine($"same values as toTensor.Apply(img): {imgT.eq(previous).all().item<bool>()}");
previous.Dispose();

// ## Showing a C×H×W tensor
//
// Image viewers, like matplotlib's `imshow` in the article, expect the colour channels *last*: height,
// then width, then the three colours of each pixel. `ToTensor` moved the channels to the front, because
// that is what the network layers want. To look at the picture again we move them back.
//
// `permute(1, 2, 0)` builds a new view whose dimension 0 is the old dimension 1 (height), dimension 1 is
// the old dimension 2 (width), and dimension 2 is the old dimension 0 (channels): C×H×W becomes H×W×C.
// No pixels are copied. This cell is the C# version of the article's `plt.imshow` of the tensor after `permute(1, 2, 0)`.
Console.WriteLine($"[{string.Join(", ", imgT.shape)}] -> [{string.Join(", ", imgT.permute(1, 2, 0).shape)}]");
display(Images.Show(imgT.permute(1, 2, 0), caption: "imgT.permute(1, 2, 0)"));

// The float picture looks exactly like the byte picture of notebook 01: dividing by 255 changed the scale
// of the numbers, not the image. `Images.Show` reads floats in [0, 1] the way matplotlib does.

// ## The plain TorchVision for .NET way
//
// TorchVision for .NET works on tensors throughout. Its `datasets.CIFAR10` hands out float tensors `[3, 32, 32]`
// already, each byte divided by **256** (PyTorch's `ToTensor` divides by 255: the brightest byte becomes 1 there, and
// 255/256 ≈ 0.996 in TorchVision for .NET), so the article's conversion step has nothing to do. Its `transforms.Normalize`
// takes only float batches `[N, C, H, W]` (notebook 03).
// Our `ImageTransforms.ToTensor()` exists so that the tutorial can follow the article's order: raw bytes first, then
// the conversion, with PyTorch's numbers.

// ---
//
// [← previous](01-loading-cifar10.ipynb) · [next →](03-normalize.ipynb)
