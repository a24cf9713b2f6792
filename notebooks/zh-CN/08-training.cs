// Generated from 08-training.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 08-training.cs` in this folder, or with its path from anywhere; add `-- --epochs N` for a short run.
// Pictures and charts go to artifacts/apps/; offline, set CIFAR10_ARCHIVE to a local cifar-10-binary.tar.gz.
#:property ManagePackageVersionsCentrally=false
#:property Nullable=disable
#:property PublishAot=false
#:package TorchSharp@0.107.0
#:package SkiaSharp.NativeAssets.Linux.NoDependencies@2.88.6
#:package XPlot.Plotly@4.1.0
#:package Microsoft.Data.Analysis@0.23.1
#:project ../../lib/CifarHelpers/CifarHelpers.csproj

using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Training;
using CifarHelpers.Notebook;
using static CifarHelpers.Notebook.NotebookApp;

CifarHelpers.Notebook.NotebookApp.Start();

// # 08 · 训练分类器
//
// [English version](../en/08-training.ipynb)
//
// 对应原文《pytorch深度学习实战：全连接神经网络图像识别》：**§3.2 训练模型**。
//
// 万事俱备：归一化的图像、模型和损失函数都有了。这个笔记本把原文的训练循环跑满100轮（epoch），看着损失一路下降，把我们的输出和原文的并排对照，测一测训练好的模型能认对多少张验证图像，最后把模型保存下来，供笔记本09和10使用。
//
// **本节你将学到**
//
// - 在TorchSharp里逐行写出训练循环：前向传播、计算损失、`zero_grad`、`backward`、`step`；
// - 为什么按打乱顺序的64张一批的小批量（mini-batch）来训练，而不是一次一张图像；
// - 怎样用TorchSharp的释放作用域（dispose scope）让长循环的内存占用保持平稳；
// - 怎样读懂原文的`Epoch: N, Loss: …`输出和损失曲线，以及怎样保存检查点（checkpoint）。
//
// 整个训练用了多长时间，笔记本会打印出实测的时间。

// ## 准备工作
//
// 第一个单元格只做准备：固定各个NuGet包的版本（带CPU版libtorch的TorchSharp、负责画图的SkiaSharp原生部分、负责图表的XPlot.Plotly、负责表格的Microsoft.Data.Analysis），加载本教程的辅助库，然后调用`Tutorial.Setup`：它加载torch运行时、注册显示格式、用42作为torch随机数生成器的种子（seed），并打印将要使用的计算设备。
//
// 本笔记本要为每一轮计时，所以准备工作里多加了一行`using System.Diagnostics;`，以便使用`Stopwatch`。
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

// ## 模型、批量、优化器和损失
//
// 下面这些原料和原文相同，顺序也相同。此外，我们先调用`manual_seed(42)`，让模型的随机初始权重每次运行都一样；这一步是我们加的，原文没有设定任何种子。
//
// - `model`：笔记本06中原文的`Sequential`模型，由`FullyConnected.Create()`构建（Linear 3072→512、Tanh、Linear 512→2、LogSoftmax）；
// - `trainLoader`：打乱顺序的64张一批的小批量。打乱让每一轮都有新的顺序；我们给加载器设了种子，这一系列顺序因此可以复现。10,000张图像分成157个小批量，最后一个只有16张；
// - `optimizer`：普通的SGD，学习率（learning rate）0.01；
// - `lossFn`：`NLLLoss`，正好配合模型的`LogSoftmax`输出（见笔记本07）；
// - `nEpochs`：在训练集上遍历100遍。
//
// 原文在这里有一处前后不一致，照着各节依次运行的读者会遇到：§3构建的是`seq_model`，交给优化器的也是`seq_model.parameters()`；§3.2训练的却是`model`，即§3.1.5中去掉`LogSoftmax`、配合`CrossEntropyLoss`使用的那个模型。这样训练的要么是优化器根本不会更新的模型，要么是交叉熵版本。原文§5的完整代码是一致的，我们照它来做：训练带`LogSoftmax`的模型，用`NLLLoss`，优化器拿到的正是这个模型的参数。
//
// 为什么用小批量？单张图像的梯度是个噪声很大的向导，而全部10,000张图像的梯度计算起来又太贵，只为了走一小步。64张一批能以很小的代价给出不错的估计，剩下的那点噪声还能帮助优化器不在第一个遇到的糟糕位置停下来。
manual_seed(42);
var model = FullyConnected.Create();
var trainLoader = new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42);
var learningRate = 1e-2;
var optimizer = optim.SGD(model.parameters(), learningRate);
var lossFn = nn.NLLLoss();
var nEpochs = Tutorial.Epochs(100);
Console.WriteLine($"{trainLoader.Count} batches of up to {trainLoader.BatchSize} images per epoch, {nEpochs} epochs, learning rate {learningRate}");

// ## 训练循环
//
// 这就是原文的循环，只是多了几处C#的细节：
//
// - `foreach (var (imgs, labels) in trainLoader)`每次给出一个小批量：`imgs`是`float [64, 3, 32, 32]`，`labels`是`int64 [64]`。
// - `imgs.view(batchSize, -1)`把每张图像压平成3,072个数：`[64, 3072]`。`batchSize`从小批量本身读取，因为最后一个小批量更小。
// - `optimizer.zero_grad()`清除上一个小批量留下的梯度（自动求导会把梯度*累加*到`.grad`上），`loss.backward()`算出新的梯度，`optimizer.step()`让每个权重逆着自己的梯度挪动一点。
// - **内存。** 在Python里，每个小批量的张量一旦不再被引用（循环变量换成下一个小批量时），就会被引用计数机制释放。.NET的垃圾回收器只是偶尔运行，而且看不到张量占用的原生内存，所以我们自己释放：在`using var scope = NewDisposeScope();`里创建的一切，都会在这个小批量处理完时被释放。小批量本身是加载器在作用域打开之前创建的，所以用`scope.Attach(imgs, labels)`把它也交给这个作用域。
//
// 原文每10轮打印一次最后一个小批量的损失（`epoch % 10 == 0`），格式是`Epoch: 0, Loss: 0.6439802646636963`。我们以同样的格式打印同样的行（`PyPrint.Float`按Python的方式打印数字），再加上最后一轮，并用一行不断刷新当前的轮次。每一轮还会记录该轮全部小批量的平均损失，它比最后那个只有16张图像的小批量平稳得多。这些数据存进`TrainingHistory`，供下面的图表和表格使用。
var history = new TrainingHistory();
var progress = LiveProgress.Start($"0/{nEpochs} epochs");
var clock = Stopwatch.StartNew();

for (int epoch = 0; epoch < nEpochs; epoch++)
{
    var epochClock = Stopwatch.StartNew();
    double lastLoss = double.NaN, lossSum = 0;
    int batches = 0;

    foreach (var (imgs, labels) in trainLoader)
    {
        using var scope = NewDisposeScope();
        scope.Attach(imgs, labels);

        var batchSize = imgs.shape[0];
        var outputs = model.forward(imgs.view(batchSize, -1));
        var loss = lossFn.forward(outputs, labels);

        optimizer.zero_grad();
        loss.backward();
        optimizer.step();

        lastLoss = loss.item<float>();
        lossSum += lastLoss;
        batches++;
    }

    history.Add(new EpochResult(epoch, lastLoss, lossSum / batches, epochClock.Elapsed));
    progress.Update($"{epoch + 1}/{nEpochs} epochs: loss {lastLoss:F6}, mean loss {lossSum / batches:F6}, {clock.Elapsed.TotalSeconds:F1} s");
    if (epoch % 10 == 0 || epoch == nEpochs - 1)
        Console.WriteLine($"Epoch: {epoch}, Loss: {PyPrint.Float(lastLoss)}");
}
Console.WriteLine($"Trained {nEpochs} epochs in {clock.Elapsed.TotalSeconds:F1} s ({clock.Elapsed.TotalSeconds / nEpochs:F2} s per epoch)");

// ### 我们的十行和原文的十行并排对照
//
// 下面的单元格按轮次把原文的十行和我们的十行并排打印出来。数字不可能一致：原文那次运行的随机初始权重不同，小批量的顺序也不同。应该一致的是趋势，而它确实一致：两列都从第0轮的0.6到0.75之间，降到第90轮的0.03以下，途中上下跳动，因为每个数都只是一个小批量（该轮的最后一个小批量）里仅仅16张图像的损失。
double[] articleLosses = [0.6439802646636963, 0.3364253044128418, 0.2660796046257019, 0.3763981759548187, 0.24415557086467743,
                          0.1775331050157547, 0.03261692821979523, 0.04219042509794235, 0.020144721493124962, 0.02759580872952938];
Console.WriteLine("epoch  article                ours");
for (int k = 0; k < articleLosses.Length; k++)
    Console.WriteLine($"{10 * k,5}  {PyPrint.Float(articleLosses[k]),-21}  {(10 * k < history.Epochs.Count ? PyPrint.Float(history.Epochs[10 * k].Loss) : "-")}");

// ## 损失曲线
//
// 原文只打印数字；画成图表，趋势更容易看清。最后一个小批量的损失（也就是原文打印的那个）只来自16张图像，上下乱跳。每一轮的平均值综合了全部157个小批量，要平稳得多：一开始下降很快，随着模型对训练集拟合得越来越好，下降越来越慢。
var epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
display(Charts.Lines("Training loss per epoch", "epoch", "NLL loss",
             ("last batch", epochs, history.Epochs.Select(e => e.Loss)),
             ("mean over the epoch", epochs, history.Epochs.Select(e => e.MeanLoss))));

// 同样的数字做成表格，每10轮一行，并附上每一轮的耗时。表中轮次的编号和原文的`Epoch: N`一样从0开始，所以第90轮就是原文的`Epoch: 90`。
display(Tables.History(history, every: 10));

// ## 验证准确率
//
// 训练损失下降，说明模型能拟合它见过的图像。真正要紧的问题是：它在*没*见过的图像，也就是2,000张验证图像上表现如何？笔记本09会把这个循环完整写出来；这里由`Evaluator.Evaluate`在一个不打乱顺序的加载器上运行它（不计算梯度，对每个输出取`argmax`，统计命中次数）。
var valLoader = new BatchLoader(cifar2Val, batchSize: 64, shuffle: false);
var evaluation = Evaluator.Evaluate(model, valLoader, classes: 2);
Console.WriteLine($"Validation accuracy: {evaluation.Accuracy:F4} ({evaluation.Correct} of {evaluation.Total})");

// ## 保存检查点
//
// 笔记本09和10需要这个训练好的模型；在那里各自重新训练，又要花上同样长的时间。
// 所以权重保存到`data/models/birds-airplanes-fc.bin`（TorchSharp的格式；单元格里的`checkpointPath`从两个版本的文件夹都指向这里），旁边再放一个小小的`.json`文件，记录是什么训练出了这些权重：模型各参数的名称和形状、训练轮数、种子、验证准确率，以及数据（多少张、哪些类别的图像，归一化所用的均值和标准差；以后给一张新图像分类时需要的正是这些）。模型文件是运行时生成的，不要把它提交到仓库。笔记本09到11只在检查点记录的正是本笔记本的训练配方时才加载它；如果文件不见了，或者是另一次运行写的（比如用`--epochs 2`运行的程序），它们会用一行说明原因，然后自己训练模型。
var checkpointPath = "../../data/models/birds-airplanes-fc";
Checkpoint.Save(model, checkpointPath, CheckpointInfo.For(model, nEpochs, seed: 42, cifar2, stats, evaluation.Accuracy));

Console.WriteLine($"Saved {checkpointPath}.bin and {checkpointPath}.json");
var info = Checkpoint.TryReadInfo(checkpointPath)!;
Console.WriteLine($"It holds {info.Architecture}: {info.Epochs} epochs, seed {info.Seed}, validation accuracy {info.ValidationAccuracy:F4}");
Console.WriteLine($"trained on {info.TrainImages} images of {string.Join(" and ", info.Classes)}, normalised with mean {ChannelStats.Format(info.Mean)}, std {ChannelStats.Format(info.Std)}");

// ## 更进一步：把同一步手写出来
//
// `loss.backward()`和`optimizer.step()`背后藏着两件费时的事。自动求导把第一层权重的梯度，512 × 3,072个数（6 MB），写进一块新的缓冲区；随后SGD再把这块缓冲区读回来，从权重中减去它的`lr ×`倍。对这个模型来说，反向传播短到可以手写：
//
// - 在输出端，`LogSoftmax`之后的平均NLL损失的梯度是 δ = (softmax(z) − onehot(y)) / B；
// - `Linear`层权重的梯度是 δ · aᵀ（a是这一层的输入），偏置的梯度是 δ 之和；
// - 往下穿过`Tanh`时，δ 变成（Wᵀ · δ）⊙（1 − a²）。
//
// 手写之后，更新`W ← W − lr · δ · aᵀ`就是一次直接累加进W的矩阵乘法（`addmm_`），梯度根本不必存下来。辅助库的`Trainer.FusedSgd`就是这么做的，`ArticleRecipe.Train`用的也是它（笔记本09和10找不到检查点时就用它训练）。下面的单元格从同一个种子出发，用两种方式各训练一轮，再比较两个模型：数学相同，只是求和顺序不同，所以两者的差别仅在舍入误差之内。
manual_seed(42);
var withAutograd = FullyConnected.Create();
manual_seed(42);
var byHand = FullyConnected.Create();

var autogradEpoch = new Trainer(withAutograd, optim.SGD(withAutograd.parameters(), learningRate), nn.NLLLoss())
    .Fit(new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42), epochs: 1).Epochs[0];
var fusedEpoch = Trainer.FusedSgd(byHand, learningRate)
    .Fit(new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42), epochs: 1).Epochs[0];

var largestDifference = withAutograd.parameters().Zip(byHand.parameters())
    .Max(pair => (pair.First - pair.Second).abs().max().item<float>());
Console.WriteLine($"Autograd:      loss {autogradEpoch.Loss:F6}, {autogradEpoch.Elapsed.TotalSeconds:F2} s");
Console.WriteLine($"Fused by hand: loss {fusedEpoch.Loss:F6}, {fusedEpoch.Elapsed.TotalSeconds:F2} s");
Console.WriteLine($"Largest difference between the two models' weights: {largestDifference:E1}");

// ---
//
// [← 上一节](07-choosing-a-loss.ipynb) · [下一节→](09-validation.ipynb)
