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

// # 02 · 从图像到张量：ToTensor
//
// [English version](../en/02-to-tensor.ipynb)
//
// 对应原文《pytorch深度学习实战：全连接神经网络图像识别》：**§2.1 将PIL图像转换为张量**。
//
// 神经网络吃不下按图像格式摆放的字节：它要的是浮点张量（tensor），而且颜色通道要排在最前面。torchvision的`ToTensor`负责这一转换，我们的`Transforms.ToTensor()`也一样。原文取出第99项，做转换，打印形状，再把`transform=ToTensor()`交给数据集，最后用`permute(1, 2, 0)`重新显示图像。我们照做一遍。
//
// **本节你将学到**
//
// - 辅助库提供哪些变换（transform），以及怎样用`.Apply`对单张图像做变换；
// - `ToTensor`改变了什么：布局（H×W×C → C×H×W）、类型（字节→ `float32`）和取值范围（[0, 255] → [0, 1]）；
// - 怎样给数据集指定变换，让每一项取出来时就已经转换好；
// - 为什么显示C×H×W张量之前要先`permute(1, 2, 0)`；
// - .NET版TorchVision如何处理同一步骤。

// ## 准备工作
//
// 和每个笔记本一样的第一个单元格：引入包和我们的辅助库，再调用`Tutorial.Setup`，它加载torch、注册图像和图表的显示格式，并设定随机数种子。
Tutorial.Setup(seed: 42);

// ## 再次读取原始数据
//
// 每个笔记本都能独立运行，所以这里重新加载训练集。文件在笔记本01里已经下载并校验过，这一步只是读取。我们继续用第99项，那辆红色的小汽车，作为例子。
var dataPath = "../../data/CIFAR-10/";
var cifar10 = new Cifar10Dataset(dataPath, train: true, download: true);
var (img, label) = cifar10[99];
Console.WriteLine($"{cifar10.Classes[(int)label]}: {img.dtype} [{string.Join(", ", img.shape)}]");

// ## 有哪些变换可用
//
// 书里用`dir(...)`列出`torchvision.transforms`的全部内容；原文则直接用`ToTensor`。我们的`Transforms`类小得多：恰好只有本教程需要的三个变换。用反射把它们列出来。
display(typeof(ImageTransforms).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
    .Select(m => m.Name).Distinct().OrderBy(name => name));

// ## 对一张图像应用ToTensor
//
// 在Python里，变换是一个可调用对象：`to_tensor(img)`。在C#里则调用它的`Apply`方法。结果的通道排在最前，数值是`float32`。每个字节都除以255，所以最暗的像素变成0，最亮的变成1。
//
// 原文打印了`img_t.shape`。下面的单元格先打印原文的那一行，再在下方打印我们的结果，格式和PyTorch一致（`PyPrint.Size`会像PyTorch打印`torch.Size`那样输出形状）。
var toTensor = ImageTransforms.ToTensor();
var imgT = toTensor.Apply(img);
Console.WriteLine("article: torch.Size([3, 32, 32])");
Console.WriteLine($"ours:    {PyPrint.Size(imgT.shape)}");
Console.WriteLine($"dtype {imgT.dtype}, min {imgT.min().item<float>():0.0000}, max {imgT.max().item<float>():0.0000}");

// 打印最上面一行前五个红色值，缩放就一目了然了：字节`b`变成了`b / 255`。
var firstBytes = img[0, ..5, 0].data<byte>().ToArray();
var firstFloats = imgT[0, 0, ..5].data<float>().ToArray();
for (int i = 0; i < 5; i++)
    Console.WriteLine($"{firstBytes[i],3} / 255 = {firstFloats[i]:0.0000}");

// ## 带变换的数据集
//
// 与其每次手动转换，原文把变换直接交给数据集，这样取出的每一项都已经是张量。我们的`CIFAR10`接受同样的`transform:`参数。数据已经在磁盘上，所以用`download: false`就够了。注意摘要里多出来的*Transform*一行。
var tensorCifar10 = new Cifar10Dataset(dataPath, train: true, download: false, transform: ImageTransforms.ToTensor());
Console.WriteLine(tensorCifar10);

// 这个数据集的第99项还是同一张图像，只是现在以浮点张量`[3, 32, 32]`的形式给出，取值在[0, 1]之间。我们用它替换`imgT`，检查它和手动转换得到的值是否完全相同，然后释放旧的张量。
var previous = imgT;
(imgT, _) = tensorCifar10[99];
Console.WriteLine(imgT.GetType().FullName);
Console.WriteLine($"shape [{string.Join(", ", imgT.shape)}], dtype {imgT.dtype}");
Console.WriteLine($"min {imgT.min().item<float>():0.0000}, max {imgT.max().item<float>():0.0000}");
Console.WriteLine($"same values as toTensor.Apply(img): {imgT.eq(previous).all().item<bool>()}");
previous.Dispose();

// ## 显示C×H×W张量
//
// 图像查看工具（比如原文用的matplotlib `imshow`）要求颜色通道排在*最后*：先是高，再是宽，最后是每个像素的三个颜色。`ToTensor`把通道挪到了最前面，因为网络层需要这样的布局。想再看一眼图像，就得把通道挪回去。
//
// `permute(1, 2, 0)`生成一个新视图（view）：新的第0维是原来的第1维（高），新的第1维是原来的第2维（宽），新的第2维是原来的第0维（通道），于是C×H×W变成H×W×C。整个过程不复制任何像素。这个单元格就是原文`plt.imshow(img_t.permute(1, 2, 0))`的C#版本。
Console.WriteLine($"[{string.Join(", ", imgT.shape)}] -> [{string.Join(", ", imgT.permute(1, 2, 0).shape)}]");
display(Images.Show(imgT.permute(1, 2, 0), caption: "imgT.permute(1, 2, 0)"));

// 浮点版的图像和笔记本01里的字节版一模一样：除以255只改变了数值的尺度，没有改变图像本身。`Images.Show`读取[0, 1]之间的浮点数，方式和matplotlib相同。

// ## 直接用.NET版TorchVision的写法
//
// .NET版TorchVision从头到尾都用张量。它的`datasets.CIFAR10`给出的已经是浮点张量`[3, 32, 32]`，每个字节除以的是**256**（PyTorch的`ToTensor`除以255：在那里最亮的字节变成1，而在.NET版TorchVision里是255/256 ≈ 0.996），所以原文的转换步骤在它那里无事可做。它的`transforms.Normalize`只接受浮点批量`[N, C, H, W]`（见笔记本03）。我们之所以提供`Transforms.ToTensor()`，是为了让教程能按原文的顺序走：先是原始字节，再做转换，数值与PyTorch一致。

// ---
//
// [← 上一节](01-loading-cifar10.ipynb) · [下一节→](03-normalize.ipynb)
