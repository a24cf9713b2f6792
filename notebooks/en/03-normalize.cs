// Generated from 03-normalize.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 03-normalize.cs` in this folder, or with its path from anywhere.
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

// # 03 · Normalizing the data
//
// [中文版](../zh-CN/03-normalize.ipynb)
//
// The article *pytorch深度学习实战:全连接神经网络图像识别*, **§2.2 归一化** (Normalization).
//
// After `ToTensor` every pixel value sits in [0, 1], but the three colour channels do not share the same
// average or spread. The article normalises so that every input feature lives on a similar scale and none
// dominates the others just by its size: each channel is shifted to mean 0 and scaled to standard deviation 1,
// which tends to make gradient descent better behaved. To do that we first need each channel's mean and
// standard deviation over the training set.
//
// **What you will learn**
//
// - how the article computes per-channel statistics by stacking every image into one big tensor;
// - how to get the same numbers over all 50,000 images in bulk with `ChannelStats.Of`, side by side with the article's;
// - how to chain `ToTensor` and `Normalize` with `ImageTransforms.Compose`, and what a normalised image looks like;
// - why a normalised image looks strange when displayed.

// ## Set-up
//
// The usual first cell: packages, our helper library, and `Tutorial.Setup` (torch, displays, seed).
Tutorial.Setup(seed: 42);

// ## The data, raw and as tensors
//
// We load the training split twice, as the article has it at this point: `cifar10` gives raw byte images,
// `tensorCifar10` applies `ToTensor` to every item it hands out.
var dataPath = "../../data/CIFAR-10/";
var cifar10 = new Cifar10Dataset(dataPath, train: true, download: true);
var tensorCifar10 = new Cifar10Dataset(dataPath, train: true, download: false, transform: ImageTransforms.ToTensor());

// ## The article's way, on a small slice
//
// The article builds a Python list of every image tensor and stacks them along a new fourth dimension,
// which gives one tensor of shape `[3, 32, 32, 50000]`. It then calls `view(3, -1)`: keep the 3 channels
// and flatten everything else into one long row per channel. A mean and a standard deviation along that
// row (`dim=1`) give one number per channel.
//
// Doing that literally creates 50,000 small tensors and then a 600 MB float copy of the whole split. To see
// the idea without the cost, we follow the same steps on the first 1,000 images. `torch.stack` exists in
// TorchSharp under the same name. The temporary per-image tensors are created inside a dispose scope, so
// they are freed as soon as the stacked tensor exists; only the stacked tensor is moved out of the scope.
var n = 1000;
Tensor imgs;
using (var scope = NewDisposeScope())
{
    imgs = stack(Enumerable.Range(0, n).Select(i => tensorCifar10[i].Image), dim: 3).MoveToOuterDisposeScope();
}
Console.WriteLine($"imgs [{string.Join(", ", imgs.shape)}], dtype {imgs.dtype}");

// `view(3, -1)` reshapes without copying: the `-1` asks torch to work out the length of the second
// dimension, here 32 × 32 × 1,000. Then one mean and one standard deviation per row. `ChannelStats.Format`
// prints a list of numbers the way PyTorch prints a small tensor, so the output reads like the article's.
var perChannel = imgs.view(3, -1);
Console.WriteLine($"view(3, -1) gives [{string.Join(", ", perChannel.shape)}]");
var sliceMean = perChannel.mean([1]).data<float>().Select(v => (double)v).ToArray();
var sliceStd = perChannel.std(1).data<float>().Select(v => (double)v).ToArray();
Console.WriteLine($"first {n} images:");
Console.WriteLine($"mean {ChannelStats.Format(sliceMean)}");
Console.WriteLine($"std  {ChannelStats.Format(sliceStd)}");
imgs.Dispose();

// ## All 50,000 images, in bulk
//
// For the real statistics we use `ChannelStats.Of`. It never builds a float copy of the split: for each channel
// it adds up the bytes of all 50,000 images, and their squares, as integers (with SIMD instructions, in parallel
// chunks), so both sums are exact. From them it derives the mean and the (unbiased, like `torch.std`) standard
// deviation, with the values scaled by 1/255 as `ToTensor` scales them. It needs no memory beyond the bytes
// already loaded.
//
// Passing `tensorCifar10` or `cifar10` gives the same answer, since both hold the same bytes. The cell prints
// ours, then the article's two printouts and ours beside them, each to PyTorch's four decimals.
var stats = ChannelStats.Of(tensorCifar10);
Console.WriteLine(stats);
Console.WriteLine();
Console.WriteLine("         mean                              std");
Console.WriteLine("article  tensor([0.4914, 0.4822, 0.4465])  tensor([0.2470, 0.2435, 0.2616])");
Console.WriteLine($"ours     {ChannelStats.Format(stats.Mean)}  {ChannelStats.Format(stats.Std)}");

// The slice of 1,000 images came close to these values, but not exactly: a sample's average
// wanders around the true one. Red is on average the brightest channel and blue the darkest, and all three
// spread about equally.
//
// ## Normalize, chained after ToTensor
//
// `ImageTransforms.Normalize(mean, std)` subtracts each channel's mean and divides by its standard deviation.
// It works on floats, so it must come after `ToTensor`; `ImageTransforms.Compose` runs the transforms in
// order, as the article's `Compose([ToTensor(), Normalize(mean, std)])` does. We give it the numbers we just computed
// (`stats.Mean` and `stats.Std`). The article, once it has printed them, types the rounded constants
// into its final loading code (§5); to four decimals they are the same numbers.
var transformedCifar10 = new Cifar10Dataset(dataPath, train: true, download: false,
    transform: ImageTransforms.Compose(
        ImageTransforms.ToTensor(),
        ImageTransforms.Normalize(stats.Mean, stats.Std)));
Console.WriteLine(transformedCifar10);

// ## Item 99 after normalisation
//
// The shape stays `[3, 32, 32]`, but the values are no longer in [0, 1]: they are now "how many standard
// deviations away from the channel's average". Over the whole training set each channel would have mean 0
// and standard deviation 1; one single picture does not, because it has its own colours. Look at the car's
// per-channel means below: it is darker than the average image in all three channels, but far less so in
// red than in green and blue, which is exactly what "a red car" means in numbers.
var (imgT, _) = transformedCifar10[99];
var imgMean = imgT.view(3, -1).mean([1]).data<float>().Select(v => (double)v);
var imgStd = imgT.view(3, -1).std(1).data<float>().Select(v => (double)v);
Console.WriteLine($"shape [{string.Join(", ", imgT.shape)}], dtype {imgT.dtype}");
Console.WriteLine($"min {imgT.min().item<float>():0.0000}, max {imgT.max().item<float>():0.0000}");
Console.WriteLine($"per-channel mean {ChannelStats.Format(imgMean)}");
Console.WriteLine($"per-channel std  {ChannelStats.Format(imgStd)}");

// ## Showing the normalised image
//
// The article shows this tensor with `plt.imshow`, after `permute(1, 2, 0)`, and so do we. `permute(1, 2, 0)`
// puts the channels last, as a viewer expects (see notebook 02).
//
// The picture looks odd, and that is expected. A viewer reads floats as intensities between 0 (none) and
// 1 (full). Normalised values run from well below 0 to above 1, so `Images.Show`, like matplotlib, clips
// them: everything below the channel's average (all negative values) turns black in that channel, and
// everything more than one standard deviation above it saturates. What remains is a harsh, high-contrast
// version of the car. Nothing is wrong with the data: the network does not look at pictures, it only
// sees the numbers, and those are now nicely centred.
display(Images.Show(imgT.permute(1, 2, 0), caption: "normalised, clipped to [0, 1]"));

// Side by side with the raw picture the effect of clipping is plain to see.
var (raw, _) = cifar10[99];
display(Images.Grid(new[] { (raw, "raw bytes"), (imgT.permute(1, 2, 0), "normalised") }, columns: 2, zoom: 6));

// ## The plain TorchVision for .NET way
//
// TorchVision for .NET has the same transform: `torchvision.transforms.Normalize(means, stdevs)`, called with
// `.call(batch)`. It takes only float batches `[N, C, H, W]`; on one `[3, 32, 32]` image it throws, so a single
// image needs `unsqueeze(0)` first:
//
// ```csharp
// var normalize = torchvision.transforms.Normalize(new[] { 0.4914, 0.4822, 0.4465 }, new[] { 0.2470, 0.2435, 0.2616 });
// var normalized = normalize.call(imgT.unsqueeze(0)).squeeze(0);
// ```
//
// What ours adds: `ImageTransforms.Normalize` takes one image or a batch, `ImageTransforms.Compose` chains it after
// `ToTensor` as the article's `Compose([ToTensor(), Normalize(mean, std)])` does, and a dataset built with it can apply the whole
// chain to a split in one bulk operation (notebook 04). The statistics themselves, `ChannelStats.Of`, have no
// TorchVision counterpart: the plain way is the article's stacking, shown above on 1,000 images.

// ---
//
// [← previous](02-to-tensor.ipynb) · [next →](04-birds-and-airplanes.ipynb)
