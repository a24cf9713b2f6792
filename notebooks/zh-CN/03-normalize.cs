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

// # 03 · 数据归一化
//
// [English version](../en/03-normalize.ipynb)
//
// 对应原文《pytorch深度学习实战：全连接神经网络图像识别》：**§2.2 归一化**。
//
// 经过`ToTensor`之后，每个像素值都落在[0, 1]之间，可三个颜色通道的平均值和离散程度并不一样。原文做归一化（normalization），是为了让每个输入特征处在相近的尺度上，不让哪个特征仅仅因为数值大就压过其他特征：把每个通道平移到均值0、缩放到标准差1，梯度下降通常也会因此收敛得更顺利。要做到这一点，先得算出训练集上每个通道的均值（mean）和标准差（standard deviation）。
//
// **本节你将学到**
//
// - 原文怎样把所有图像堆成一个大张量，再按通道计算统计量；
// - 怎样用`ChannelStats.Of`一次性在全部50,000张图像上得到同样的数字，并和原文并排对照；
// - 怎样用`Transforms.Compose`把`ToTensor`和`Normalize`串起来，以及归一化后的图像长什么样；
// - 为什么归一化后的图像显示出来会显得很奇怪。

// ## 准备工作
//
// 老规矩，第一个单元格：引入包和辅助库，调用`Tutorial.Setup`（加载torch、注册显示格式、设定种子）。
Tutorial.Setup(seed: 42);

// ## 原始数据和张量形式的数据
//
// 和原文此时的状态一样，我们把训练集加载两次：`cifar10`给出原始字节图像，`tensorCifar10`则对取出的每一项都应用`ToTensor`。
var dataPath = "../../data/CIFAR-10/";
var cifar10 = new Cifar10Dataset(dataPath, train: true, download: true);
var tensorCifar10 = new Cifar10Dataset(dataPath, train: true, download: false, transform: ImageTransforms.ToTensor());

// ## 原文的做法，先在一小部分数据上试试
//
// 原文把每张图像的张量放进一个Python列表，沿着新增的第四个维度堆叠（stack）起来，得到一个形状为`[3, 32, 32, 50000]`的张量。接着调用`view(3, -1)`：保留3个通道，其余维度全部压平，每个通道变成长长的一行。沿这一行（`dim=1`）求均值和标准差，每个通道各得到一个数。
//
// 照字面去做，会先创建50,000个小张量，再复制出整个划分的一份600 MB浮点副本。为了不付出这个代价又能看懂思路，我们只对前1,000张图像走一遍同样的步骤。TorchSharp里的`torch.stack`名字不变。每张图像的临时张量都在一个释放作用域（dispose scope）里创建，堆叠后的张量一生成，它们就会被释放；只有堆叠结果被移出作用域。
var n = 1000;
Tensor imgs;
using (var scope = NewDisposeScope())
{
    imgs = stack(Enumerable.Range(0, n).Select(i => tensorCifar10[i].Image), dim: 3).MoveToOuterDisposeScope();
}
Console.WriteLine($"imgs [{string.Join(", ", imgs.shape)}], dtype {imgs.dtype}");

// `view(3, -1)`只改变形状，不复制数据：`-1`表示让torch自己算出第二维的长度，这里是32 × 32 × 1,000。然后每一行求一个均值、一个标准差。`ChannelStats.Format`按PyTorch打印小张量的样式输出一串数字，所以输出读起来和原文一致。
var perChannel = imgs.view(3, -1);
Console.WriteLine($"view(3, -1) gives [{string.Join(", ", perChannel.shape)}]");
var sliceMean = perChannel.mean([1]).data<float>().Select(v => (double)v).ToArray();
var sliceStd = perChannel.std(1).data<float>().Select(v => (double)v).ToArray();
Console.WriteLine($"first {n} images:");
Console.WriteLine($"mean {ChannelStats.Format(sliceMean)}");
Console.WriteLine($"std  {ChannelStats.Format(sliceStd)}");
imgs.Dispose();

// ## 全部50,000张图像，一次算完
//
// 真正的统计量用`ChannelStats.Of`来算。它从不为整个划分建立浮点副本：它逐个通道把全部50,000张图像的字节值及其平方累加成整数（借助SIMD指令，并分块并行），所以这两个和是精确的；再由它们推出均值和（与`torch.std`一样的无偏）标准差，数值按1/255缩放，和`ToTensor`之后的值一致。它只需要片刻，而不是好几GB内存。
//
//
// 传入`tensorCifar10`或`cifar10`结果相同，因为两者装的是同样的字节。下面的单元格先打印我们的结果，再把原文的两行输出和我们的结果并排列出，都保留PyTorch的四位小数。
var stats = ChannelStats.Of(tensorCifar10);
Console.WriteLine(stats);
Console.WriteLine();
Console.WriteLine("         mean                              std");
Console.WriteLine("article  tensor([0.4914, 0.4822, 0.4465])  tensor([0.2470, 0.2435, 0.2616])");
Console.WriteLine($"ours     {ChannelStats.Format(stats.Mean)}  {ChannelStats.Format(stats.Std)}");

// 前1,000张图像的结果已经接近这些值，但并不完全相同：样本的平均值总会在真实值附近摆动。平均来说，红色是最亮的通道，蓝色最暗，三个通道的离散程度差不多。
//
// ## Normalize接在ToTensor之后
//
// `Transforms.Normalize(mean, std)`把每个通道减去该通道的均值，再除以它的标准差。它只处理浮点数，所以必须放在`ToTensor`之后；`Transforms.Compose`按顺序执行各个变换，就像原文里的`transforms.Compose([...])`。我们把刚算出的数字（`stats.Mean`和`stats.Std`）交给它。原文打印出这些数之后，在最终的加载代码（§5）里直接写上了四舍五入后的常量；保留四位小数时，两者是同一组数。
var transformedCifar10 = new Cifar10Dataset(dataPath, train: true, download: false,
    transform: ImageTransforms.Compose(
        ImageTransforms.ToTensor(),
        ImageTransforms.Normalize(stats.Mean, stats.Std)));
Console.WriteLine(transformedCifar10);

// ## 归一化之后的第99项
//
// 形状仍然是`[3, 32, 32]`，但取值不再局限于[0, 1]：现在每个值表示“离该通道平均值有几个标准差”。在整个训练集上，每个通道的均值是0、标准差是1；单独一张图像则不然，因为它有自己的颜色。看看下面这辆车各通道的均值：三个通道都比平均图像暗，但红色通道暗得少得多，绿色和蓝色则明显更暗。这正是“一辆红色小汽车”在数字上的样子。
var (imgT, _) = transformedCifar10[99];
var imgMean = imgT.view(3, -1).mean([1]).data<float>().Select(v => (double)v);
var imgStd = imgT.view(3, -1).std(1).data<float>().Select(v => (double)v);
Console.WriteLine($"shape [{string.Join(", ", imgT.shape)}], dtype {imgT.dtype}");
Console.WriteLine($"min {imgT.min().item<float>():0.0000}, max {imgT.max().item<float>():0.0000}");
Console.WriteLine($"per-channel mean {ChannelStats.Format(imgMean)}");
Console.WriteLine($"per-channel std  {ChannelStats.Format(imgStd)}");

// ## 显示归一化后的图像
//
// 原文用`plt.imshow(img_t.permute(1, 2, 0))`显示这个张量，我们也一样。`permute(1, 2, 0)`把通道放到最后，这是图像查看工具期望的布局（见笔记本02）。
//
// 图像看起来有点怪，这在意料之中。查看工具把浮点数当作0（全暗）到1（全亮）之间的亮度。归一化后的值从远低于0一直到超过1，所以`Images.Show`和matplotlib一样会截断（clip）它们：低于通道平均值的部分（所有负值）在该通道里变成黑色，高出平均值一个标准差以上的部分则饱和。剩下的就是一辆对比强烈、色调生硬的汽车。数据本身没有任何问题：网络并不看图，它只看数字，而这些数字现在已经很好地居中了。
display(Images.Show(imgT.permute(1, 2, 0), caption: "normalised, clipped to [0, 1]"));

// 和原始图像并排一放，截断的效果就一清二楚了。
var (raw, _) = cifar10[99];
display(Images.Grid(new[] { (raw, "raw bytes"), (imgT.permute(1, 2, 0), "normalised") }, columns: 2, zoom: 6));

// ## 直接用.NET版TorchVision的写法
//
// .NET版TorchVision有同样的变换：`torchvision.transforms.Normalize(means, stdevs)`，用`.call(batch)`调用。它只接受浮点批量`[N, C, H, W]`；传入单张`[3, 32, 32]`图像会抛出异常，所以单张图像要先`unsqueeze(0)`：
//
// ```csharp
// var normalize = torchvision.transforms.Normalize(new[] { 0.4914, 0.4822, 0.4465 }, new[] { 0.2470, 0.2435, 0.2616 });
// var normalized = normalize.call(imgT.unsqueeze(0)).squeeze(0);
// ```
//
// 我们的版本多做了这些：`Transforms.Normalize`既能处理单张图像也能处理批量；`Transforms.Compose`像原文的`transforms.Compose([...])`那样把它接在`ToTensor`之后；用它构建的数据集能在一次批量操作中把整条变换链应用到整个划分上（见笔记本04）。至于统计量本身，`ChannelStats.Of`在TorchVision里没有对应物：朴素的做法就是原文的堆叠方式，上面已经在1,000张图像上演示过。

// ---
//
// [← 上一节](02-to-tensor.ipynb) · [下一节→](04-birds-and-airplanes.ipynb)
