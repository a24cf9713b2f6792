// Generated from 06-fully-connected-model.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 06-fully-connected-model.cs` in this folder, or with its path from anywhere.
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

// # 06 · The fully connected model
//
// [中文版](../zh-CN/06-fully-connected-model.ipynb)
//
// The article *pytorch深度学习实战:全连接神经网络图像识别*, **§3 搭建全连接模型** (Building the fully connected model).
//
// The images are ready and normalised. Now we need something that looks at one image and says "airplane" or
// "bird". The article's first attempt is the simplest network there is: every input connected to every unit of
// a hidden layer, and every hidden unit connected to both outputs. §3 draws it, defines it as a `Sequential`,
// sets up the optimiser and the loss, and runs one image through the untrained model. (§3.1 on the choice of the
// loss is notebook 07.)
//
// **What you will learn**
//
// - how to write the article's `Sequential` model in TorchSharp, layer by layer, and what it looks like drawn;
// - why the first layer takes 3,072 inputs, and why flattening an image into a vector loses nothing (yet);
// - what softmax does, and why the model ends with `LogSoftmax`;
// - how to run one image through the untrained model, read its answer, and compare it with the article's printout.

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

// ## The model, layer by layer
//
// In Python the article chains four modules in a `Sequential`: a `Linear` layer from `3 * 32 * 32` inputs to 512
// units, `Tanh()`, a `Linear` layer from 512 units to `n_out` outputs, and `LogSoftmax(dim=1)`; `n_out` is the number
// of classes, 2. Our code writes 3072 and 2 directly. TorchSharp's `nn.Sequential` takes the same list of modules and, like PyTorch, names them "0", "1", "2", "3" by
// position (it also accepts `(name, module)` pairs when you want other names).
//
// - **`Linear(3072, 512)`** takes one flattened image and computes 512 weighted sums of its pixels, each plus a
//   bias. Why 3,072? An image has 3 colour channels of 32 × 32 pixels: 3 × 32 × 32 = 3,072 numbers.
// - **`Tanh()`** bends each of the 512 sums through the hyperbolic tangent, into (-1, 1). Without a non-linearity
//   between them, two linear layers would collapse into one linear map, and the extra layer would buy nothing.
// - **`Linear(512, 2)`** combines the 512 hidden values into two scores, one per class (airplane, bird).
// - **`LogSoftmax(dim: 1)`** turns the two scores into log-probabilities. `dim: 1` because the model works on
//   batches `[B, 2]`: dimension 0 runs over images, dimension 1 over classes.
//
// The cell prints each layer with the shapes of its weights. Note that PyTorch stores a `Linear` layer's weight
// as `[out, in]`: `[512, 3072]`.
var seqModel = nn.Sequential(nn.Linear(3072, 512), nn.Tanh(), nn.Linear(512, 2), nn.LogSoftmax(dim: 1));

foreach (var (name, layer) in seqModel.named_children())
{
    var shapes = layer.named_parameters().Select(p => $"{p.name} [{string.Join(", ", p.parameter.shape)}]");
    Console.WriteLine($"({name}): {layer.GetName(),-10} {string.Join(", ", shapes)}");
}

// ### The network, drawn
//
// The article shows a diagram of this network. `NetworkDiagram.Of` draws it from the model itself: a column of
// units for the input and for each `Linear` layer's output, sized from the weights' shapes, with every unit joined
// to every unit of the next column (that is what "fully connected" means), and the other modules written under the
// column they act on. 3,072 and 512 units do not fit on a screen, so each column shows eight and a "⋮".
display(NetworkDiagram.Of(seqModel));

// ### Flattening loses nothing (yet)
//
// The first layer wants a vector, so each `[3, 32, 32]` image will be flattened into 3,072 numbers. That is a
// reshaping, not a loss of data: every pixel value is still there, and `view(3, 32, 32)` would give the image
// back. What the model does *not* get told is which numbers were neighbours in the picture. Every input is
// connected to every hidden unit with its own weight, so the order of the inputs means nothing to the layer.
// Notebook 10 comes back to this, because it is exactly the limit of this kind of network.
//
// The tutorial's library has the same model as `FullyConnected.Create()`; notebooks 08–10 use it so that they
// all train the very same network. The cell checks that it has the same layers and weight shapes as ours.
using (var libraryModel = FullyConnected.Create())
{
    var ours = seqModel.named_parameters().Select(p => $"{p.name}:{string.Join("x", p.parameter.shape)}");
    var theirs = libraryModel.named_parameters().Select(p => $"{p.name}:{string.Join("x", p.parameter.shape)}");
    Console.WriteLine($"FullyConnected.Create(): {ModelSummary.Signature(libraryModel)}");
    Console.WriteLine($"Same layers and shapes as seqModel: {ours.SequenceEqual(theirs)}");
}

// ## The learning rate and the optimiser
//
// Training will need an optimiser: stochastic gradient descent over all of the model's parameters, with the
// article's learning rate of 0.01. `seqModel.parameters()` hands it the four weight and bias tensors.
// Nothing is trained in this notebook; notebook 08 runs the loop.
var learningRate = 1e-2;
var optimizer = optim.SGD(seqModel.parameters(), learningRate);
Console.WriteLine($"SGD over {seqModel.parameters().Count()} parameter tensors, learning rate {learningRate}");

// ## Softmax in a few lines
//
// The last linear layer gives two scores that can be any real numbers. To read them as probabilities they have
// to be positive and add up to 1. Softmax does both: it exponentiates each score and divides by the sum,
//
// $$\mathrm{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}.$$
//
// The exponential keeps the order (a bigger score gives a bigger probability) and the division makes the sum 1.
// Adding the same constant to every score changes nothing, because it multiplies the numerator and the
// denominator by the same factor. The cell shows both facts on three scores.
//
// `LogSoftmax` returns the logarithm of the same probabilities, computed in one step. That is more accurate
// than taking `log` of a softmax (notebook 07 shows why), and it is what the loss of notebook 07 expects.
var x = from_array(new float[] { 1, 2, 3 });
var softmaxX = x.softmax(0);
Console.WriteLine($"softmax([1, 2, 3])    = {softmaxX.ToString(TorchSharp.TensorStringStyle.Numpy)}, sum {softmaxX.sum().item<float>():F4}");
Console.WriteLine($"softmax([11, 12, 13]) = {(x + 10).softmax(0).ToString(TorchSharp.TensorStringStyle.Numpy)}");
Console.WriteLine($"exp(log_softmax(x))   = {x.log_softmax(0).exp().ToString(TorchSharp.TensorStringStyle.Numpy)}");

// ## One image through the untrained model
//
// Take the first training image and its label, `cifar2[0]`, as the article does. Ours returns an `(image, label)` pair;
// the image is the normalised `float [3, 32, 32]`. To show it, the cell undoes the normalisation (multiply by the
// std, add the mean, per channel) and moves the channels last, as `plt.imshow` wants. The article shows the normalised
// tensor itself at this point, and `imshow` clips its values to [0, 1], so its colours are off (as in notebook 03);
// ours is de-normalised, so the picture has its own colours.
var (img, label) = cifar2[0];
Console.WriteLine($"img: [{string.Join(", ", img.shape)}] {img.dtype}, label: {label} ({classNames[label]})");

var channelStd = from_array(stats.Std).to_type(float32).view(3, 1, 1);
var channelMean = from_array(stats.Mean).to_type(float32).view(3, 1, 1);
display(Images.Show((img * channelStd + channelMean).permute(1, 2, 0), caption: classNames[label]));

// The model works on batches, so one image has to become a batch of one. `img.view(-1)` flattens the
// `[3, 32, 32]` image into `[3072]` (no copy: a view of the same numbers), and `unsqueeze(0)` adds a batch
// dimension in front: `[1, 3072]`, as the article's `img.view(-1).unsqueeze(0)`.
//
// Python runs a module by calling it, `seqModel(img_batch)`. TorchSharp's equivalent is `seqModel.call(...)`: like
// Python's call, it runs any hooks registered on the module around `forward`. Calling `seqModel.forward(...)`
// directly skips the hooks; with none registered, as here, both give the same result.
//
// The cell prints the article's output line, then ours in the same form (`PyPrint.Tensor` writes a tensor the way
// PyTorch prints it, to four decimals).
var imgBatch = img.view(-1).unsqueeze(0);
Console.WriteLine($"input:   {PyPrint.Size(imgBatch.shape)}");

var output = seqModel.call(imgBatch);
Console.WriteLine("article: tensor([[0.4481, 0.5519]], grad_fn=<SoftmaxBackward0>)");
Console.WriteLine($"ours:    {PyPrint.Tensor(output)}, requires_grad={output.requires_grad}");
Console.WriteLine($"exp():   {PyPrint.Tensor(output.exp())}");

// ### Reading the two printouts
//
// Our output is a row of two **log-probabilities**, both negative, since the log of a probability below 1 is
// negative. Their `exp()` gives the probabilities back: two positive numbers that add up to 1.
//
// The article's printout does not look like ours, and not because of the random weights alone. Its numbers are
// positive and add up to 1, and its `grad_fn` says `SoftmaxBackward0`: that is the output of a model ending in
// `Softmax`. The model the article defines just above ends in `LogSoftmax`, whose output would be negative and
// carry `LogSoftmaxBackward0`. The printout was evidently made with a `Softmax` version of the model; compare it with
// our `exp()` line, which is what a `Softmax` ending would print. (TorchSharp tensors carry no `grad_fn` to print;
// `requires_grad=True` says the same thing, that the output was computed from trainable weights.)
//
// The predicted class is the one with the highest probability, `argmax` over dimension 1, which is also the one
// with the highest log-probability (the logarithm keeps the order). The weights are still random, so whichever
// class wins, it wins by chance: the model has learned nothing about airplanes or birds yet. Training (notebook 08)
// is what will make these numbers mean something.
var probabilities = output.exp();
var predicted = output.argmax(1).item<long>();
Console.WriteLine($"sum of exp(): {probabilities.sum().item<float>():F6}");
Console.WriteLine($"predicted: {predicted} ({classNames[predicted]}), label: {label} ({classNames[label]})");

// ---
//
// [← previous](05-mini-batches.ipynb) · [next →](07-choosing-a-loss.ipynb)
