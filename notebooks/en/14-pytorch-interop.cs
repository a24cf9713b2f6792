// Generated from 14-pytorch-interop.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 14-pytorch-interop.cs` in this folder, or with its path from anywhere.
// Pictures and charts go to artifacts/apps/; offline, set CIFAR10_ARCHIVE to a local cifar-10-binary.tar.gz.
#:property ManagePackageVersionsCentrally=false
#:property Nullable=disable
#:property PublishAot=false
#:package TorchSharp@0.107.0
#:package SkiaSharp.NativeAssets.Linux.NoDependencies@2.88.6
#:package XPlot.Plotly@4.1.0
#:package Microsoft.Data.Analysis@0.23.1
#:package TorchSharp.PyBridge@1.4.4
#:project ../../lib/CifarHelpers/CifarHelpers.csproj

using TorchSharp;
using static TorchSharp.torch;
using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Training;
using CifarHelpers.Notebook;
using System.IO;
using System.IO.Compression;
using static CifarHelpers.Notebook.NotebookApp;

CifarHelpers.Notebook.NotebookApp.Start();

// # 14 · A model from PyTorch, a model for PyTorch
//
// [中文版](../zh-CN/14-pytorch-interop.ipynb)
//
// **Beyond the article.** The article *pytorch深度学习实战:全连接神经网络图像识别* builds its model in
// **§3 搭建全连接模型** (Building the fully connected model) and trains it in Python with PyTorch; this tutorial trains
// the same model in C#. Teams often do both: a model trained in Python and served in .NET, or the
// other way round. This lesson moves notebook 08's trained model across that border in both directions, through
// PyTorch's own file format, the `state_dict` file that `torch.save(model.state_dict(), path)` writes. The article
// does not save its model; nothing here is a translation of it.
//
// **What you will learn**
//
// - how to save a TorchSharp model as a PyTorch `state_dict` file, and the Python lines that load it;
// - how to load a `state_dict` file into our `Sequential`, and check that nothing was lost on the way;
// - what must match on both sides for the numbers to agree: the architecture and its key names, the layout of the
//   input, and the normalisation statistics.

// ## Set-up
//
// The same first cell as in the other notebooks, with one more package: **TorchSharp.PyBridge**, which reads and writes
// PyTorch's files (the helper library's `PyTorchStateDict` calls it). `Tutorial.Setup` loads the torch runtime, seeds
// torch's random generator with 42 and prints the device.
Tutorial.Setup(seed: 42);

// ## The data: `cifar2Val`
//
// As in notebooks 08 to 11, `NormalizedSubset.Load` builds the normalised airplane/bird subsets (notebooks 03 and 04
// explained each step). Only the 2,000 validation images are used here: they score the model before and after each
// crossing.
var dataPath = "../../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };

var (cifar2, cifar2Val, stats) = NormalizedSubset.Load(dataPath, labelMap);
Console.WriteLine(stats);
Console.WriteLine($"Validation images: {cifar2Val.Count}, {string.Join(" x ", cifar2Val.Images.shape)}");

// ## Our trained model
//
// Notebook 08 saved the article's model, trained for 100 epochs, in `data/models/birds-airplanes-fc.bin`, with its
// metadata (epochs, seed, classes, and the mean and std its images were normalised with) in `.json`. This lesson does
// not train: when the checkpoint is missing it says so and sends a freshly seeded, untrained model across instead,
// which shows the same mechanics with a less interesting accuracy. The cell prints the accuracy that every crossing
// below must keep.
var checkpointPath = "../../data/models/birds-airplanes-fc";
var model = FullyConnected.Create();
var info = Checkpoint.TryReadInfo(checkpointPath);
if (info is not null)
{
    Checkpoint.Load(model, checkpointPath);
    Console.WriteLine($"Notebook 08's model: {info.Epochs} epochs, seed {info.Seed}");
}
else
{
    Console.WriteLine("No checkpoint from notebook 08 (run it first): an untrained model, seed 42, crosses the border instead.");
}

var valLoader = new BatchLoader(cifar2Val, batchSize: 64, shuffle: false);
var ours = Evaluator.Evaluate(model, valLoader, classes: 2);
Console.WriteLine($"Our model, validation accuracy: {ours.Accuracy:F4}");

// ## A model for PyTorch
//
// `PyTorchStateDict.Save(model, path)` writes what PyTorch's `torch.save(model.state_dict(), path)` writes: a zip
// archive with a pickled dictionary (`data.pkl`) that maps each parameter's name to a tensor whose bytes are in a file
// of their own (`data/0`, `data/1`, ...). Underneath, it is PyBridge's `model.save_py(path)`. The cell opens the
// archive with .NET's `ZipFile` to show its files (hence its two `using` lines).
//
// The names are the keys PyTorch uses. In an `nn.Sequential` a layer's name is its position, so the first
// `Linear`'s parameters are `0.weight` and `0.bias` and the second's `2.weight` and `2.bias`; `Tanh` (1) and
// `LogSoftmax` (3) have none. `FullyConnected.Create()` names its layers "0" to "3" for exactly that reason. The cell
// lists the keys and shapes the file holds.
var ptPath = "../../data/models/birds-airplanes-fc.pt";
PyTorchStateDict.Save(model, ptPath);
Console.WriteLine($"Saved {Path.GetFileName(ptPath)}: {new FileInfo(ptPath).Length} bytes");

using (var zip = ZipFile.OpenRead(ptPath))
    Console.WriteLine($"Inside: {string.Join(", ", zip.Entries.Select(e => e.FullName))}");

foreach (var key in PyTorchStateDict.Match(model, ptPath))
    Console.WriteLine($"{key.Key} {PyTorchStateDict.Shape(key.InFile!)}");

// ### In Python
//
// A reader with PyTorch loads the file with the lines this cell prints. They are for you to copy: this notebook runs
// only C#, and the cell only prints them. Run them from the repository's folder, in a Python with `torch` and
// `torchvision`. They build the same architecture, load the file, and normalise a new image with the statistics the
// checkpoint recorded before flattening it the way the model was trained.
var pythonLines = """
    import json
    import torch
    from torch import nn
    from torchvision import transforms

    # The same architecture, so that the keys 0.weight, 0.bias, 2.weight, 2.bias and their shapes match.
    model = nn.Sequential(nn.Linear(3072, 512), nn.Tanh(), nn.Linear(512, 2), nn.LogSoftmax(dim=1))
    model.load_state_dict(torch.load('data/models/birds-airplanes-fc.pt'))
    model.eval()

    # The statistics the checkpoint recorded: normalise new images with these, not with others.
    info = json.load(open('data/models/birds-airplanes-fc.json'))
    preprocess = transforms.Compose([transforms.ToTensor(), transforms.Normalize(info['Mean'], info['Std'])])

    # img: a 32 x 32 RGB PIL image. [3, 32, 32] becomes [1, 3072] in the same order as in training.
    x = preprocess(img).view(1, -1)
    with torch.no_grad():
        print(info['Classes'][model(x).argmax(dim=1).item()])
    """;
Console.WriteLine(pythonLines);

// `load_state_dict` is strict: a missing key, an extra key or another shape stops it with an error. The repository's
// tests do exactly this with a real PyTorch (Debian's `python3-torch`, through `tools/pytorch/article_model.py`): they
// load a file C# saved and compare PyTorch's outputs on eight fixed inputs with C#'s, to within 1e-5.
//
// Without torchvision, the repository's script scores the file in PyTorch on the same 2,000 validation images, read
// from CIFAR-10's binary files and normalised with the checkpoint's `Mean` and `Std`:
//
// ```sh
// /usr/bin/python3 tools/pytorch/article_model.py evaluate data/models/birds-airplanes-fc.pt --model fc     --data data/CIFAR-10/cifar-10-batches-bin --stats data/models/birds-airplanes-fc.json
// ```
//
// It prints the accuracy and the count of images it got right; the tests check, on a freshly seeded model, that
// PyTorch counts exactly as many right as C#. (`/usr/bin/python3` is Debian's Python, the one that sees
// `python3-torch`; another `python3` on your `PATH` may have no torch.)

// ## A model from PyTorch
//
// The other direction. `PyTorchStateDict.Load(model, path)` reads a `state_dict` file, checks that its keys and shapes
// are the model's, then copies each tensor into the model. The cell loads the file we just wrote into a new
// `Sequential` with other random weights, and scores it before and after the load. Before, it scores whatever its
// random weights give; after, it has our model's weights, so it makes the same predictions, image by image.
manual_seed(2024);
var fromFile = FullyConnected.Create();
var fresh = Evaluator.Evaluate(fromFile, valLoader, classes: 2);
Console.WriteLine($"A fresh model, validation accuracy: {fresh.Accuracy:F4}");

PyTorchStateDict.Load(fromFile, ptPath);
var loaded = Evaluator.Evaluate(fromFile, valLoader, classes: 2);
Console.WriteLine($"Loaded from {Path.GetFileName(ptPath)}, validation accuracy: {loaded.Accuracy:F4} ({loaded.Correct} of {loaded.Total})");
Console.WriteLine($"The same 2000 predictions as our model: {loaded.Predicted.SequenceEqual(ours.Predicted)}");

// ### A file that PyTorch wrote
//
// The same call reads a file that PyTorch itself saved: the format is one. The tests check that direction too: PyTorch
// saves a model and its outputs on eight fixed inputs, and C# loads it and reproduces them to within 1e-5, for this
// network and for the book's convolutional `Net` of notebook 11.
//
// If you trained the article's model in Python, save it beside ours with
//
// ```python
// torch.save(model.state_dict(), 'data/models/from-pytorch.pt')
// ```
//
// and this cell scores it on our validation set (it says so when there is no such file).
var pytorchPath = "../../data/models/from-pytorch.pt";
if (File.Exists(pytorchPath))
{
    var theirs = FullyConnected.Create();
    PyTorchStateDict.Load(theirs, pytorchPath);
    var theirsEvaluation = Evaluator.Evaluate(theirs, valLoader, classes: 2);
    Console.WriteLine($"{Path.GetFileName(pytorchPath)}, saved by PyTorch, validation accuracy: {theirsEvaluation.Accuracy:F4}");
}
else
{
    Console.WriteLine($"No {Path.GetFileName(pytorchPath)} in data/models: save one from PyTorch (the lines above) to score it here.");
}

// ## What must match: the architecture and its keys
//
// A `state_dict` holds numbers under names and nothing else: not the layers, not the code of `forward`. The model on
// the other side must be built the same way, with the same names and shapes. Here the file meets a model with 256
// hidden units instead of 512: `PyTorchStateDict.Load` refuses it and names each key that does not fit.
try
{
    PyTorchStateDict.Load(FullyConnected.Create(hidden: 256), ptPath);
}
catch (CheckpointException e)
{
    Console.WriteLine(e.Message);
}

// ## What must match: the input's layout
//
// The weights of the first `Linear` are tied to positions: column *i* of `0.weight` multiplies input value *i*.
// Both sides must flatten an image into the same 3,072 values. The article's `img.view(batch_size, -1)` and our
// `reshape(n, -1)` read a `[N, 3, 32, 32]` tensor in the same row-major order: channel, then row, then column, so the
// value at (channel *c*, row *y*, column *x*) lands at index *c*·1024 + *y*·32 + *x*. The first line checks one pixel.
//
// A picture library hands out `[32, 32, 3]` arrays (channels last). The next three lines score the same model on the
// same images: prepared as in training, flattened channels last, and without the normalisation.
var n = cifar2Val.Images.shape[0];
var labels = cifar2Val.Labels;
Func<Tensor, double> accuracy = flat =>
{
    using var scope = NewDisposeScope();
    using var noGrad = no_grad();
    return (model.forward(flat).argmax(1) == labels).to(float64).mean().item<double>();
};

var image = cifar2Val.Images[0];
var flat = cifar2Val.Images.reshape(n, -1);
Console.WriteLine($"image 0, channel 1, row 5, column 7: {image[1, 5, 7].item<float>():F6}; flattened, index {1 * 1024 + 5 * 32 + 7}: {flat[0, 1 * 1024 + 5 * 32 + 7].item<float>():F6}");

var mean = tensor(stats.Mean).to(float32).view(1, 3, 1, 1);
var std = tensor(stats.Std).to(float32).view(1, 3, 1, 1);
Console.WriteLine($"As in training ([N, 3, 32, 32] flattened, normalised): accuracy {accuracy(flat):F4}");
Console.WriteLine($"Channels last ([N, 32, 32, 3] flattened): accuracy {accuracy(cifar2Val.Images.permute(0, 2, 3, 1).reshape(n, -1)):F4}");
Console.WriteLine($"Not normalised (pixels in [0, 1]): accuracy {accuracy((cifar2Val.Images * std + mean).reshape(n, -1)):F4}");

// The model is the same in these three lines; only the way its input was prepared changed. Each change costs
// accuracy, and the wrong layout costs the most: the weights meet other pixels than the ones they were trained on.
// Without the normalisation the model still sees the right pixels, only shifted and scaled, and loses less, but it
// loses.

// ## What must match: the normalisation
//
// The model learned on images normalised with the training set's per-channel mean and std. Any side that feeds it
// images must normalise them with the same numbers. The checkpoint records them (`Mean` and `Std` in its `.json`),
// which is what the Python lines above read. The cell compares them with the ones this notebook computed. Without
// the normalisation the model sees other numbers than it was trained on; the last line of the previous section showed
// what that costs. So a model that crosses the border takes its mean and std with it.
Func<IEnumerable<double>, string> three = values => string.Join(", ", values.Select(v => v.ToString("F4")));
Console.WriteLine($"This notebook normalises with mean ({three(stats.Mean)}), std ({three(stats.Std)})");
if (info?.Mean is { } recordedMean && info.Std is { } recordedStd)
{
    Console.WriteLine($"The checkpoint records      mean ({three(recordedMean)}), std ({three(recordedStd)})");
    var largest = recordedMean.Zip(stats.Mean).Concat(recordedStd.Zip(stats.Std)).Max(p => Math.Abs(p.First - p.Second));
    Console.WriteLine($"Largest difference: {largest:G3}");
}
else
{
    Console.WriteLine("No checkpoint, so no recorded statistics: a model for PyTorch would carry these.");
}

// ## Summary
//
// - `PyTorchStateDict.Save` writes a file that PyTorch's `torch.load` and `load_state_dict` accept;
//   `PyTorchStateDict.Load` reads one that PyTorch's `torch.save` wrote, and refuses, by key, one that does not fit.
// - Across the border, three things must be the same: the architecture with its key names and shapes, the order in
//   which an image is flattened, and the mean and std of the normalisation.
//
// ---
//
// [← previous](13-using-the-model.ipynb)
