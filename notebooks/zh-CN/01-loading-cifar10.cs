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

// # 01 · 加载CIFAR-10
//
// [English version](../en/01-loading-cifar10.ipynb)
//
// 对应原文《pytorch深度学习实战：全连接神经网络图像识别》：**§1 实践目标：区分图片中的鸟和飞机**、**§2 加载数据**。
//
// 本教程用到的术语及其译法见[术语表](glossary.md)。
//
// 原文的目标很朴素：给一张32×32的彩色小图，判断画面里是鸟还是飞机。图像来自CIFAR-10数据集（dataset），所以第一步就是把数据拿到手。本笔记本（notebook）按原文§2的做法下载CIFAR-10，并先仔细看看它长什么样。只有两个类别可选，这是一个最简单的二分类（binary classification）问题，很适合用来从头走一遍完整的深度学习流程：准备数据、搭建模型、训练、验证。
//
// **本节你将学到**
//
// - `new CIFAR10(dataPath, train: true, download: true)`如何对应原文的`datasets.CIFAR10(data_path, train=True, download=True)`；
// - 文件落在磁盘的哪个位置、怎样校验完整性，以及如何借助`CIFAR10_ARCHIVE`离线使用；
// - 训练集与验证集各有多少张图像，十个类别分别是什么；
// - 一条原始数据长什么样：一个标签（label），加上一张按H×W×C排列的32×32字节图像，和PIL图像一样；
// - .NET版TorchVision自带的`CIFAR10`是什么样子，我们的类又多做了哪些事。

// ## 准备工作
//
// 第一个单元格负责引入各个包：TorchSharp负责张量（tensor）运算，SkiaSharp负责画图，XPlot负责图表，Microsoft.Data.Analysis负责表格；然后引入我们的辅助库，再调用`Tutorial.Setup`。这一次调用会加载torch运行时、教会笔记本如何显示我们的图像和图表、设定随机数种子（seed），并打印当前使用的计算设备。
Tutorial.Setup(seed: 42);

// ## 下载两个数据划分
//
// 原文向torchvision要了两份数据：训练集（`train=True`）和验证集（`train=False`，即CIFAR-10的测试数据），路径是`data_path = './data/CIFAR-10/'`。我们用自己的`CIFAR10`类做同样的事，参数名也一样，只是换成了C#的命名风格。
//
// `dataPath`是相对于本笔记本的路径，数据因此放在仓库的`data/CIFAR-10/`目录里。设置`download: true`时，只有在本地没有可用文件时才会下载；如果文件已经存在并通过校验，它会直接说明这一点，然后读取。每个划分一次性读进同一个张量，而不是每张图像各建一个张量。第一次运行如果需要下载或解压，会多花一些时间；之后再运行就快多了。
var dataPath = "../../data/CIFAR-10/";
var cifar10 = new Cifar10Dataset(dataPath, train: true, download: true);
var cifar10Val = new Cifar10Dataset(dataPath, train: false, download: true);

// ## 文件放在哪里
//
// 压缩包解开后是`data/CIFAR-10/cifar-10-batches-bin`：五个训练数据文件，每个10,000张图像；一个测试数据文件，同样10,000张；另有一个记录类别名称的小文本文件。这是CIFAR-10的*二进制*版本，格式非常简单，不需要任何特殊的库就能读取：每条记录先是1个标签字节，再跟3,072个像素字节（先1,024个红色，再1,024个绿色，最后1,024个蓝色），所以每个数据文件恰好是10,000 × 3,073字节。下面列出这个目录，每个文件名后面跟着它的字节数，可以和刚才的计算对一对。
var batchesDir = System.IO.Path.Combine(dataPath, "cifar-10-batches-bin");
foreach (var file in new System.IO.DirectoryInfo(batchesDir).GetFiles().OrderBy(f => f.Name))
    Console.WriteLine($"{file.Name,-18} {file.Length,12:N0} bytes");

// ### 完整性校验与离线使用
//
// 和torchvision一样，辅助库知道所需每个文件的MD5校验和（checksum）。解压压缩包、或者遇到还没检查过的文件时，它会逐个计算哈希，只要有一个对不上就拒绝继续。校验通过后，它写下上面看到的小文件`.verified`，记录每个文件的大小和时间；以后再运行就跳过哈希计算，直接打印*Files already downloaded and verified*。
//
// 官方下载站有时很慢。如果你手头已经有`cifar-10-binary.tar.gz`（U盘里、共享盘上都行），启动笔记本之前把环境变量`CIFAR10_ARCHIVE`指向它，辅助库就会解压这个文件，不再联网下载：
//
// ```bash
// export CIFAR10_ARCHIVE=/path/to/cifar-10-binary.tar.gz
// ```
//
// 查找顺序依次是：已就位的文件，本地压缩包，先前下载过的压缩包，最后（在`download: true`时）才走网络。构造函数还接受一个`archive:`参数，作用和这个环境变量相同。换句话说，只要手里有一份压缩包，整个教程就可以在完全断网的机器上运行。

// ## 它是什么类型的对象？
//
// 原文所依据的那本书（《Deep Learning with PyTorch》第7章）用`type(cifar10).__mro__`展示CIFAR-10类属于`Dataset`的一种；原文本身没有这一步。在C#里可以用反射（reflection）沿着同一条继承链往上走：`CIFAR10`派生自`ImageDataset`，这是辅助库里通用的“图像加标签”类，后面的笔记本做子集时也会用到它。输出的最后一行是所有.NET类型共同的祖先。
for (var type = cifar10.GetType(); type is not null; type = type.BaseType)
    Console.WriteLine(type.FullName);

// ## 一共有多少张图像？
//
// Python里写`len(cifar10)`，.NET的集合则叫`Count`。训练集应该有50,000张，验证集10,000张，两者合起来正是CIFAR-10的全部60,000张图像。
Console.WriteLine($"cifar10.Count    = {cifar10.Count}");
Console.WriteLine($"cifar10Val.Count = {cifar10Val.Count}");

// ## 十个类别
//
// 书里把十个类别名手工写了出来；原文只用到其中两个（`class_names = ['airplane', 'bird']`，见笔记本04）。我们的数据集把全部十个类别都放在`Classes`里，按标签编号排列：标签0是飞机（airplane），标签2是鸟（bird），依此类推。后面挑选鸟和飞机时，就是根据这两个标签编号来筛选的。
for (int i = 0; i < cifar10.Classes.Count; i++)
    Console.WriteLine($"{i}: {cifar10.Classes[i]}");

// ## 和torchvision一样的摘要
//
// 打印一个torchvision数据集，会得到几行简短的摘要。我们的数据集调用`ToString()`也给出同样的几行，所以直接`Console.WriteLine`就能看到一样的内容：数据点的个数、数据所在的根目录，以及属于哪个划分。
Console.WriteLine(cifar10);
Console.WriteLine(cifar10Val);

// ## 每个类别的图像数量
//
// CIFAR-10是均衡的：在每个划分里，各类别的图像数量完全相同。`Tables.ClassCounts`统计各个标签出现的次数，返回一个DataFrame，笔记本会把它渲染成表格。`display(...)`可以在单元格中途显示一个值；最后一行的值无论如何都会显示。所以下面会先后出现两张表：上面一张是训练集，下面一张是验证集。
display(Tables.ClassCounts(cifar10));
display(Tables.ClassCounts(cifar10Val));

// ## 一条原始数据
//
// 索引的用法和Python一样，返回一个二元组，C#可以把它解构成两个变量。没有变换（transform）时，这张图像对我们来说就相当于原文里的PIL图像：32行×32列×3个颜色通道的字节（取值0到255），按H×W×C排列。标签只是一个整数，用`Classes`就能查到它的名字。
var (img, label) = cifar10[99];
Console.WriteLine($"label {label}: {cifar10.Classes[(int)label]}");
Console.WriteLine($"image {img.dtype} [{string.Join(", ", img.shape)}]");

// 现在来看看这张图。书里用`plt.imshow(img)`显示这张PIL图像；原文则要等到`ToTensor`之后才显示图像（见笔记本02）。这里的`Images.Show`把H×W×C张量变成一张小图，并适当放大，让32×32的像素看得清楚。图像虽小，但放大之后，每个像素方块都清晰可辨。
display(Images.Show(img, caption: $"cifar10[99]: {cifar10.Classes[(int)label]}"));

// ## 直接用.NET版TorchVision的写法
//
// 我们的`CIFAR10`只是一个辅助类。TorchSharp的配套包TorchVision（`#r "nuget: TorchVision, 0.107.0"`）有自己的实现，读者也应该认识它。不用我们的辅助库，本笔记本的加载步骤写成：
//
// ```csharp
// // TorchVision 会在 <root>/CIFAR10/cifar-10-batches-bin 下查找,所以 root 是 CIFAR10 文件夹所在的目录
// var cifar10 = torchvision.datasets.CIFAR10(root, true, true, (torchvision.ITransform?)null!);   // 训练集,允许下载
// var item = cifar10.GetTensor(99);                 // 一个 Dictionary<string, Tensor> 字典
// var img = item["data"];                           // 浮点 [3, 32, 32],已经除以 256
// var label = item["label"].item<long>();
// ```
//
// 我们的类多做了这些事，这也是各笔记本使用它的原因：
//
// - **读起来和原文一样。** `cifar10[99]`返回`(image, label)`二元组；没有变换时，图像就是原始的H×W×C字节，正如原文中的PIL图像；之后`ToTensor`（笔记本02）像PyTorch那样除以255，得到[0, 1]之间的浮点数。TorchVision的数据项一开始就是浮点数，而且是除以256。
// - **文件经过校验。** 每个文件都对照CIFAR-10的MD5值检查；可以解压本地压缩包（`CIFAR10_ARCHIVE`）；下载中断后能续传。TorchVision下载时不做校验。
// - **每个划分一个张量。** 50,000张图像读进同一个`uint8 [50000, 3, 32, 32]`张量，整体批量处理。TorchVision为每张图像建一个张量（共50,000个小张量），而且只要释放（dispose）其中一项，整个数据集就永久损坏。
//
// 这里不运行TorchVision的加载器：用它的方式读完整个划分要好几秒，还得多引入一个包；两者的速度对比交给基准测试（`bench/`）。读到这里，数据已经准备就绪；下一节我们把这些字节变成神经网络能直接使用的浮点张量。

// ---
//
// [下一节→](02-to-tensor.ipynb)
