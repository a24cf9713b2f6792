// Generated from 07-choosing-a-loss.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 07-choosing-a-loss.cs` in this folder, or with its path from anywhere.
// Pictures and charts go to artifacts/apps/; offline, set CIFAR10_ARCHIVE to a local cifar-10-binary.tar.gz.
#:property ManagePackageVersionsCentrally=false
#:property Nullable=disable
#:property PublishAot=false
#:package TorchSharp@0.107.0
#:package SkiaSharp.NativeAssets.Linux.NoDependencies@2.88.6
#:package XPlot.Plotly@4.1.0
#:package Microsoft.Data.Analysis@0.23.1
#:project ../../lib/CifarHelpers/CifarHelpers.csproj

using Microsoft.Data.Analysis;
using TorchSharp;
using static TorchSharp.torch;
using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Training;
using CifarHelpers.Notebook;
using static CifarHelpers.Notebook.NotebookApp;

CifarHelpers.Notebook.NotebookApp.Start();

// # 07 · 选择损失函数
//
// [English version](../en/07-choosing-a-loss.ipynb)
//
// 对应原文《pytorch深度学习实战：全连接神经网络图像识别》：**§3.1 损失的选择**，包括
// **§3.1.1 分类任务的核心目标**、
// **§3.1.2 为什么MSE不适合分类？**、
// **§3.1.3 负对数似然（NLL）损失：分类的专属损失**、
// **§3.1.4 PyTorch中的实际用法（解决数值不稳定）**、
// **§3.1.5 交叉熵损失：LogSoftmax+NLLLoss的组合**和
// **§3.1.6 总结**。
//
// 损失函数（loss）把“模型错得有多厉害”变成一个数，训练的任务就是把这个数压下去。对分类问题来说，选哪个损失比看上去更要紧：一个看似合理的损失，可能恰恰在模型错得最离谱的时候让它几乎学不到东西。
//
// **本节你将学到**
//
// - 分类器真正需要做对的是什么，以及为什么对独热（one-hot）目标求均方误差（MSE）抓不住这一点：模型自信地犯错时它的梯度会饱和（趋近于零），而且它会为无关紧要的东西扣分；
// - 负对数似然（NLL）损失`NLLLoss`计算的是什么，它的曲线长什么样，为什么它的梯度不会饱和；
// - 为什么模型以`LogSoftmax`结尾，而不是对softmax的结果取对数；
// - `LogSoftmax`接`NLLLoss`恰好就是`CrossEntropyLoss`，我们用两种方式各训练一遍来证明；
// - 未训练的模型从多大的损失起步。

// ## 准备工作
//
// 第一个单元格只做准备：固定各个NuGet包的版本（带CPU版libtorch的TorchSharp、负责画图的SkiaSharp原生部分、负责图表的XPlot.Plotly、负责表格的Microsoft.Data.Analysis），加载本教程的辅助库，然后调用`Tutorial.Setup`：它加载torch运行时、注册显示格式、用42作为torch随机数生成器的种子（seed），并打印将要使用的计算设备。
//
// 本笔记本还要自己搭一张小表格，所以准备工作里多加了一行`using Microsoft.Data.Analysis;`。
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
// 本笔记本的大部分内容用的是手工构造的小数字；真实图像到最后才登场，用来看看未训练模型在一个小批量上的损失。
var dataPath = "../../data/CIFAR-10/";
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var classNames = new[] { "airplane", "bird" };

var (cifar2, cifar2Val, stats) = NormalizedSubset.Load(dataPath, labelMap);
Console.WriteLine(stats);
Console.WriteLine($"Training images: {cifar2.Count}, validation images: {cifar2Val.Count}");

// ## §3.1.1 分类任务的核心目标
//
// 模型的最后一层为每张图像给出每个类别的概率。要让回答正确，真实类别的概率只需要是其中**最高**的，不必正好等于1：一架飞机得到概率0.6，和得到0.99一样都算分类正确。好的分类损失应当在真实类别还没排到第一时用力推，一旦它明显领先，就不必再那么在意。

// ## §3.1.2 为什么MSE不适合分类？
//
// MSE是回归问题的天然之选。下面把两个候选并排放在一起。模型最后输出softmax概率`p = [p_airplane, p_bird]`，用真实类别给它打分有两种方式：
//
// - 对独热目标求**均方误差**：对一架飞机来说目标是`[1, 0]`，损失是各差值平方的平均。它把分类当成了对0和1的回归。
// - **负对数似然**：取出模型给*真实*类别的概率，返回`-log p_true`。确信地答对（`p_true` = 1）代价为0；确信地答错（`p_true` → 0）代价无上限。
//
// 完美的回答在两者下都是0，那为什么要偏爱其中一个？看看模型*自信地犯错*时会发生什么。取两个logit `z = [-s, s]`，而真实类别是0（飞机）：`s`越大，模型就越确信那个错误的类别，鸟。训练沿着损失的梯度移动`z`，所以损失对`z₀`（真实类别的logit）的梯度，就代表损失把模型推向正确答案的力度。
//
// 下面的单元格用自动求导（autograd）算出两种损失和两个梯度：`backward()`会填好`z.grad`。我们用float64，免得极小的梯度被舍入掉。
var target = from_array(new long[] { 0 });                   // the true class: airplane
var oneHot = from_array(new double[,] { { 1, 0 } });   // the same class as a one-hot row

(double PCorrect, double MseLoss, double MseGrad, double NllLoss, double NllGrad) Measure(double s)
{
    using var scope = NewDisposeScope();
    var z = from_array(new double[,] { { -s, s } }).requires_grad_();
    var mse = nn.functional.mse_loss(z.softmax(1), oneHot);
    mse.backward();
    var mseGrad = z.grad[0, 0].item<double>();

    var zAgain = from_array(new double[,] { { -s, s } }).requires_grad_();
    var nll = nn.functional.nll_loss(zAgain.log_softmax(1), target);
    nll.backward();
    var nllGrad = zAgain.grad[0, 0].item<double>();

    var pCorrect = z.softmax(1)[0, 0].item<double>();
    return (pCorrect, mse.item<double>(), mseGrad, nll.item<double>(), nllGrad);
}

double Round4(double v) => double.Parse(v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture),
                                        System.Globalization.CultureInfo.InvariantCulture);

var sValues = new double[] { 1, 2, 4, 8 };
var rows = sValues.Select(Measure).ToList();
display(new DataFrame(
    new DoubleDataFrameColumn("s", sValues),
    new DoubleDataFrameColumn("p(true class)", rows.Select(r => Round4(r.PCorrect))),
    new DoubleDataFrameColumn("MSE loss", rows.Select(r => Round4(r.MseLoss))),
    new DoubleDataFrameColumn("MSE dL/dz0", rows.Select(r => Round4(r.MseGrad))),
    new DoubleDataFrameColumn("NLL loss", rows.Select(r => Round4(r.NllLoss))),
    new DoubleDataFrameColumn("NLL dL/dz0", rows.Select(r => Round4(r.NllGrad)))));

// 这是MSE的第一个问题：**梯度饱和**。从上往下读这张表：模型越来越确信那个错误的类别。
//
// - MSE损失慢慢逼近上限1，梯度却**缩向零**。softmax已经饱和：一个本就接近0的概率，稍微挪动`z₀`几乎改变不了它，平方误差也就几乎不变。处在这种状态的模型，几乎无法从它最严重的错误中学到东西。
// - NLL损失持续增大（`s`很大时约为`2s`），梯度则**趋向-1**。事实上 ∂(-log p₀)/∂z₀ = p₀ − 1：真实类别的概率离1越远，推力越大。
//
// 下图在更细的`s`范围上画出两个梯度的大小。MSE的梯度在模型轻度犯错时最大，之后迅速塌缩；NLL的梯度只增不减，直到稳定在1。
var sFine = Enumerable.Range(0, 33).Select(i => i * 0.25).ToArray();
var fine = sFine.Select(Measure).ToList();
display(Charts.Lines("How hard each loss pushes the true class's logit (z = [-s, s], true class 0)",
             "s (how confidently wrong the model is)", "|dL/dz0|",
             ("MSE(softmax(z), one-hot)", sFine, fine.Select(r => Math.Abs(r.MseGrad))),
             ("NLL(log_softmax(z))", sFine, fine.Select(r => Math.Abs(r.NllGrad)))));

// 第二个问题是**过度惩罚**。MSE要求每个输出都精确命中目标：真实类别是1，其余每个类别都是0。一个以0.9的概率给出的正确答案，仍会因为不是1而被扣分；而且在多于两个类别时，MSE还会为*剩余概率如何分摊到各个错误类别上*扣分，这对答案本身毫无影响。NLL只看真实类别的概率。
//
// 下面的单元格给一张类别0的图像的三类输出打分：先是同一个正确答案（类别0为0.8），剩下的0.2以两种方式分摊；然后是一个0.9的正确答案。MSE是与独热目标`[1, 0, 0]`的差值平方的平均；NLL是`-log p₀`。
var target3 = from_array(new double[,] { { 1, 0, 0 } });
foreach (var p in new[] { new double[] { 0.8, 0.2, 0.0 }, new double[] { 0.8, 0.1, 0.1 }, new double[] { 0.9, 0.1, 0.0 } })
{
    using var probs = from_array(p).unsqueeze(0);
    var mse = nn.functional.mse_loss(probs, target3).item<double>();
    var nll = -Math.Log(p[0]);
    Console.WriteLine($"p = {PyPrint.List(p)}  MSE {mse:0.0000}  NLL {nll:0.0000}");
}

// 前两行是同一个答案，同样正确，真实类别的概率也相同：NLL给它们的损失相同，MSE却不同（0.0267对0.0200）。MSE偏爱第二行，只是因为它的错误概率分布得更平均，而这根本不是我们要求的东西。用它训练，就会在这上面白费力气。
//
// ## §3.1.3 负对数似然（NLL）损失：分类的专属损失
//
// NLL就是`-log p`，其中`p`是模型给真实类别的概率，书中把它在整个批量上求和（PyTorch默认求平均），并画成图7.10；这里用`-Math.Log(p)`画出同一条曲线。图下方列出它在几个概率处的取值。
var ps = Enumerable.Range(1, 100).Select(i => i / 100.0).ToArray();
display(Charts.Lines("NLL = -log p", "p (probability of the true class)", "NLL", ("-log p", ps, ps.Select(p => -Math.Log(p)))));
foreach (var p in new[] { 0.01, 0.1, 0.5, 0.9, 1.0 })
    Console.WriteLine($"p = {p:0.00}  -log p = {0.0 - Math.Log(p):0.0000}");

// 这条曲线正是§3.1.1所要求的。当真实类别的概率很低时，损失又大又陡（0.01处为4.6，0.1处为2.3）：自信的错误答案代价高昂，会被用力纠正。在0.5以上，对两个类别来说答案已经正确，曲线随之变平：从0.5到1总共只降低0.69。而且和MSE不同，模型犯错时，它对真实类别logit的梯度不会饱和，上面的表格已经说明了这一点：∂(-log p₀)/∂z₀ = p₀ − 1。

// ## §3.1.4 PyTorch中的实际用法（解决数值不稳定）
//
// PyTorch的`NLLLoss`期望输入的是对数概率。为什么不先算`softmax`再取`log`？因为在float32下，softmax可能把极小的概率舍入成恰好0，而0的对数是负无穷。`log_softmax`全程在对数域中计算（`z_i − log Σ e^{z_j}`，并先减去最大的logit），所以结果始终有限。对于logit `[-60, 60]`，类别0真正的对数概率是-120：
var extreme = from_array(new float[] { -60, 60 });
Console.WriteLine($"log(softmax(z)) = {extreme.softmax(0).log().ToString(TorchSharp.TensorStringStyle.Numpy)}");
Console.WriteLine($"log_softmax(z)  = {extreme.log_softmax(0).ToString(TorchSharp.TensorStringStyle.Numpy)}");

// 只要出现一个`-inf`的对数概率，损失就会变成`+inf`（而不是NaN），反向传播得到的梯度却是NaN，更新之后权重也都变成NaN。所以原文把`LogSoftmax`放进模型内部，由`NLLLoss`接收它给出的稳定的对数概率：对一个小批量，它取出每一行中真实类别的对数概率，取负后求平均。这就是笔记本06中的模型。

// ## §3.1.5 交叉熵损失：LogSoftmax+NLLLoss的组合
//
// `CrossEntropyLoss`把两步合成一步：它接收原始分数（logits），自己先做`log_softmax`。所以原文§3.1.5把模型里的`LogSoftmax`层去掉，改用`nn.CrossEntropyLoss()`来训练。
//
// 下面的单元格在一个随机小批量上验证这一点：64对logit，标签也是随机的。它以浮点数的全部位数（`:R`，往返格式）打印两个损失及其差值。
var logits = randn(64, 2);
var labels = randint(0, 2, new long[] { 64 });

var viaNll = nn.NLLLoss().forward(nn.LogSoftmax(dim: 1).forward(logits), labels).item<float>();
var viaCrossEntropy = nn.CrossEntropyLoss().forward(logits, labels).item<float>();
Console.WriteLine($"LogSoftmax + NLLLoss: {viaNll:R}");
Console.WriteLine($"CrossEntropyLoss:     {viaCrossEntropy:R}");
Console.WriteLine($"Difference:           {viaNll - viaCrossEntropy:R}");

// 在一个小批量上数值相同，这只是定义使然；原文要说的是训练过程也完全一样。下面的单元格构建原文的模型，以及一个**去掉**`LogSoftmax`层的副本，两者起始权重相同（直接复制），第一个用`NLLLoss`、第二个用`CrossEntropyLoss`各训练三轮，批量顺序相同且带种子，优化器都是学习率1e-2的SGD（`Trainer.Fit`执行笔记本08中的循环）。它打印两者每一轮的平均损失、训练后两者权重之间的最大差值，以及两者的验证准确率。
manual_seed(42);
var withLogSoftmax = FullyConnected.Create();
var withoutLogSoftmax = nn.Sequential(nn.Linear(3072, 512), nn.Tanh(), nn.Linear(512, 2));
using (no_grad())
    foreach (var (copy, original) in withoutLogSoftmax.parameters().Zip(withLogSoftmax.parameters()))
        copy.copy_(original);

var ceEpochs = 3;
var nllHistory = new Trainer(withLogSoftmax, optim.SGD(withLogSoftmax.parameters(), 1e-2), nn.NLLLoss())
    .Fit(new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42), ceEpochs);
var ceHistory = new Trainer(withoutLogSoftmax, optim.SGD(withoutLogSoftmax.parameters(), 1e-2), nn.CrossEntropyLoss())
    .Fit(new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42), ceEpochs);

Console.WriteLine("epoch  LogSoftmax + NLLLoss  CrossEntropyLoss");
for (int e = 0; e < ceEpochs; e++)
    Console.WriteLine($"{e + 1,5}  {nllHistory.Epochs[e].MeanLoss,20:F6}  {ceHistory.Epochs[e].MeanLoss,16:F6}");
var weightGap = withLogSoftmax.parameters().Zip(withoutLogSoftmax.parameters())
    .Max(pair => (pair.First - pair.Second).abs().max().item<float>());
Console.WriteLine($"max |weight difference|: {weightGap:E1}");
var ceValLoader = new BatchLoader(cifar2Val, batchSize: 64, shuffle: false);
Console.WriteLine($"Accuracy: {Evaluator.Evaluate(withLogSoftmax, ceValLoader, classes: 2).Accuracy:F4} {Evaluator.Evaluate(withoutLogSoftmax, ceValLoader, classes: 2).Accuracy:F4}");

// 两列数字在打印出的位数内完全一致，权重之差至多只是舍入误差，两个模型的验证准确率也相同：这就是同一次训练。没有`LogSoftmax`的模型输出原始分数；预测结果不变，因为对分数、概率和对数概率取`argmax`，得到的都是同一个类别。只有在需要展示概率时，才对分数做`softmax`。
//
// ## §3.1.6 总结
//
// - 分类器需要的是真实类别的概率最高，而不是正好等于1（§3.1.1）。
// - MSE适合回归，不适合分类：模型自信犯错时它的梯度饱和，而且它会为不影响答案的差异扣分（§3.1.2）。
// - NLL，即真实类别的`-log p`，在模型答错时又大又陡，答对时则很平缓（§3.1.3）。
// - 用`LogSoftmax` + `NLLLoss`的方式计算，它始终保持有限（§3.1.4）；`CrossEntropyLoss`是把同样两步合进一个模块，用在没有`LogSoftmax`层的模型上（§3.1.5）。
//
// 笔记本08到10沿用原文带`LogSoftmax`的模型，并用`NLLLoss`训练，和原文的完整代码（§5）一样。

// ## 训练从哪里起步
//
// 一个未训练的模型应该有多大的损失？如果它对每张图像都猜个五五开，那就是`-log 0.5 = ln 2 ≈ 0.693`。下面的单元格构建原文的模型（`FullyConnected.Create()`，带种子），取打乱顺序后的第一个小批量（64张训练图像），压平成`[64, 3072]`，再计算`NLLLoss`。
manual_seed(42);
var seqModel = FullyConnected.Create();
var trainLoader = new BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42);
var (imgs, batchLabels) = trainLoader.First();

var lossFn = nn.NLLLoss();
var loss = lossFn.forward(seqModel.forward(imgs.view(imgs.shape[0], -1)), batchLabels);
Console.WriteLine($"Untrained model, first batch: NLLLoss = {loss.item<float>():F4}; ln 2 = {Math.Log(2):F4}");

// ---
//
// [← 上一节](06-fully-connected-model.ipynb) · [下一节→](08-training.ipynb)
