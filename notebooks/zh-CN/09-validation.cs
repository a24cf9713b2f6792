// Generated from 09-validation.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 09-validation.cs` in this folder, or with its path from anywhere; add `-- --epochs N` for a short run.
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

// # 09 · 验证准确率
//
// [English version](../en/09-validation.ipynb)
//
// 对应原文《pytorch深度学习实战：全连接神经网络图像识别》：**§3.3 验证模型**。
//
// 笔记本08中的训练损失降到了接近零。但这只说明模型拟合了它训练用的10,000张图像。这里我们问真正的问题：在它从未见过的2,000张飞机和鸟的图像中，它能认对多少？又认错了哪些？
//
// **本节你将学到**
//
// - 原文的验证循环：不计算梯度，对每个输出取`torch.max`，统计正确数和总数；
// - 我们的准确率（accuracy）和原文的`Accuracy: 0.813`比起来如何；
// - 怎样逐个类别地读懂混淆矩阵（confusion matrix）；
// - 模型犯的错误长什么样。

// ## 准备工作
//
// 第一个单元格只做准备：固定各个NuGet包的版本（带CPU版libtorch的TorchSharp、负责画图的SkiaSharp原生部分、负责图表的XPlot.Plotly、负责表格的Microsoft.Data.Analysis），加载本教程的辅助库，然后调用`Tutorial.Setup`：它加载torch运行时、注册显示格式、用42作为torch随机数生成器的种子（seed），并打印将要使用的计算设备。
Tutorial.Setup(seed: 42);

// ## 数据：`cifar2`和`cifar2Val`
//
// 本笔记本要能独立运行，所以重新构建一遍数据。每一步在笔记本03和04里都讲过了；`NormalizedSubset.Load`一次调用就把它们全部跑完。它代替的是前面这些单元格：笔记本03的*全部50,000张图像，一次算完*（`ChannelStats.Of`）和*Normalize接在ToTensor之后*（`Transforms.Compose`），以及笔记本04的*十选二*（`labelMap`）和*批量构建cifar2和cifar2Val*（`Subset`，`ApplyTransform`）。简单地说：
//
// - 在50,000张原始训练图像上计算每个通道的均值（mean）和标准差（standard deviation）（`ChannelStats.Of`）；
// - 一个变换（transform）：先把字节变成[0, 1]之间的浮点数（`ToTensor`），再对每个通道做归一化（`Normalize`）；
// - 用`labelMap`从每个划分中只留下飞机和鸟（飞机0 → 0，鸟2 → 1），再用`ApplyTransform`一次向量化处理完成变换。
//
// 每个划分只读一遍，用不到的东西随即释放，所以最后留在内存里的只有`cifar2`（10,000张训练图像）和`cifar2Val`（2,000张验证图像），都是`float [N, 3, 32, 32]`张量。
//
// 验证只需要`cifar2Val`；保留`cifar2`是为了在需要时重新训练模型（见下一个单元格）。
var dataPath = "../../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var classNames = new[] { "airplane", "bird" };

var (cifar2, cifar2Val, stats) = NormalizedSubset.Load(dataPath, labelMap);
Console.WriteLine(stats);
Console.WriteLine($"Training images: {cifar2.Count}, validation images: {cifar2Val.Count}");

// ## 训练好的模型
//
// 笔记本08把模型保存在`data/models/`里。`ArticleRecipe.LoadOrTrain`构建原文的网络（`FullyConnected.Create()`），检查检查点（checkpoint）里存的是否正是按原文配方训练的这个网络（参数的名称和形状、100轮、种子42、同样的图像、同样的归一化），加载权重，并说明权重的来源。另一次运行留下的检查点不会被使用，它会用一行说明原因。如果没有检查点（还没运行过笔记本08），它会说明这一点，然后用相同的配方和种子在这里训练同一个模型，这时进度行会显示训练到了第几轮。
var checkpointPath = "../../data/models/birds-airplanes-fc";
var progress = LiveProgress.Start("Looking for the checkpoint...");
var recipeEpochs = Tutorial.Epochs(ArticleRecipe.Epochs);
var (model, source) = ArticleRecipe.LoadOrTrain(cifar2, stats, checkpointPath, seed: 42, epochs: recipeEpochs,
    onEpoch: r => progress.Update($"{r.Epoch + 1}/{recipeEpochs} epochs: loss {r.Loss:F6}"));
progress.Update(source);

// ## 验证循环
//
// 这就是原文的循环。它和训练有三处不同：
//
// - `using (no_grad())`：我们只是读取模型，自动求导（autograd）不需要记录任何东西，这样既省内存又省时间。权重保持不变，是因为循环从不调用`optimizer.step()`；`no_grad`只是停止记录梯度。
// - 加载器**不**打乱顺序：计数时顺序无关紧要，而固定的顺序让我们之后能把每个预测和它的图像对应起来。
// - 预测结果是输出最高的那个类别。Python写作`_, predicted = torch.max(out, dim=1)`；TorchSharp的`max(dim, keepdim)`返回同样的数值和索引二元组，我们保留索引。
//
// `(predicted == labels)`逐元素比较，得到一个布尔张量；`sum()`统计其中`true`的个数。和笔记本08一样，每个小批量都在一个释放作用域（dispose scope）里处理。原文打印的是`Accuracy: 0.813`，即Python的`correct / total`；我们用同样的方式（`PyPrint.Float`）打印自己的结果，再在下方打印原文那一行。
var valLoader = new BatchLoader(cifar2Val, batchSize: 64, shuffle: false);
var correct = 0L;
var total = 0L;

using (no_grad())
{
    foreach (var (imgs, labels) in valLoader)
    {
        using var scope = NewDisposeScope();
        scope.Attach(imgs, labels);

        var batchSize = imgs.shape[0];
        var outputs = model.forward(imgs.view(batchSize, -1));
        var (_, predicted) = outputs.max(1, false);
        total += labels.shape[0];
        correct += (predicted == labels).sum().item<long>();
    }
}

Console.WriteLine($"Accuracy: {PyPrint.Float((double)correct / total)}");
Console.WriteLine("article: Accuracy: 0.813");
Console.WriteLine($"{correct} / {total}");

// 大约五张里认对四张，和原文的0.813很接近（种子和运行不同，数字也会不同：本教程的测试接受0.78到0.85之间的值）。这比抛硬币强得多，可笔记本08的训练损失几乎降到了零：模型从训练图像中学到的东西，只有一部分能推广到新图像上。笔记本10会测量这个差距。
//
// ## 错在哪里：混淆矩阵
//
// 一个准确率数字掩盖了*哪个*类别吃了亏。`Evaluator.Evaluate`运行和上面相同的循环，同时统计每一对（真实类别，预测类别）出现的次数。表格中每一行是一个真实类别，每一列是一个预测结果：对角线上是正确答案，其余格子是两种错误。单元格还会检查它和我们手写循环的结果是否一致。
var evaluation = Evaluator.Evaluate(model, valLoader, classes: 2);
Console.WriteLine($"Evaluator: {evaluation.Correct} correct of {evaluation.Total}, accuracy {evaluation.Accuracy:F4}; " +
                  $"agrees with the loop above: {evaluation.Correct == correct && evaluation.Total == total}");
for (int c = 0; c < classNames.Length; c++)
{
    long classTotal = 0;
    for (int p = 0; p < classNames.Length; p++) classTotal += evaluation.Confusion[c, p];
    Console.WriteLine($"  {classNames[c],-8}: {evaluation.Confusion[c, c]} of {classTotal} right ({(double)evaluation.Confusion[c, c] / classTotal:F4})");
}
display(Tables.Confusion(evaluation, classNames));

// ## 错误长什么样
//
// 要把分错的图像显示出来，需要它们的原始字节，而不是归一化后的浮点数。原始验证集用同一个`labelMap`筛选后，图像顺序和`cifar2Val`相同（两者是对同一份数据做同样的筛选），所以下标*i*在两边指的是同一张图像；单元格会检查标签是否一一对应。由于`valLoader`不打乱顺序，`evaluation.Predicted[i]`就是模型对第*i*张图像的回答。
//
// 网格显示前16个错误，说明文字是“真实类别→预测类别”。
var cifar10Val = new Cifar10Dataset(dataPath, train: false, download: true);
var rawVal = cifar10Val.Subset(labelMap);
var truth = cifar2Val.Labels.data<long>().ToArray();
Console.WriteLine($"Same labels in the same order: {rawVal.Labels.data<long>().ToArray().SequenceEqual(truth)}");

var wrong = Enumerable.Range(0, truth.Length).Where(i => evaluation.Predicted[i] != truth[i]).ToList();
Console.WriteLine($"{wrong.Count} misclassified validation images; showing the first 16");

var gallery = wrong.Take(16).Select(i => (rawVal[i].Image, $"{classNames[truth[i]]} → {classNames[evaluation.Predicted[i]]}")).ToList();
var grid = Images.Grid(gallery, columns: 8, zoom: 3);
foreach (var (image, _) in gallery) image.Dispose();
display(grid);

// 模型只看得到3,072个数，其中颜色和大片的明暗区域分量很重；它根本没有翅膀或鸟喙的概念。所以看这些错误时，既要看物体，也要看背景。这就是笔记本10要探讨的局限。

// ---
//
// [← 上一节](08-training.ipynb) · [下一节→](10-parameters-and-limits.ipynb)
