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

// # 04 · 鸟和飞机
//
// [English version](../en/04-birds-and-airplanes.ipynb)
//
// 对应原文《pytorch深度学习实战：全连接神经网络图像识别》：**§2.3 提取鸟和飞机的图像**。
//
// 原文的任务故意定得很小：给一张32×32的图像，判断它是鸟还是飞机。这一节我们从CIFAR-10的十个类别里挑出这个二分类数据集（dataset），做法和§2.3一样，靠一个标签映射（label map）加两个列表推导式。
//
// **本节你将学到**
//
// - 标签映射怎样只保留两个类别、把它们重新编号为0和1，以及原文在这里的注释错在哪里；
// - `Subset`和`ApplyTransform`怎样批量构建数据集，而原文是一项项建一个Python列表；
// - 训练集和验证集里各有多少张图像，每个类别各有多少；
// - 鸟和飞机的图像实际长什么样。

// ## 准备工作
//
// 老规矩，第一个单元格：引入包和辅助库，调用`Tutorial.Setup`（加载torch、注册显示格式、设定种子）。
Tutorial.Setup(seed: 42);

// ## 归一化后的数据集
//
// 笔记本03算出了通道统计量，并搭好了归一化变换。为了让本笔记本能独立运行，这里再做一遍：统计量来自50,000张训练图像，验证集也用*同一组*数字做归一化。验证数据必须和训练数据做完全相同的变换，否则模型看到的输入尺度就和它学习时不一样了。
var dataPath = "../../data/CIFAR-10/";
var cifar10 = new Cifar10Dataset(dataPath, train: true, download: true);
var cifar10Val = new Cifar10Dataset(dataPath, train: false, download: true);
var stats = ChannelStats.Of(cifar10);
Console.WriteLine(stats);

var normalize = ImageTransforms.Compose(ImageTransforms.ToTensor(), ImageTransforms.Normalize(stats.Mean, stats.Std));
var transformedCifar10 = new Cifar10Dataset(dataPath, train: true, download: false, transform: normalize);
var transformedCifar10Val = new Cifar10Dataset(dataPath, train: false, download: false, transform: normalize);

// ## 十选二
//
// 在CIFAR-10里，飞机的标签是0，鸟的标签是2。标签映射说明要保留哪些标签、以及它们的新编号：0还是0，2变成1。有两个输出的模型需要的标签就是0和1，中间不能有空缺。在C#里，字典初始化器相当于Python的字典字面量`{0: 0, 2: 1}`。
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var classNames = new[] { "airplane", "bird" };

// ### 原文对`label_map`的注释写反了
//
// 原文在`label_map = {0: 0, 2: 1}`旁边写了一条注释，说标签0是鸟。其实不是：在CIFAR-10中，标签0是*飞机*，标签2才是*鸟*，原文自己写的`class_names = ['airplane', 'bird']`也是这么说的（新标签0是飞机，新标签1是鸟）。代码没错，只是注释颠倒了。下面的单元格直接从数据集本身读出类别名。
foreach (var (oldLabel, newLabel) in labelMap)
    Console.WriteLine($"{oldLabel} ({cifar10.Classes[oldLabel]}) -> {newLabel} ({classNames[newLabel]})");

// ## 批量构建cifar2和cifar2Val
//
// 原文的列表推导式遍历全部50,000项，一张一张地对图像做变换，把标签在映射表里的`(img, label)`元组留下，放进一个Python列表。这里同样的工作分两步批量完成：
//
// 1. `Subset(labelMap)`在一次索引操作里，从整个划分的大张量中挑出飞机和鸟的图像，并重新编号。变换跟着一起带过来，但还没有执行。
// 2. `ApplyTransform()`对所有图像一次性执行`ToTensor`和`Normalize`，返回一个由现成浮点张量组成的数据集，不再留有待执行的变换。
//
// 中间那份原始字节的子集只用一下，所以用`using`块让它马上释放。
ImageDataset cifar2, cifar2Val;
using (var subset = transformedCifar10.Subset(labelMap))
    cifar2 = subset.ApplyTransform();
using (var subset = transformedCifar10Val.Subset(labelMap))
    cifar2Val = subset.ApplyTransform();

Console.WriteLine($"Training images: {cifar2.Count}, validation images: {cifar2Val.Count}");

// 每个划分都保留了这两个类别的全部图像，所以两类数量相等：一半是飞机，一半是鸟。注意类别名也跟着子集一起带过来了。
display(Tables.ClassCounts(cifar2));
display(Tables.ClassCounts(cifar2Val));

// 在内部，`cifar2`用一个浮点张量装下全部图像，再用一个张量装下所有标签。取出的每一项都是一张归一化后的`[3, 32, 32]`图像，可以直接送进模型。
Console.WriteLine($"cifar2.Images [{string.Join(", ", cifar2.Images.shape)}] {cifar2.Images.dtype}, " +
                  $"cifar2.Labels [{string.Join(", ", cifar2.Labels.shape)}] {cifar2.Labels.dtype}");
var (imgT, label) = cifar2[0];
Console.WriteLine($"cifar2[0]: [{string.Join(", ", imgT.shape)}] {imgT.dtype}, label {label} ({classNames[label]})");

// ## 两个类别长什么样
//
// 归一化后的张量是给模型看的；给人眼看，还是原始字节更合适（笔记本03已经展示过归一化图像有多怪）。所以我们在原始的`cifar10`上取同样的子集，它的每一项都是H×W×C字节，然后显示前16张图像和它们的类别名。`Images.Grid`接收（图像，说明文字）二元组。取出的张量是数据集的视图（view），网格画好后就释放它们。
var rawCifar2 = cifar10.Subset(labelMap);
var samples = Enumerable.Range(0, 16).Select(i => rawCifar2[i]).ToList();
var grid = Images.Grid(samples.Select(s => (s.Image, classNames[s.Label])), columns: 8, zoom: 3);
foreach (var s in samples) s.Image.Dispose();
display(grid);

// 即使只有32×32，大多数图像我们一眼就能认出来：飞机背后往往是干净的天空，鸟的周围常有树枝、草地或水面。也有难一些的，比如一只在天空中飞翔的鸟。全连接网络能从这样的图像里学到什么、学不到什么，笔记本10会再回来讨论。
//
// 原文§2.3最后把两个数据集都包进`DataLoader`（每批64张，训练集打乱顺序，验证集不打乱）。下一个笔记本解释为什么要这样做，并把它们建出来。
//
// ---
//
// [← 上一节](03-normalize.ipynb) · [下一节→](05-mini-batches.ipynb)
