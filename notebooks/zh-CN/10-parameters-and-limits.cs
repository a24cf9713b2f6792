// Generated from 10-parameters-and-limits.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 10-parameters-and-limits.cs` in this folder, or with its path from anywhere; add `-- --epochs N` for a short run.
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

// # 10 · 参数数量与全连接网络的局限
//
// [English version](../en/10-parameters-and-limits.ipynb)
//
// 对应原文《pytorch深度学习实战：全连接神经网络图像识别》：**§4 全连接网络的局限性**。原文最后一节“§5 本文完整代码”对应[`complete-code.cs`](../en/complete-code.cs)（只有英文注释）。
//
// 我们的模型区分鸟和飞机，大约五次能对四次。最后这个笔记本来看看为此付出了什么代价：模型要学习多少个数，它在训练过的图像上和在新图像上的表现差多少，以及有一样东西它无论训练多久都看不见。
//
// **本节你将学到**
//
// - 怎样像原文那样统计模型的参数（parameter），那150多万个参数各自从何而来；
// - 训练准确率和验证准确率之间的巨大差距，怎样暴露出过拟合（overfitting）；
// - “固定的像素位置”是什么意思：一张图像平移几个像素，对这个网络来说就是另一个输入；
// - 用实验说明全连接网络不理会哪些像素彼此相邻：像素被打乱后的图像，它学得一样好；
// - 为什么这一切都指向卷积（convolution），也就是原文下一篇的主题。

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
var dataPath = "../../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var classNames = new[] { "airplane", "bird" };

var (cifar2, cifar2Val, stats) = NormalizedSubset.Load(dataPath, labelMap);
Console.WriteLine(stats);
Console.WriteLine($"Training images: {cifar2.Count}, validation images: {cifar2Val.Count}");

// ## 训练好的模型
//
// 和笔记本09一样，`ArticleRecipe.LoadOrTrain`加载笔记本08保存的模型；如果没有检查点（checkpoint），它会说明这一点并在这里训练。
var checkpointPath = "../../data/models/birds-airplanes-fc";
var progress = LiveProgress.Start("Looking for the checkpoint...");
var recipeEpochs = Tutorial.Epochs(ArticleRecipe.Epochs);
var (model, source) = ArticleRecipe.LoadOrTrain(cifar2, stats, checkpointPath, seed: 42, epochs: recipeEpochs,
    onEpoch: r => progress.Update($"{r.Epoch + 1}/{recipeEpochs} epochs: loss {r.Loss:F6}"));
progress.Update(source);

// ## 统计参数数量
//
// 原文用`numlist = [p.numel() for p in model.parameters() if p.requires_grad]`统计，再用`print(sum(numlist), numlist)`打印：先是总数，一个空格，然后是列表。在C#中，这个列表推导式写成LINQ查询`model.parameters().Where(p => p.requires_grad).Select(p => p.numel())`：按顺序给出每个可训练张量的元素个数。单元格按Python `print`的样式打印结果，再在下方打印原文那一行。
var numlist = model.parameters().Where(p => p.requires_grad).Select(p => p.numel()).ToList();
Console.WriteLine($"{numlist.Sum()} {PyPrint.List(numlist)}");
Console.WriteLine("article: 1574402 [1572864, 512, 1024, 2]");

// 每个数字的来历：
//
// - **1,572,864** = 3,072 × 512：第一层的权重矩阵，每个输入值到每个隐藏单元各有一个权重；
// - **512**：每个隐藏单元一个偏置；
// - **1,024** = 512 × 2：第二层的权重，从每个隐藏单元到两个输出中的每一个；
// - **2**：每个输出一个偏置。
//
// 几乎所有参数都集中在第一层。它的大小是“输入数×隐藏单元数”，所以会随着图像变大而增长。下面的单元格（不用真的构建什么大模型）算一算同样的设计在这几种情况下需要多少参数：全部十个CIFAR类别、更宽的隐藏层，以及一张1024 × 1024的彩色照片。
long CountFullyConnected(long inputs, long hidden, long classes) => inputs * hidden + hidden + hidden * classes + classes;

using (var tenClasses = FullyConnected.Create(classes: 10))
    Console.WriteLine($"10 classes:                    {tenClasses.parameters().Sum(p => p.numel()),14:N0}");
Console.WriteLine($"2 classes, 1,024 hidden units: {CountFullyConnected(3 * 32 * 32, 1024, 2),14:N0}");
Console.WriteLine($"1024 x 1024 RGB, 1,024 hidden: {CountFullyConnected(3L * 1024 * 1024, 1024, 2),14:N0}");

// 一张普通的照片就要三十亿个权重：按float32（每个4字节）存储，光这一层就将近13 GB。这种设计无法扩展到真实的图像。
//
// ## 训练准确率与验证准确率
//
// 用150万个参数去拟合10,000张训练图像，自由度实在太大；原文说这太多了，模型会过拟合。下面的单元格用不打乱顺序的加载器和`Evaluator.Evaluate`（循环在笔记本09里展示过），测量训练好的模型在两个划分上的准确率。
var trainEvalLoader = new BatchLoader(cifar2, batchSize: 64, shuffle: false);
var valLoader = new BatchLoader(cifar2Val, batchSize: 64, shuffle: false);
var trainAccuracy = Evaluator.Evaluate(model, trainEvalLoader, classes: 2).Accuracy;
var valAccuracy = Evaluator.Evaluate(model, valLoader, classes: 2).Accuracy;
Console.WriteLine($"Train accuracy: {trainAccuracy:F4}");
Console.WriteLine($"Validation accuracy: {valAccuracy:F4}");

// 模型在训练过的图像上几乎完美，在新图像上则明显差一截（测试会检查训练准确率高于0.97，并且比验证准确率至少高0.1）。这个差距就是**过拟合**：参数这么多，网络可以死记单张训练图像的细节（这片天空、那块草地），而不去学“鸟之所以是鸟”的本质。更多的训练数据、更少的参数，或者一个能在整张图像上共享所学内容的模型，都会有帮助。
//
// ## 固定的像素位置：同一张图像，平移一下
//
// 原文借助一张图提出的第二点：全连接网络认识的是*像素位置*，而不是物体的形状。3,072个输入值中的每一个都有自己的权重；网络根本不知道第37个值和第38个值是相邻的像素。那么，同一张图像稍微挪动一下，输入向量会发生什么变化？
//
// 下面的单元格取一张验证图像，把它向右平移3个像素（沿宽度方向做`roll`；从右边缘移出去的3列会从左边回来），然后逐个值比较模型将会收到的两个归一化输入向量。图中依次是原图、平移后的图，以及用白色标出的像素：这些像素的三个输入值中至少有一个变化超过0.1（以归一化单位，即标准差计）。
var (valImage, valLabel) = cifar2Val[3];
var shifted = valImage.roll(3, 2);
var inputChange = (shifted - valImage).abs();
var changedValues = (inputChange > 0.1).sum().item<long>();
Console.WriteLine($"{changedValues} / {valImage.numel()} ({100.0 * changedValues / valImage.numel():0.0}%)");
Console.WriteLine($"mean |change| {inputChange.mean().item<float>():0.000}");

var channelStd = from_array(stats.Std).to_type(float32).view(3, 1, 1);
var channelMean = from_array(stats.Mean).to_type(float32).view(3, 1, 1);
var changedPixels = (inputChange > 0.1).any(0).to_type(float32).unsqueeze(2).expand(-1, -1, 3);
display(Images.Grid(new[] {
    ((valImage * channelStd + channelMean).permute(1, 2, 0), classNames[valLabel]),
    ((shifted * channelStd + channelMean).permute(1, 2, 0), "roll(3, 2)"),
    (changedPixels, "|change| > 0.1") }, columns: 3, zoom: 5));

// 一次在我们看来图像毫无变化的平移，却让输入向量的大部分都变了。落到网络权重上的，是一组大不相同的数字；它在旧位置上学到的关于这张图像的东西，搬不到新位置上去。要认出出现在不同位置的同一个物体，它只能借助更多数据或平移后的副本，在每个位置上重新学一遍，而且每个位置都要动用自己的一套权重。
var pixelGenerator = new Generator(2024);
var pixelOrder = randperm(32 * 32, generator: pixelGenerator);

ImageDataset PermutePixels(ImageDataset dataset)
{
    using var scope = NewDisposeScope();
    var n = dataset.Images.shape[0];
    var images = dataset.Images.reshape(n, 3, 32 * 32).index_select(2, pixelOrder).reshape(n, 3, 32, 32);
    return new ImageDataset(images.MoveToOuterDisposeScope(), dataset.Labels.clone().MoveToOuterDisposeScope(), dataset.Classes);
}

var cifar2Permuted = PermutePixels(cifar2);
var cifar2ValPermuted = PermutePixels(cifar2Val);
Console.WriteLine($"Permuted: {cifar2Permuted.Count} training and {cifar2ValPermuted.Count} validation images");

// 为了看看网络将要面对的是什么，我们把同一个排列（permutation）应用到几张验证图像的原始字节上：第一行是原图，下面一行是打乱后的版本。颜色保留了下来（还是那些像素，只是挪了位置），所有形状却都消失了。
var cifar10Val = new Cifar10Dataset(dataPath, train: false, download: true);
var rawVal = cifar10Val.Subset(labelMap);
var rawValPermuted = PermutePixels(rawVal);

var originals = Enumerable.Range(0, 8).Select(i => { var (image, label) = rawVal[i]; return (image, classNames[label]); });
var scrambled = Enumerable.Range(0, 8).Select(i => (rawValPermuted[i].Image, "permuted"));
var examples = originals.Concat(scrambled).ToList();
var grid = Images.Grid(examples, columns: 8, zoom: 3);
foreach (var (image, _) in examples) image.Dispose();
display(grid);

// 现在用完全相同的方式训练两个全新的模型：原文的配方（`ArticleRecipe.Train`：SGD，学习率0.01，每批64张，NLLLoss），并用我们的同一个种子，因此初始权重和小批量顺序都相同。为了让本笔记本不至于太长，每个只训练10轮。一个看原始图像，另一个看打乱后的图像。然后各自在以同样方式准备的验证图像上测量。
var runEpochs = Tutorial.Epochs(10);
var runProgress = LiveProgress.Start("Training on original pixels...");
var (originalModel, _) = ArticleRecipe.Train(cifar2, seed: 42, epochs: runEpochs,
    onEpoch: r => runProgress.Update($"Original pixels, {r.Epoch + 1}/{runEpochs} epochs: loss {r.MeanLoss:F4}"));
var (permutedModel, _) = ArticleRecipe.Train(cifar2Permuted, seed: 42, epochs: runEpochs,
    onEpoch: r => runProgress.Update($"Permuted pixels, {r.Epoch + 1}/{runEpochs} epochs: loss {r.MeanLoss:F4}"));
runProgress.Update($"Both models trained for {runEpochs} epochs.");

var originalAccuracy = Evaluator.Evaluate(originalModel, valLoader, classes: 2).Accuracy;
var permutedValLoader = new BatchLoader(cifar2ValPermuted, batchSize: 64, shuffle: false);
var permutedAccuracy = Evaluator.Evaluate(permutedModel, permutedValLoader, classes: 2).Accuracy;
Console.WriteLine($"Original pixels, validation accuracy: {originalAccuracy:F4}");
Console.WriteLine($"Permuted pixels, validation accuracy: {permutedAccuracy:F4}");

// 两个准确率几乎一样（测试会检查两者相差不超过0.02；之所以略有不同，只是因为同样的初始权重遇到的像素顺序不同）。网络从噪声一样的图像中学得和从照片中一样好，这说明它从来没有用到让照片成为照片的那样东西：**哪些像素彼此相邻**。边缘、纹理和形状全都关乎邻域，而这个模型看不见它们；它只能一个权重一个权重地学习，哪些像素位置在哪个类别里往往偏亮或偏蓝。
//
// ## 接下来
//
// 两个问题有同一个解决办法：只看一小片邻近像素、并在图像的每个位置重复使用同样几个权重的层。这就是**卷积**：原文在§4的结尾预告了下一篇文章会讲它（书中第8章讲的也正是它）。
// 卷积利用图像的结构而不是把它丢掉，所需的参数只是上面统计数字的一个零头。

// ---
//
// [← 上一节](09-validation.ipynb) · [下一节→](11-convolutional-network.ipynb)
