// Generated from 11-convolutional-network.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 11-convolutional-network.cs` in this folder, or with its path from anywhere; add `-- --epochs N` for a short run.
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
using System.Diagnostics;
using static CifarHelpers.Notebook.NotebookApp;

CifarHelpers.Notebook.NotebookApp.Start();

// # 11 · 卷积神经网络与全连接网络的对比
//
// [English version](../en/11-convolutional-network.ipynb)
//
// **原文之外。** 原文《pytorch深度学习实战：全连接神经网络图像识别》在“§4 全连接网络的局限性”一节的结尾预告，下一篇将讲卷积神经网络；《Deep Learning with PyTorch》一书在第8章讲卷积神经网络。本笔记本不是原文任何部分的翻译。它在同样的数据上搭建书中的小型卷积神经网络，并与原文的全连接网络比较。
//
// **本节你将学到**
//
// - 卷积层（convolution）、填充（padding）和最大池化（max-pooling）怎样工作，为什么它们只需要很少的参数；
// - 怎样用带`RegisterComponents`的TorchSharp `Module`子类来写一个网络；
// - 两个网络逐轮的验证准确率对比；
// - 用数字说明“固定的像素位置”的代价：图像平移几个像素后，两个网络各自的准确率。

// ## 准备工作
//
// 和其他笔记本一样的第一个单元格：NuGet包、本教程的辅助库，以及`Tutorial.Setup`，它加载torch运行时，用42作为torch随机数生成器的种子，并打印所用的设备。和笔记本08一样，这里加上`using System.Diagnostics;`，以便用`Stopwatch`计时训练。
Tutorial.Setup(seed: 42);

// ## 数据：`cifar2`和`cifar2Val`
//
// 和笔记本08到10一样，`NormalizedSubset.Load`构建归一化后的飞机/鸟子集（笔记本03和04讲解了每一步）：10,000张训练图像和2,000张验证图像，`float [N, 3, 32, 32]`。
var dataPath = "../../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var classNames = new[] { "airplane", "bird" };

var (cifar2, cifar2Val, stats) = NormalizedSubset.Load(dataPath, labelMap);
Console.WriteLine(stats);
Console.WriteLine($"Training images: {cifar2.Count}, validation images: {cifar2Val.Count}");

// ## 网络
//
// 全连接层让每个隐藏单元对3,072个输入值中的每一个都有自己的权重。**卷积**正好相反：一个小的**卷积核**（kernel），这里是跨所有输入通道的3 × 3像素，在图像上滑动，每个位置都使用*同一组*权重。每个输出值只看到一个3 × 3的邻域，所以这一层能在任何位置检测局部模式（一条边缘、一块纹理）。
//
// 书中的网络，逐层说明（形状以B张图像的一个小批量为例）：
//
// - `Conv2d(3, 16, kernel_size: 3, padding: 1)`：16个3 × 3 × 3权重的卷积核，各带一个偏置，共16 · 27 + 16 = 448个参数。**填充**1在图像四周加一圈像素宽的零，使卷积核也能落在边缘像素上，输出保持图像的大小：`[B, 3, 32, 32]` → `[B, 16, 32, 32]`；
// - `Tanh`，然后`MaxPool2d(2)`：**池化**保留每个2 × 2块中的最大值，高和宽减半（`[B, 16, 16, 16]`）。池化之后的每个值概括了原图中更大的一块区域；池化没有参数；
// - `Conv2d(16, 8, kernel_size: 3, padding: 1)`、`Tanh`、`MaxPool2d(2)`：8个3 × 3 × 16权重的卷积核加上偏置，共1,160个参数，`[B, 8, 8, 8]`；
// - 展平为8 · 8 · 8 = 512个值，`Linear(512, 32)`、`Tanh`、`Linear(32, 2)`：16,416 + 66个参数。
//
// 网络返回原始分数（logits），用`CrossEntropyLoss`训练，它一步完成`LogSoftmax`加`NLLLoss`（笔记本07），和书中一样。
//
// 在TorchSharp中，和PyTorch一样，带自定义`forward`的模型是一个从`Module`派生的类。它的各层是字段；`RegisterComponents()`找到它们，使`parameters()`、`save`和`to(device)`都能看到它们。辅助库中的`ConvNet`是同一个网络，参数的名称和形状都相同（有一个测试把本笔记本的检查点加载进`ConvNet`，得到的验证准确率相同）。
// (Net is declared at the end of this file.)

manual_seed(42);
var cnn = new Net();
var numlist = cnn.parameters().Where(p => p.requires_grad).Select(p => p.numel()).ToList();
Console.WriteLine($"{numlist.Sum()} {PyPrint.List(numlist)}");
using (var fullyConnected = FullyConnected.Create())
{
    var fcNumlist = fullyConnected.parameters().Where(p => p.requires_grad).Select(p => p.numel()).ToList();
    Console.WriteLine($"{fcNumlist.Sum()} {PyPrint.List(fcNumlist)}");
}
using (var probe = zeros(1, 3, 32, 32))
using (var scores = cnn.forward(probe))
    Console.WriteLine($"{PyPrint.Size(probe.shape)} -> {PyPrint.Size(scores.shape)}");

// 第一行是卷积神经网络的参数数量，采用原文的格式（`print(sum(numlist), numlist)`），第二行是全连接网络的。约1.8万个参数，而不是150万个：只有后者的约1/87（1,574,402 / 18,090 ≈ 87）。卷积核的权重由所有位置共享，所以卷积层的大小取决于卷积核和通道数，而不取决于图像的大小；池化又在第一个`Linear`层之前把图像缩小到8 × 8，所以这一层只有512个输入，而不是3,072个。
//
// ## 训练两个网络
//
// 卷积神经网络的训练配方和原文的全连接网络相同：学习率0.01的SGD，打乱顺序、每批64张。种子42是我们设定的，原文没有设定任何种子。`Trainer`运行笔记本08的循环（前向、损失、清零梯度、反向、更新）；`FlattenImages = false`把图像以`[B, 3, 32, 32]`的形状交给网络。每轮之后，单元格测量两个数据集上的准确率（`Evaluator.Evaluate`，`flatten: false`）。
//
// 卷积神经网络的数据加载器传入`channelsLast: true`：每个小批量的形状`[B, 3, 32, 32]`和数值都不变，但在内存中把一个像素的三个颜色值挨着存放（即PyTorch的`torch.channels_last`），CPU上的卷积和池化代码按这种顺序运行得最快。数学完全相同，只是速度变了。这样的小批量在内存中不是连续存放的，所以`forward`在书中写`view`的地方用了`reshape`。
//
// 为了画对比曲线，全连接网络从同一个种子出发训练同样多的轮次，使用库中的融合训练器（笔记本08的*进一步*：同样的数学，更快）。轮数选得不多，免得本笔记本跑得太久；单元格会打印实测的训练时间。
var nEpochs = Tutorial.Epochs(30);
// channelsLast: the same batches, laid out channel-innermost in memory, where convolutions run faster.
var trainLoader = new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42, channelsLast: true);
var cnnTrainEvalLoader = new BatchLoader(cifar2, batchSize: 500, shuffle: false, channelsLast: true);
var cnnValLoader = new BatchLoader(cifar2Val, batchSize: 500, shuffle: false, channelsLast: true);
var trainEvalLoader = new BatchLoader(cifar2, batchSize: 500, shuffle: false);
var valLoader = new BatchLoader(cifar2Val, batchSize: 500, shuffle: false);

var cnnTrainer = new Trainer(cnn, optim.SGD(cnn.parameters(), 1e-2), nn.CrossEntropyLoss()) { FlattenImages = false };
var cnnTrainAcc = new List<double>();
var cnnValAcc = new List<double>();
var progress = LiveProgress.Start($"CNN, 0/{nEpochs} epochs");
var clock = Stopwatch.StartNew();
var cnnHistory = cnnTrainer.Fit(trainLoader, nEpochs, onEpoch: r =>
{
    cnnTrainAcc.Add(Evaluator.Evaluate(cnn, cnnTrainEvalLoader, classes: 2, flatten: false).Accuracy);
    cnnValAcc.Add(Evaluator.Evaluate(cnn, cnnValLoader, classes: 2, flatten: false).Accuracy);
    progress.Update($"CNN, {r.Epoch + 1}/{nEpochs} epochs: loss {r.MeanLoss:F4}, train {cnnTrainAcc[^1]:F4}, val {cnnValAcc[^1]:F4}, {clock.Elapsed.TotalSeconds:F0} s");
});
var cnnSeconds = clock.Elapsed.TotalSeconds;

manual_seed(42);
var fcCurve = FullyConnected.Create();
var fcTrainAcc = new List<double>();
var fcValAcc = new List<double>();
var fcLoader = new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42);
Trainer.FusedSgd(fcCurve, 1e-2).Fit(fcLoader, nEpochs, onEpoch: r =>
{
    fcTrainAcc.Add(Evaluator.Evaluate(fcCurve, trainEvalLoader, classes: 2).Accuracy);
    fcValAcc.Add(Evaluator.Evaluate(fcCurve, valLoader, classes: 2).Accuracy);
    progress.Update($"Fully connected, {r.Epoch + 1}/{nEpochs} epochs: loss {r.MeanLoss:F4}, train {fcTrainAcc[^1]:F4}, val {fcValAcc[^1]:F4}");
});
progress.Update($"CNN: {nEpochs} epochs in {cnnSeconds:F0} s ({cnnSeconds / nEpochs:F1} s per epoch, with its two evaluations)");
Console.WriteLine($"Train minus validation accuracy after epoch {nEpochs}: CNN {cnnTrainAcc[^1] - cnnValAcc[^1]:F4}, fully connected {fcTrainAcc[^1] - fcValAcc[^1]:F4}");

// 图表显示两个网络每轮之后在训练图像和验证图像上的准确率。
var epochAxis = Enumerable.Range(1, nEpochs).Select(e => (double)e).ToArray();
display(Charts.Lines("Accuracy per epoch", "epoch", "accuracy",
             ("CNN, train", epochAxis, cnnTrainAcc),
             ("CNN, validation", epochAxis, cnnValAcc),
             ("fully connected, train", epochAxis, fcTrainAcc),
             ("fully connected, validation", epochAxis, fcValAcc)));

// 图表上方打印的一行给出最后一轮之后两个网络的训练准确率与验证准确率之差：全连接网络的差更大（测试会检查这一点），这就是笔记本10中的过拟合；卷积神经网络的两条曲线靠得更近。
//
// ## 保存卷积神经网络
//
// 和笔记本08一样，这个单元格把权重保存到`data/models/`（`birds-airplanes-cnn.bin`，以及一个`.json`，记录各参数的名称和形状、轮数、种子、验证准确率和数据）。这里写的书中的`Net`与辅助库中的`ConvNet`参数名称和形状都相同，所以`ConvNet`可以加载这个检查点。
var cnnCheckpoint = "../../data/models/birds-airplanes-cnn";
Checkpoint.Save(cnn, cnnCheckpoint, CheckpointInfo.For(cnn, nEpochs, seed: 42, cifar2, stats, cnnValAcc[^1]));
Console.WriteLine($"Saved {cnnCheckpoint}.bin: {ModelSummary.Signature(cnn)}");

// ## 与原文的模型对比
//
// 公平的对手是笔记本08训练了100轮的原文模型。`ArticleRecipe.LoadOrTrain`加载笔记本08的检查点；如果没有，就在这里训练，和笔记本09、10一样。
var checkpointPath = "../../data/models/birds-airplanes-fc";
var loadProgress = LiveProgress.Start("Looking for the checkpoint...");
var recipeEpochs = Tutorial.Epochs(ArticleRecipe.Epochs);
var (fcModel, fcSource) = ArticleRecipe.LoadOrTrain(cifar2, stats, checkpointPath, seed: 42, epochs: recipeEpochs,
    onEpoch: r => loadProgress.Update($"{r.Epoch + 1}/{recipeEpochs} epochs: loss {r.Loss:F6}"));
loadProgress.Update(fcSource);

var cnnAccuracy = Evaluator.Evaluate(cnn, valLoader, classes: 2, flatten: false).Accuracy;
var fcAccuracy = Evaluator.Evaluate(fcModel, valLoader, classes: 2).Accuracy;
Console.WriteLine($"CNN validation accuracy: {cnnAccuracy:F4}");
Console.WriteLine($"Fully connected validation accuracy: {fcAccuracy:F4}");

// 卷积神经网络的参数只有全连接网络的约1/87，训练的轮数也更少，验证图像却分得更准（测试检查它的准确率高于全连接网络，并且至少为0.86）。
//
// ## 平移后的图像
//
// 笔记本10表明，平移几个像素会改变全连接网络的大部分输入值。现在我们可以测量它对预测的影响。这个单元格把每张验证图像向右平移1、2、4和8个像素（`ImageShift.Shift`：从右边移出的列被丢弃，从左边移入的列为零，在归一化后的图像上就是平均颜色），并在每个平移后的数据集上测量两个网络。每个平移后的数据集以每批500张、不计算梯度的方式打分。
int[] shifts = [0, 1, 2, 4, 8];
var cnnShifted = new List<double>();
var fcShifted = new List<double>();
foreach (var shift in shifts)
{
    using var shiftedImages = ImageShift.Shift(cifar2Val.Images, dx: shift);
    using var shiftedSet = new ImageDataset(shiftedImages, cifar2Val.Labels.clone(), cifar2Val.Classes);
    var shiftedLoader = new BatchLoader(shiftedSet, batchSize: 500, shuffle: false);
    cnnShifted.Add(Evaluator.Evaluate(cnn, shiftedLoader, classes: 2, flatten: false).Accuracy);
    fcShifted.Add(Evaluator.Evaluate(fcModel, shiftedLoader, classes: 2).Accuracy);
}

Console.WriteLine("shift  CNN     FC");
for (int i = 0; i < shifts.Length; i++)
    Console.WriteLine($"{shifts[i],5}  {cnnShifted[i]:F4}  {fcShifted[i]:F4}");

var shiftAxis = shifts.Select(s => (double)s).ToArray();
display(Charts.Lines("Validation accuracy on shifted images", "shift (pixels to the right)", "accuracy",
             ("CNN", shiftAxis, cnnShifted),
             ("fully connected", shiftAxis, fcShifted)));

// 表格的第一行是未平移的验证集。随着平移增大，全连接网络损失的准确率比卷积神经网络多（测试在平移4个像素处检查这一点）。卷积核无论图案在哪里都能找到同样的图案，池化又能容忍小的移动；全连接网络学到的是每个固定的像素位置上应当出现什么，而一只平移过的鸟在这些位置上放的是别的值。两个网络都不是完全不变的：平均颜色的边框以及更大的平移，仍然让卷积神经网络损失准确率。
//
// ## 我们没有做的
//
// 书的第8章走得更远；下面每一项都会改变上面的数字：
//
// - **图像增广**（image augmentation）：
// 在随机平移、翻转或裁剪的图像副本上训练，使网络见到更多变化；
// - **权重衰减**（weight decay）：把权重的大小加到损失中，使权重保持较小、模型更简单；
// - **丢弃法**（dropout）：在每个训练步骤中随机关闭一部分单元，使任何单元都不能依赖另一个单元；
// - **批量归一化**（batch normalisation）：在批量上重新缩放每一层的输入，使训练更稳定、更快。

// ---
//
// [← 上一节](10-parameters-and-limits.ipynb) · [下一节→](12-exercises.ipynb)

// Types declared in the notebook's cells: a file-based app declares them after its statements.

class Net : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Conv2d conv1, conv2;
    readonly TorchSharp.Modules.Linear fc1, fc2;

    public Net() : base("Net")
    {
        conv1 = nn.Conv2d(3, 16, kernel_size: 3, padding: 1);
        conv2 = nn.Conv2d(16, 8, kernel_size: 3, padding: 1);
        fc1 = nn.Linear(8 * 8 * 8, 32);
        fc2 = nn.Linear(32, 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var out1 = nn.functional.max_pool2d(tanh(conv1.forward(x)), 2);
        var out2 = nn.functional.max_pool2d(tanh(conv2.forward(out1)), 2);
        var out3 = tanh(fc1.forward(out2.reshape(-1, 8 * 8 * 8))); // the book's view; reshape also takes channels-last batches
        return fc2.forward(out3).MoveToOuterDisposeScope();
    }
}
