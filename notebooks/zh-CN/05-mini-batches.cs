// Generated from 05-mini-batches.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 05-mini-batches.cs` in this folder, or with its path from anywhere; add `-- --epochs N` for a short run.
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
using Microsoft.Data.Analysis;
using static CifarHelpers.Notebook.NotebookApp;

CifarHelpers.Notebook.NotebookApp.Start();

// # 05 · 小批量
//
// [English version](../en/05-mini-batches.ipynb)
//
// 对应原文《pytorch深度学习实战：全连接神经网络图像识别》的以下几节：
//
// - **§2.3.1 mini-batch 优势**，包括
//   **§2.3.1.1 背景：训练循环的问题**、
//   **§2.3.1.2 三种训练方式的对比**、
//   **§2.3.1.3 小批量的优势**和
//   **§2.3.1.4 关键概念**；
// - **§2.3.2 如何实现mini-batch**。
//
// 所谓训练，就是给模型看一些图像，衡量它错得有多离谱，再把每个权重朝“错得少一点”的方向轻轻推一下。那么每推一次之前，应该让它看多少张图像？一张？还是全部10,000张？原文的答案是几十张组成的一个*小批量（mini-batch）*。这个笔记本用实测来说明原因。
//
// **本节你将学到**
//
// - 全量梯度下降、单样本梯度下降和小批量梯度下降三者在时间和内存上的取舍；
// - 批量大小（batch size）是一个*超参数（hyperparameter）*；
// - 在我们的鸟和飞机数据上实际测量这种取舍：每轮的损失和每轮的耗时；
// - `DataLoader`怎样把数据集切成打乱顺序的小批量，一个小批量长什么样，以及TorchSharp自带的`torch.utils.data.DataLoader`是怎么做的。

// ## 准备工作
//
// 老规矩，第一个单元格：引入包和辅助库，调用`Tutorial.Setup`（加载torch、注册显示格式、设定种子）。本笔记本还要自己搭一张小结果表，所以多加了一行`using Microsoft.Data.Analysis;`。
Tutorial.Setup(seed: 42);

// ## 数据：归一化后的cifar2
//
// 和笔记本04完全一样：在50,000张训练图像上算通道统计量，做`ToTensor`加`Normalize`，再把飞机和鸟的图像重新编号为0和1，批量完成变换。`NormalizedSubset.Load`一次调用就跑完这些步骤：它相当于笔记本03的*全部50,000张图像，一次算完*和*Normalize接在ToTensor之后*，以及笔记本04的*十选二*和*批量构建cifar2和cifar2Val*。本笔记本只需要训练集。
var dataPath = "../../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var classNames = new[] { "airplane", "bird" };
var (cifar2, _, _) = NormalizedSubset.Load(dataPath, labelMap);
Console.WriteLine($"cifar2: {cifar2.Count} images of {string.Join(" and ", cifar2.Classes)}");

// ## §2.3.1 mini-batch 优势
//
// ### §2.3.1.1 背景：训练循环的问题
//
// 我们要最小化的损失（loss）是所有训练图像上的平均值，它的梯度（gradient）也是。如果要精确计算，梯度下降的每一步都得用上所有图像：先对全部图像做一次前向传播，再做一次反向传播。这既花**时间**（遍历一遍数据，即一轮（epoch），只换来一步更新），又占**内存**：反向传播要用到前向传播算出的结果，如果一次算完，*全部*图像的输入和每一层的激活值都必须同时留在内存里。下面的单元格按float32（每个值4字节）算一算具体数字。
string Megabytes(long images, long valuesPerImage) => $"{images * valuesPerImage * 4 / 1e6:N1} MB";
Console.WriteLine($"10000 x [3, 32, 32]:     input {Megabytes(10_000, 3 * 32 * 32)}, hidden {Megabytes(10_000, 512)}");
Console.WriteLine($"64 x [3, 32, 32]:        input {Megabytes(64, 3 * 32 * 32)}, hidden {Megabytes(64, 512)}");
Console.WriteLine($"1281167 x [3, 224, 224]: input {Megabytes(1_281_167, 3 * 224 * 224)}");

// 我们这10,000张小图还放得下：输入约123 MB，隐藏层激活约20 MB。一个64张的批量连1 MB都不到。但全量会随着数据集一起变大：ImageNet有1,281,167张224 × 224的训练图像（最后一行），光输入就要771 GB，普通机器根本装不下。不过，内存并不能真正排除全量梯度下降：可以把数据分成若干块，逐块做前向和反向传播，把梯度累加起来再更新一次（原文§2.3.1.2说的正是把每个样本的梯度累加起来），这样内存里只需放下一块。去不掉的代价是：每遍历一次数据，模型只更新一次。
//
// ### §2.3.1.2 三种训练方式的对比
//
// - **全量梯度下降。** 每一步都用全部10,000张图像。梯度是精确的，但一轮只能走一步：整个数据集都要在网络里过一遍，模型才会有一点变化。
// - **单样本梯度下降。** 每看一张图像就走一步：一轮10,000步。每个梯度只来自一张图像，噪声很大，只是大致指向下坡，并不准确，训练因此不稳定。而且每一小步都要为一张图像付出完整的前向传播、反向传播和权重更新的开销。原文把这种做法叫作SGD（随机梯度下降），后面训练时用的`optim.SGD`却是在64张图像的小批量上更新。两者并不矛盾：“随机”指的是用一部分样本对梯度做随机估计，一张也好，64张也好，都算SGD。
// - **小批量梯度下降。** 在几十张图像上求平均梯度：介于两者之间的折中。
//
// ### §2.3.1.3 小批量的优势
//
// 梯度估计的噪声比单样本小得多，训练更稳定；每一轮仍然有很多步；一步的计算就是对整个小批量做一次矩阵乘法，而CPU和GPU做一次大乘法远比做许多次小乘法高效；剩下的那点噪声还能把模型从不太好的位置（局部最优）里晃出来，精确梯度则可能就停在那里。
//
// ### §2.3.1.4 关键概念
//
// 批量大小是一个**超参数**（hyperparameter）：它在训练之前由我们选定，训练过程不会去学习它，和学习率、训练轮数一样。常见的取值是32或64；原文用的是64。下面的实验只改变这一个超参数，其余一律不变。
//
// 这些说法不必照单全收，我们亲手试一试。

// ## 实验
//
// 我们训练原文的模型（`FullyConnected.Create()`：3,072个输入，512个带tanh的隐藏单元，2个带log-softmax的输出），用普通的SGD、学习率1e-2和负对数似然（NLL）损失，与后面几个笔记本的设置相同。唯一变化的是批量大小。每次运行之前都调用`manual_seed(42)`，所以所有运行都从完全相同的权重出发，每个`DataLoader`也都设定了种子。`Trainer.Fit`执行原文的训练循环，并逐轮记录该轮各小批量损失的平均值以及实际耗时。
//
// 计时时我们让torch只用一个线程（`set_num_threads(1)`），实验结束后再恢复原来的设置。单张图像的小步子没法让多个核心都忙起来；如果机器同时还在干别的事，torch的工作线程可能互相等待，把每个小步骤拖慢好多倍。单线程下，秒数比较的才是我们想比较的东西：同样的运算，是拆成许多小操作做，还是合成几个大操作做。
//
// 几个小辅助函数让单元格保持简短：`Head`取数据集的前`n`张图像（只是视图，不复制）；`LossOn`不计算梯度，一次性算出模型在整个数据集上的损失；`Run`训练一个全新的模型，返回它的训练历史、每轮的步数，以及训练前后它在训练数据上的损失。
var threads = get_num_threads();
set_num_threads(1);

var learningRate = 1e-2;
var nEpochs = Tutorial.Epochs(3);
var lossFn = nn.NLLLoss();

ImageDataset Head(ImageDataset dataset, int n) =>
    new ImageDataset(dataset.Images.narrow(0, 0, n), dataset.Labels.narrow(0, 0, n), dataset.Classes);

double LossOn(nn.Module<Tensor, Tensor> model, ImageDataset data)
{
    using var scope = NewDisposeScope();
    using var noGrad = no_grad();
    var outputs = model.forward(data.Images.view(data.Count, -1));
    return lossFn.forward(outputs, data.Labels).item<float>();
}

(TrainingHistory History, int Steps, double StartLoss, double FinalLoss) Run(ImageDataset data, int batchSize, int epochs)
{
    manual_seed(42);
    using var model = FullyConnected.Create();
    using var optimizer = optim.SGD(model.parameters(), learningRate);
    using var loader = new BatchLoader(data, batchSize: batchSize, shuffle: true, seed: 42);
    double startLoss = LossOn(model, data);
    var history = new Trainer(model, optimizer, lossFn).Fit(loader, epochs);
    return (history, loader.Count, startLoss, LossOn(model, data));
}

// ### 一次一张图像有多慢？
//
// 批量大小为1是最费时的设置，所以先在200张图像上（200步）计时，再推算到整个`cifar2`需要多久。
var probeSize = 200;
double secondsPerStep;
using (var probeData = Head(cifar2, probeSize))
    secondsPerStep = Run(probeData, batchSize: 1, epochs: 1).History.Elapsed.TotalSeconds / probeSize;
Console.WriteLine($"batch size 1: {secondsPerStep * 1000:0.00} ms per step");
Console.WriteLine($"{nEpochs} epochs over all {cifar2.Count} images would take about {secondsPerStep * cifar2.Count * nEpochs:0} s");

// 对于一个演示来说，这比我们愿意等的时间要长，更慢的机器还要更久。所以下面所有设置都使用`cifar2`的同一批**前2,000张图像**，即五分之一的数据。CIFAR-10的存储顺序是随机的，所以两个类别的数量大致相当（表格里给出了具体数目）。用2,000张图像时，全量梯度下降的一步就是一个2,000张的批量。重要的是各设置之间的比较，而不是绝对数值。
var nImages = 2000;
var small = Head(cifar2, nImages);
display(Tables.ClassCounts(small));

// 现在进行三次运行：批量大小1、原文用的64，以及全量。每次运行结束时打印一行，其中包括模型在全部2,000张图像上训练前和训练后的损失（`loss before -> after`）；批量大小为1的那次最慢。单元格最后把所有线程还给torch。
var runs = new List<(int BatchSize, int Steps, TrainingHistory History, double StartLoss, double FinalLoss)>();
foreach (var batchSize in new[] { 1, 64, nImages })
{
    var (history, steps, startLoss, finalLoss) = Run(small, batchSize, nEpochs);
    runs.Add((batchSize, steps, history, startLoss, finalLoss));
    var losses = string.Join(", ", history.Epochs.Select(e => e.MeanLoss.ToString("0.0000")));
    Console.WriteLine($"batch size {batchSize,4}: {steps,4} steps per epoch, mean loss per epoch [{losses}], " +
                      $"loss {startLoss:0.0000} -> {finalLoss:0.0000}, {history.Elapsed.TotalSeconds:0.0} s in all");
}
set_num_threads(threads);

// ### 每轮的损失
//
// 每种批量大小一条曲线：每一轮的平均训练损失，也就是该轮各小批量损失的平均值，每个小批量的损失都在它那一步更新之前测得。作为参照，一个对每张图像都回答“五五开”的模型，损失是ln 2 ≈ 0.693。三次运行从相同的权重出发，训练前的损失也相同（见下表）。
display(Charts.Lines("Mean training loss per epoch, by batch size", "epoch", "mean loss (NLL)",
    runs.Select(r => (r.BatchSize.ToString(),
                      r.History.Epochs.Select(e => (double)e.Epoch),
                      r.History.Epochs.Select(e => e.MeanLoss))).ToArray()));

// ### 步数、时间和损失并排对照
//
// 这张表把数字汇总在一起：每轮步数、每轮实际耗时、训练前模型在全部2,000张图像上的损失、最后一轮的平均损失，以及训练后模型在全部2,000张图像上的损失。表格下方列出较小的批量大小每轮比全量梯度下降慢多少倍。
display(new DataFrame(
    new Int32DataFrameColumn("batch size", runs.Select(r => r.BatchSize)),
    new Int32DataFrameColumn("steps per epoch", runs.Select(r => r.Steps)),
    new DoubleDataFrameColumn("seconds per epoch", runs.Select(r => Math.Round(r.History.Elapsed.TotalSeconds / nEpochs, 3))),
    new DoubleDataFrameColumn("loss before", runs.Select(r => Math.Round(r.StartLoss, 4))),
    new DoubleDataFrameColumn("mean loss, last epoch", runs.Select(r => Math.Round(r.History.Epochs[^1].MeanLoss, 4))),
    new DoubleDataFrameColumn("final loss", runs.Select(r => Math.Round(r.FinalLoss, 4)))));

var fullSeconds = runs[^1].History.Elapsed.TotalSeconds;
foreach (var r in runs.SkipLast(1))
    Console.WriteLine($"batch size {r.BatchSize}: {r.History.Elapsed.TotalSeconds / fullSeconds:0.0}x the time of the full batch per epoch");

// ### 测量结果说明了什么
//
// 本教程的测试会在上面打印出的各行上逐条检查下面的结论。
//
// - **批量大小64效果最好。** 它的平均损失每一轮都在下降，训练后在2,000张图像上的损失是三者中最低的。它每轮32步，每一步都沿着64张图像的平均梯度走：既可靠到足以指向下坡，又频繁到在一遍数据里就能取得实质进展。
// - **全量梯度下降很稳，但进展缓慢。** 它的损失同样每轮下降，因为每一步都沿着精确梯度走。可是三轮只换来了三步，最终落后于批量大小64。
// - **批量大小1走错了方向。** 在这个学习率下，它的平均损失一轮比一轮*高*，训练后模型的损失甚至比开始时还高。每一步都沿着单张图像的梯度走，而这个方向常常背离对其他图像有益的方向；每轮2,000步、学习率1e-2，权重被来回折腾。通常的办法是调小学习率，但那样每一轮模型挪动得更少，而批量大小1本来就是每轮最慢的（见上面的倍数）：同样的运算被切成2,000个小块，前向传播、反向传播和权重更新的固定开销就要付2,000次。
//
// 这就是用数字说话的§2.3.1：小批量每轮能走很多有用的步，而且每一步都很便宜。秒数取决于机器以及它当时还在忙什么。损失的规律在任何机器上都一样，具体数字却未必逐位相同：种子固定的是初始权重和小批量的顺序，而不是浮点舍入，CPU指令集、BLAS内核和libtorch的构建版本都会改变末尾几位数字。

// ## §2.3.2 如何实现mini-batch
//
// 从现在起，我们和原文一样用64张一批的小批量来训练。原文用`DataLoader`建立加载器（`batch_size=64`，`shuffle=True`），再这样遍历：`for batch in train_loader:`，循环体里先写`imgs, labels = batch`。我们的`BatchLoader`分批的方式相同：每遍历一次（即一轮），它用自己带种子的随机数生成器打乱图像顺序，然后每次交出64张图像及其标签。批量数是10,000 / 64向上取整；最后一批较小（传入`dropLast: true`可以跳过它）。
var trainLoader = new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42);
Console.WriteLine($"{trainLoader.Count} batches per epoch; the last one holds {cifar2.Count - 64 * (trainLoader.Count - 1)} images");

// ### 一个小批量
//
// 一个小批量是一对张量：堆叠成`[64, 3, 32, 32]`的图像，以及对应的64个标签。在C#里，训练笔记本中的`foreach (var (imgs, labels) in trainLoader)`循环会把它解构；这里我们只用LINQ的`First()`取出第一个小批量。这个批量归我们所有，所以最后要释放它。训练循环会用`imgs.view(imgs.shape[0], -1)`把每张图像压平成一行3,072个数，这正是第一个线性层需要的形状。
var (imgs, labels) = trainLoader.First();
Console.WriteLine($"imgs   [{string.Join(", ", imgs.shape)}] {imgs.dtype}");
Console.WriteLine($"labels [{string.Join(", ", labels.shape)}] {labels.dtype}");
Console.WriteLine($"labels: {string.Join(" ", labels.data<long>().ToArray())}");
Console.WriteLine($"birds in this batch: {labels.sum().item<long>()} of {labels.shape[0]}");
Console.WriteLine($"flattened for the model: [{string.Join(", ", imgs.view(imgs.shape[0], -1).shape)}]");
imgs.Dispose();
labels.Dispose();

// ### 直接用TorchSharp的写法
//
// TorchSharp也有PyTorch的那两个类：`torch.utils.data.Dataset`和`torch.utils.data.DataLoader`。数据集每次交出一项，形式是一个张量字典（`"data"`和`"label"`），加载器再把64项堆叠成一个小批量。我们的`ImageDataset`就是这样的数据集，所以TorchSharp的加载器可以直接接收`cifar2`，我们的`Trainer`也可以直接使用这个加载器给出的小批量。下面的单元格先打印一个小批量的形状，再用TorchSharp的加载器把一个新模型训练一轮，打印小批量的个数和平均损失。记得传入`disposeDataset: false`：TorchSharp的加载器默认会在自身被释放时连同数据集一起释放。
// ImageDataset is a torch.utils.data.Dataset: TorchSharp's own DataLoader takes cifar2 as it is, and our Trainer takes
// that loader's batches. disposeDataset: false, or the loader would dispose cifar2 along with itself.
manual_seed(42);
var torchModel = FullyConnected.Create();
using (var torchLoader = torch.utils.data.DataLoader(cifar2, 64, shuffle: true, seed: 42, disposeDataset: false))
{
    foreach (var batch in torchLoader)
    {
        Console.WriteLine($"{PyPrint.Size(batch["data"].shape)} {PyPrint.Size(batch["label"].shape)}");
        break;
    }
    var torchHistory = new Trainer(torchModel, optim.SGD(torchModel.parameters(), learningRate), lossFn).Fit(torchLoader, epochs: 1);
    Console.WriteLine($"{torchLoader.Count} batches; after one epoch the mean loss is {torchHistory.Epochs[0].MeanLoss:F4}");
}

// 形状和我们的`BatchLoader`给出的小批量相同，每轮的小批量个数也相同。我们的`BatchLoader`多做了这些：
//
// - 它从不逐项处理：一个小批量就是从数据集唯一的图像张量上做一次`index_select`，而TorchSharp的加载器要先建64个由小张量组成的字典，再把它们堆叠起来；
// - 每个小批量是`(imgs, labels)`二元组，所以`foreach (var (imgs, labels) in trainLoader)`一行就完成了原文`for batch in train_loader:`加`imgs, labels = batch`两步（原文§3.2后来也写成`for img, label in train_loader`）；
//
// - 释放加载器时不会顺带释放数据集（TorchSharp的加载器默认会连数据集一起释放，除非另行指定）。

// ---
//
// [← 上一节](04-birds-and-airplanes.ipynb) · [下一节→](06-fully-connected-model.ipynb)
