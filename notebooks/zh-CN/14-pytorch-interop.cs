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

// # 14 · 来自PyTorch的模型，交给PyTorch的模型
//
// [English version](../en/14-pytorch-interop.ipynb)
//
// **原文之外。** 原文《pytorch深度学习实战：全连接神经网络图像识别》在“§3 搭建全连接模型”一节搭建模型，并用Python和PyTorch训练它；本教程用C#训练同一个模型。很多团队两者都用：模型在Python里训练、在.NET里提供服务，或者反过来。本节把笔记本08训练好的模型双向地带过这条边界，用的是PyTorch自己的文件格式，也就是PyTorch保存模型参数时写出的`state_dict`文件。原文没有保存模型；本节不是原文任何部分的翻译。
//
// **本节你将学到**
//
// - 怎样把TorchSharp模型保存为PyTorch的`state_dict`文件，以及在Python里加载它的几行代码；
// - 怎样把`state_dict`文件加载到我们的`Sequential`里，并检查途中没有丢失任何东西；
// - 两边要得到相同的数字，哪些必须一致：网络结构和它的键名、输入的排列方式、归一化的统计量。

// ## 准备工作
//
// 和其他笔记本一样的第一个单元格，只多一个包：**TorchSharp.PyBridge**，它读写PyTorch的文件（辅助库的`PyTorchStateDict`调用它）。`Tutorial.Setup`加载torch运行时，用42作为torch随机数生成器的种子，并打印所用的设备。
Tutorial.Setup(seed: 42);

// ## 数据：`cifar2Val`
//
// 和笔记本08到11一样，`NormalizedSubset.Load`构建归一化后的飞机和鸟的子集（笔记本03和04讲解了每一步）。这里只用2,000张验证集图像：每次跨越边界前后，都用它们给模型打分。
var dataPath = "../../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };

var (cifar2, cifar2Val, stats) = NormalizedSubset.Load(dataPath, labelMap);
Console.WriteLine(stats);
Console.WriteLine($"Validation images: {cifar2Val.Count}, {string.Join(" x ", cifar2Val.Images.shape)}");

// ## 我们训练好的模型
//
// 笔记本08把原文的模型训练100轮后保存在`data/models/birds-airplanes-fc.bin`，元数据（轮数、种子、类别，以及图像归一化所用的均值和标准差）在`.json`里。本节不训练：检查点不存在时，它会说明这一点，改为把一个刚用种子初始化、未经训练的模型带过边界；机制相同，只是准确率没那么有意思。这个单元格打印的准确率，是下面每次跨越都必须保持的。
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

// ## 交给PyTorch的模型
//
// `PyTorchStateDict.Save(model, path)`写出的内容，和PyTorch的`torch.save(model.state_dict(), path)`写出的一样：一个zip压缩包，里面有一个pickle序列化的字典（`data.pkl`），把每个参数的名字映射到一个张量，张量的字节各自放在一个文件里（`data/0`、`data/1`……）。它底下调用的是PyBridge的`model.save_py(path)`。这个单元格用.NET的`ZipFile`打开压缩包，列出其中的文件（所以它开头有两行`using`）。
//
// 这些名字就是PyTorch用的键。在`nn.Sequential`里，层的名字就是它的位置，所以第一个`Linear`的参数是`0.weight`和`0.bias`，第二个的是`2.weight`和`2.bias`；`Tanh`（1）和`LogSoftmax`（3）没有参数。`FullyConnected.Create()`正是为此把它的层命名为“0”到“3”。这个单元格列出文件里的键和形状。
var ptPath = "../../data/models/birds-airplanes-fc.pt";
PyTorchStateDict.Save(model, ptPath);
Console.WriteLine($"Saved {Path.GetFileName(ptPath)}: {new FileInfo(ptPath).Length} bytes");

using (var zip = ZipFile.OpenRead(ptPath))
    Console.WriteLine($"Inside: {string.Join(", ", zip.Entries.Select(e => e.FullName))}");

foreach (var key in PyTorchStateDict.Match(model, ptPath))
    Console.WriteLine($"{key.Key} {PyTorchStateDict.Shape(key.InFile!)}");

// ### 在Python里
//
// 有PyTorch的读者用这个单元格打印的几行代码加载这个文件。这几行供你复制：本笔记本只运行C#，这个单元格只是把它们打印出来。请在仓库的文件夹里、在装有`torch`和`torchvision`的Python中运行。它们搭建同样的网络结构，加载文件，用检查点记录的统计量归一化一张新图像，再按训练时的方式把它展平。
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

// `load_state_dict`是严格的：少一个键、多一个键或形状不同，它都会报错停下。仓库的测试正是用真正的PyTorch（Debian的`python3-torch`，通过`tools/pytorch/article_model.py`）这样做的：加载C#保存的文件，在8个固定输入上比较PyTorch和C#的输出，误差在1e-5以内。
//
// 没有torchvision时，仓库里的脚本可以在PyTorch中用同样的2,000张验证集图像给这个文件打分；图像从CIFAR-10的二进制文件读取，并用检查点的`Mean`和`Std`归一化：
//
// ```sh
// /usr/bin/python3 tools/pytorch/article_model.py evaluate data/models/birds-airplanes-fc.pt --model fc     --data data/CIFAR-10/cifar-10-batches-bin --stats data/models/birds-airplanes-fc.json
// ```
//
// 它打印准确率和预测正确的图像数；测试用一个刚用种子初始化的模型检查：PyTorch预测正确的图像数与C#完全相同。（`/usr/bin/python3`是Debian的Python，能找到`python3-torch`；`PATH`上的另一个`python3`可能没有torch。）

// ## 来自PyTorch的模型
//
// 另一个方向。`PyTorchStateDict.Load(model, path)`读取`state_dict`文件，检查它的键和形状与模型的一致，再把每个张量复制到模型里。这个单元格把刚写出的文件加载到一个权重随机、各不相同的新`Sequential`里，并在加载前后各打一次分。加载前，它的得分取决于随机权重；加载后，它有了我们模型的权重，所以逐张图像地做出相同的预测。
manual_seed(2024);
var fromFile = FullyConnected.Create();
var fresh = Evaluator.Evaluate(fromFile, valLoader, classes: 2);
Console.WriteLine($"A fresh model, validation accuracy: {fresh.Accuracy:F4}");

PyTorchStateDict.Load(fromFile, ptPath);
var loaded = Evaluator.Evaluate(fromFile, valLoader, classes: 2);
Console.WriteLine($"Loaded from {Path.GetFileName(ptPath)}, validation accuracy: {loaded.Accuracy:F4} ({loaded.Correct} of {loaded.Total})");
Console.WriteLine($"The same 2000 predictions as our model: {loaded.Predicted.SequenceEqual(ours.Predicted)}");

// ### PyTorch写出的文件
//
// 同一个调用也能读取PyTorch自己保存的文件：格式是同一个。测试也检查这个方向：PyTorch保存一个模型和它在8个固定输入上的输出，C#加载后在1e-5以内复现这些输出；对这个网络和笔记本11里书中的卷积神经网络`Net`都是如此。
//
// 如果你在Python里训练了原文的模型，用下面这行把它保存在我们的模型旁边：
//
// ```python
// torch.save(model.state_dict(), 'data/models/from-pytorch.pt')
// ```
//
// 这个单元格就会在我们的验证集上给它打分（没有这个文件时，它会说明）。
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

// ## 必须一致的：网络结构和它的键
//
// `state_dict`只保存名字下的数字，别的都没有：没有层，也没有`forward`的代码。另一边的模型必须以同样的方式搭建，名字和形状都相同。这里文件遇到一个有256个隐藏单元而不是512个的模型：`PyTorchStateDict.Load`拒绝加载，并列出每个对不上的键。
try
{
    PyTorchStateDict.Load(FullyConnected.Create(hidden: 256), ptPath);
}
catch (CheckpointException e)
{
    Console.WriteLine(e.Message);
}

// ## 必须一致的：输入的排列方式
//
// 第一个`Linear`的权重与位置绑定：`0.weight`的第*i*列乘以输入的第*i*个值。两边必须把一张图像展平成同样排列的3,072个值。原文的`img.view(batch_size, -1)`和我们的`reshape(n, -1)`以同样的行优先顺序读取`[N, 3, 32, 32]`张量：先通道，再行，再列，所以（通道*c*，第*y*行，第*x*列）的值落在下标*c*·1024 + *y*·32 + *x*。第一行输出检查了一个像素。
//
// 图像库给出的通常是`[32, 32, 3]`数组（通道在最后）。接下来三行用同一个模型、同样的图像打分：按训练时的方式准备，按通道在最后的顺序展平，以及去掉归一化。
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

// 三行用的是同一个模型；变的只是输入的准备方式。每种改变都损失准确率，排列方式错了损失最大：权重遇到的不是训练时对应的像素。去掉归一化时，模型看到的仍是对的像素，只是被平移和缩放了，损失较小，但仍有损失。

// ## 必须一致的：归一化
//
// 模型是在用训练集逐通道的均值和标准差归一化后的图像上学习的。任何一边给它图像，都必须用同样的数字归一化。检查点记录了这些数字（`.json`里的`Mean`和`Std`），上面的Python代码读的就是它们。这个单元格把它们和本笔记本算出的数字作比较。少了归一化这一步，模型看到的数字就和训练时的不一样；上一节的最后一行输出已经显示了这样做的代价。所以保存模型时，要把归一化所用的均值和标准差一起保存下来，交给另一边。
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

// ## 小结
//
// - `PyTorchStateDict.Save`写出的文件，PyTorch的`torch.load`和`load_state_dict`可以接受；`PyTorchStateDict.Load`读取PyTorch的`torch.save`写出的文件，对不上的文件会被拒绝，并指出是哪个键。
// - 跨越边界时，三样东西必须相同：网络结构及其键名和形状、图像展平的顺序、归一化的均值和标准差。
//
// ---
//
// [← 上一节](13-using-the-model.ipynb)
