// Generated from 12-exercises.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 12-exercises.cs` in this folder, or with its path from anywhere.
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
using CifarHelpers.Exercises;
using TorchSharp.Modules;
using static CifarHelpers.Notebook.NotebookApp;

CifarHelpers.Notebook.NotebookApp.Start();

// # 12 · 练习
//
// [English version](../en/12-exercises.ipynb)
//
// **原文之外。** 原文《pytorch深度学习实战：全连接神经网络图像识别》没有练习。本笔记本给出六道练习：三道针对原文自己的步骤（“§2.2 归一化”、“§3.1.4 PyTorch中的实际用法（解决数值不稳定）”和“§3.3 验证模型”），三道依据书中第7章的练习（就我们所知：用随机裁剪做图像增广、把损失换成均方误差、缩小网络以对抗过拟合；我们无法核对书中的原话，所以这里不引用它）。
// 答案以及每个实验测得的结果在[12-exercises-solutions](12-exercises-solutions.ipynb)中：请先自己试一试。
//
// **做法。** 每道练习有一段任务说明、一个代码单元格（其中标有`// TODO: your code here`的位置留给你写代码）和一个检查单元格。检查单元格调用辅助库中的检查器（`Exercise.Check1`到`Exercise.Check6`），它在自己准备的输入（包括边界情况）上运行你的函数或模型，并打印一行：`练习N：已完成——`加上它测得的结果，或者`练习N：还没有——`加上一条提示，指出第一个错误。没做完的练习不会让笔记本中断：随时都可以从头到尾运行它。代码单元格与英文版完全相同，所以代码里的注释是英文的。

// ## 准备工作
//
// 和其他笔记本一样的第一个单元格，多了一行`using`：检查器在`CifarHelpers.Exercises`中。
Tutorial.Setup(seed: 42);

// ## 数据
//
// `NormalizedSubset.Load`构建笔记本03和04中归一化后的飞机/鸟子集。需要训练的练习只用前2,000张训练图像（`small`），训练8轮，这样每个实验只需几秒钟。
var dataPath = "../../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var (cifar2, cifar2Val, stats) = NormalizedSubset.Load(dataPath, labelMap);
// The first 2,000 training images: small enough to train on in seconds.
var small = new ImageDataset(cifar2.Images.narrow(0, 0, 2000).clone(), cifar2.Labels.narrow(0, 0, 2000).clone(), cifar2.Classes);
Console.WriteLine($"Training images: {cifar2.Count}, of which the exercises train on {small.Count}; validation images: {cifar2Val.Count}");

// ## 练习1（§2.2）：自己计算各通道的均值和标准差
//
// 原文把图像堆叠成`[3, 32, 32, 50000]`，再调用`view(3, -1).mean(dim=1)`和`.std(dim=1)`：每个通道一行。我们的图像是`[N, 3, H, W]`，通道在第二维。请写出`ChannelMeanStd`，返回每个通道的均值和标准差，各为`[3]`。检查器在几组测试图像上（其中一组N = 3）把你的结果与库中的`ChannelStats.Of`比较。
(Tensor Mean, Tensor Std) ChannelMeanStd(Tensor imgs)
{
    // imgs: [N, 3, H, W]. Return the mean and the std of each channel, [3] each.
    // TODO: your code here
    throw new NotImplementedException();
}

// 运行检查：
var check1 = Exercise.Check1(ChannelMeanStd);

// ## 练习2（§3.1.4）：不会溢出的对数softmax
//
// §3.1.4解释了为什么模型以`LogSoftmax`结尾，而不是对softmax取对数。请自己写出`MyLogSoftmax`，即`[B, C]`的logit每一行的对数概率，不要调用`log_softmax`。对于`[1000, 0, -1000]`这样的logit，结果必须是有限值：`exp(1000)`会让浮点数溢出，而`log(0)`是`-inf`。提示：先减去每一行最大的logit，这不改变结果。
Tensor MyLogSoftmax(Tensor logits)
{
    // logits: [B, C]. Return log(softmax(logits)) over dim 1, without overflowing.
    // TODO: your code here
    throw new NotImplementedException();
}

// 运行检查，然后在一行极端的logit上打印朴素的`log(softmax(x))`；检查通过后，在旁边打印你的结果：
var check2 = Exercise.Check2(MyLogSoftmax);
var extreme = tensor(new float[,] { { 1000, 0, -1000 } });
Console.WriteLine($"log(softmax(x)): {extreme.softmax(1).log().ToString(TorchSharp.TensorStringStyle.Numpy)}");
if (check2.Solved)
    Console.WriteLine($"MyLogSoftmax(x): {MyLogSoftmax(extreme).ToString(TorchSharp.TensorStringStyle.Numpy)}");

// ## 练习3（§3.3）：自己写验证循环
//
// 请写出`Accuracy`：把模型切换到评估模式，关闭梯度（`no_grad()`，即原文的`torch.no_grad()`），像原文那样展平每个小批量，取得分最高的类别（`argmax(1)`），并统计所有小批量中预测正确的数量。检查器在它自己的模型上运行你的函数：这个模型有一个`Dropout`层（所以忘了`eval()`会改变结果），并且会记下运行时是否开启了梯度；然后把你的准确率与`Evaluator.Evaluate`比较。
double Accuracy(nn.Module<Tensor, Tensor> model, IEnumerable<(Tensor Images, Tensor Labels)> loader)
{
    // Return the share of images whose highest score is their true class.
    // TODO: your code here
    throw new NotImplementedException();
}

// 运行检查：
var check3 = Exercise.Check3(Accuracy);

// ## 练习4（书中）：随机裁剪
//
// 图像增广（image augmentation）在图像的变化副本上训练。请写出`RandomCrop`：在图像`[3, 32, 32]`的四周各填充4个零（`nn.functional.pad`），然后在随机的偏移处返回一个`32 × 32`的窗口，每次调用都重新抽取。在归一化后的图像上，零就是平均颜色。占位代码原样返回图像。
Tensor RandomCrop(Tensor img)
{
    // img: [3, 32, 32]. Pad 4 zeros on each side, then return a 32 x 32 window at a random offset.
    // TODO: your code here
    return img.clone();
}

// 检查器在一张每个值都不相同的测试图像上调用你的函数40次，检查每个结果都是填充后图像的一个窗口，并且窗口在两个方向上都会移动：
var check4 = Exercise.Check4(RandomCrop);

// 练习4通过之后，这个单元格从同一个种子出发，在`small`上把原文的网络训练两次，每次8轮：一次不裁剪，一次在每一轮为每张图像重新随机取一个窗口。它打印每次训练在（未裁剪的）训练图像和验证图像上的准确率，以及两者之差。
var gaps = new List<double>();
if (check4.Solved)
{
    var trainEval = new BatchLoader(small, batchSize: 500);
    var valLoader = new BatchLoader(cifar2Val, batchSize: 500);
    foreach (var withCrops in new[] { false, true })
    {
        manual_seed(42);
        var model = FullyConnected.Create();
        var trainer = Trainer.FusedSgd(model, 1e-2);
        var history = new TrainingHistory();
        for (int epoch = 0; epoch < 8; epoch++)
        {
            using var scope = NewDisposeScope();
            // A new random window of every image in every epoch.
            var images = withCrops ? stack(Enumerable.Range(0, (int)small.Count).Select(i => RandomCrop(small.Images[i])).ToArray())
                                   : small.Images.alias();
            var epochSet = new ImageDataset(images, small.Labels.alias(), small.Classes);
            trainer.Fit(new BatchLoader(epochSet, batchSize: 64, shuffle: true, seed: 42 + epoch), 1, history: history);
        }
        double train = Evaluator.Evaluate(model, trainEval, classes: 2).Accuracy;
        double val = Evaluator.Evaluate(model, valLoader, classes: 2).Accuracy;
        gaps.Add(train - val);
        Console.WriteLine($"{(withCrops ? "with random crops" : "without crops    ")}: train {train:F4}, validation {val:F4}, gap {train - val:F4}");
    }
    Console.WriteLine($"Random crops changed the train-validation gap by {gaps[1] - gaps[0]:F4}");
}

// ## 练习5（书中）：用均方误差代替负对数似然
//
// §3.1.2认为均方误差（MSE）不适合分类。试一试：请写出`MseLoss`，它接受模型的输出（对数概率`[B, C]`）和标签，返回概率（输出的`exp()`）与独热（one-hot）目标（`nn.functional.one_hot`）之间的均方误差，结果是一个能让梯度传回去的值。
Tensor MseLoss(Tensor logProbs, Tensor labels)
{
    // logProbs: the model's output [B, C] (log-probabilities); labels: [B].
    // Return the mean squared error between the probabilities and the one-hot targets.
    // TODO: your code here
    throw new NotImplementedException();
}

// 检查器在2个和3个类别时，把值和梯度与概率对独热目标的`MSELoss`比较：
var check5 = Exercise.Check5(MseLoss);

// 练习5通过之后，这个单元格从同一个种子出发，在`small`上把原文的网络训练8轮：一次用负对数似然（融合训练器），一次用你的均方误差（自动求导的`Trainer`，通过一个包装该函数的小模块）；打印每种损失第一轮和最后一轮的值，以及验证准确率。
var nllLosses = new List<double>();
var mseLosses = new List<double>();
if (check5.Solved)
{
    var valLoader = new BatchLoader(cifar2Val, batchSize: 500);
    manual_seed(42);
    var nllModel = FullyConnected.Create();
    Trainer.FusedSgd(nllModel, 1e-2).Fit(new BatchLoader(small, batchSize: 64, shuffle: true, seed: 42), 8,
                                         onEpoch: r => nllLosses.Add(r.MeanLoss));
    manual_seed(42);
    var mseModel = FullyConnected.Create();
    new Trainer(mseModel, optim.SGD(mseModel.parameters(), 1e-2), new LossFunction(MseLoss))
        .Fit(new BatchLoader(small, batchSize: 64, shuffle: true, seed: 42), 8, onEpoch: r => mseLosses.Add(r.MeanLoss));
    double nllVal = Evaluator.Evaluate(nllModel, valLoader, classes: 2).Accuracy;
    double mseVal = Evaluator.Evaluate(mseModel, valLoader, classes: 2).Accuracy;
    Console.WriteLine($"NLL: mean loss {nllLosses[0]:F4} -> {nllLosses[^1]:F4} ({nllLosses[^1] / nllLosses[0]:F3} of the first epoch's), validation accuracy {nllVal:F4}");
    Console.WriteLine($"MSE: mean loss {mseLosses[0]:F4} -> {mseLosses[^1]:F4} ({mseLosses[^1] / mseLosses[0]:F3} of the first epoch's), validation accuracy {mseVal:F4}");
    Console.WriteLine($"NLL minus MSE validation accuracy: {nllVal - mseVal:F4}");
}

// A loss written as a function, as a module the Trainer takes.
// (LossFunction is declared at the end of this file.)

// 两种损失的尺度不同（一个是概率的平方误差，一个是负的对数概率），所以图表把每种损失都除以它第一轮的值。
// The chart appears once exercise 5 is solved (before that, nothing was trained).
if (nllLosses.Count > 0)
{
    var epochAxis = Enumerable.Range(0, nllLosses.Count).Select(e => (double)e).ToArray();
    display(Charts.Lines("Mean loss per epoch, relative to the first epoch", "epoch", "loss / first epoch's loss",
                         ("NLL", epochAxis, nllLosses.Select(l => l / nllLosses[0])),
                         ("MSE", epochAxis, mseLosses.Select(l => l / mseLosses[0]))));
}

// ## 练习6（书中）：缩小网络，直到不再过拟合
//
// 笔记本10数出了1,574,402个参数，并说这个网络对它的数据来说太大了。请写出`Net(hidden)`：有`hidden`个隐藏单元的原文网络。下一个单元格在`small`上训练隐藏单元数为512、128、32、8和2的网络，并打印每个大小的训练准确率与验证准确率之差；这里差距不超过0.04（`Exercise.MaxGap`）就算不过拟合。
Sequential Net(int hidden)
{
    // The article's net with `hidden` hidden units: 3072 inputs, 2 classes, log-probabilities out.
    // TODO: your code here
    throw new NotImplementedException();
}

// `Net`能构建出正确的模型（`Exercise.Builds`）之后，扫描才会运行；每个大小都从种子42开始。
var sweep = new List<(int Hidden, double Train, double Val)>();
if (Exercise.Builds(Net))
{
    var trainEval = new BatchLoader(small, batchSize: 500);
    var valLoader = new BatchLoader(cifar2Val, batchSize: 500);
    foreach (var hidden in new[] { 512, 128, 32, 8, 2 })
    {
        manual_seed(42);
        var model = Net(hidden);
        Trainer.FusedSgd(model, 1e-2).Fit(new BatchLoader(small, batchSize: 64, shuffle: true, seed: 42), 8);
        double train = Evaluator.Evaluate(model, trainEval, classes: 2).Accuracy;
        double val = Evaluator.Evaluate(model, valLoader, classes: 2).Accuracy;
        sweep.Add((hidden, train, val));
        Console.WriteLine($"hidden {hidden,3}: train {train:F4}, validation {val:F4}, gap {train - val:F4}");
    }
}

// 读表格，把`largestHidden`设为差距不超过0.04的最大大小。检查器用同样的配方训练这个大小和四倍的隐藏单元数：前者必须不过拟合，后者必须过拟合。
// TODO: the largest hidden size in the sweep whose gap is at most Exercise.MaxGap (0.04)
int largestHidden = 0;

// 运行检查：
var check6 = Exercise.Check6(Net, largestHidden, cifar2, cifar2Val);

// ---
//
// [← 上一节](11-convolutional-network.ipynb) · [参考答案→](12-exercises-solutions.ipynb) · [下一节→](13-using-the-model.ipynb)

// Types declared in the notebook's cells: a file-based app declares them after its statements.

class LossFunction : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Func<Tensor, Tensor, Tensor> loss;
    public LossFunction(Func<Tensor, Tensor, Tensor> loss) : base("LossFunction") => this.loss = loss;
    public override Tensor forward(Tensor output, Tensor target) => loss(output, target);
}
