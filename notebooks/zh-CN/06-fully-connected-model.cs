// Generated from 06-fully-connected-model.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 06-fully-connected-model.cs` in this folder, or with its path from anywhere.
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

// # 06 · 全连接模型
//
// [English version](../en/06-fully-connected-model.ipynb)
//
// 对应原文《pytorch深度学习实战：全连接神经网络图像识别》：**§3 搭建全连接模型**。
//
// 图像已经准备好并做了归一化。现在需要一个东西，看一眼图像就能说出“飞机”或“鸟”。原文的第一次尝试是最简单的网络：每个输入都连到隐藏层的每个单元，每个隐藏单元又连到两个输出。§3先画出它，再用`nn.Sequential`定义它，设置好优化器（optimizer）和损失函数（loss），最后把一张图像送进未经训练的模型。（§3.1关于损失函数的选择放在笔记本07。）
//
// **本节你将学到**
//
// - 怎样在TorchSharp里逐层写出原文的`nn.Sequential`模型，以及它画出来是什么样子；
// - 第一层为什么有3,072个输入，为什么把图像压平成向量（暂时）不会丢失任何信息；
// - softmax做了什么，模型为什么以`LogSoftmax`结尾；
// - 怎样把一张图像送进未训练的模型，读懂它的回答，并和原文的输出对照。

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

// ## 逐层搭建模型
//
// 原文用`nn.Sequential`把四层串起来：`nn.Linear(3 * 32 * 32, 512)`、`nn.Tanh()`、`nn.Linear(512, n_out)`和`nn.LogSoftmax(dim=1)`，其中`n_out`是类别数2。我们的代码直接写出3072和2。TorchSharp的`nn.Sequential`接受同样的模块列表，并且和PyTorch一样按位置把它们命名为“0”、“1”、“2”、“3”（想用别的名字时，也可以传入`(name, module)`二元组）。
//
// - **`Linear(3072, 512)`** 接收一张压平的图像，算出像素的512个加权和，每个再加上一个偏置（bias）。为什么是3,072？一张图像有3个颜色通道，每个32 × 32像素：3 × 32 × 32 = 3,072个数。
// - **`Tanh()`** 用双曲正切把512个加权和逐个弯折到$(-1, 1)$区间。两个线性层之间如果没有非线性函数，它们就会合并成一个线性映射，多出来的那一层毫无用处。
// - **`Linear(512, 2)`** 把512个隐藏值组合成两个分数，每个类别（飞机、鸟）一个。
// - **`LogSoftmax(dim: 1)`** 把两个分数变成对数概率。之所以是`dim: 1`，是因为模型处理的是批量`[B, 2]`：第0维对应图像，第1维对应类别。
//
// 下面的单元格打印每一层及其权重的形状。注意PyTorch把`Linear`层的权重存成`[out, in]`：`[512, 3072]`。
var seqModel = nn.Sequential(nn.Linear(3072, 512), nn.Tanh(), nn.Linear(512, 2), nn.LogSoftmax(dim: 1));

foreach (var (name, layer) in seqModel.named_children())
{
    var shapes = layer.named_parameters().Select(p => $"{p.name} [{string.Join(", ", p.parameter.shape)}]");
    Console.WriteLine($"({name}): {layer.GetName(),-10} {string.Join(", ", shapes)}");
}

// ### 把网络画出来
//
// 原文给出了这个网络的示意图。`NetworkDiagram.Of`直接根据模型本身画图：输入和每个`Linear`层的输出各画成一列单元，单元数由权重形状决定；每个单元都和下一列的每个单元相连（这就是“全连接”的含义）；其余模块写在它们所作用的那一列下方。3,072个和512个单元在屏幕上放不下，所以每列只画八个，再加一个“⋮”。
display(NetworkDiagram.Of(seqModel));

// ### 压平（暂时）不丢信息
//
// 第一层要的是向量，所以每张`[3, 32, 32]`图像都会被压平成3,072个数。这只是改变形状，并没有丢失数据：每个像素值都还在，用`view(3, 32, 32)`就能把图像还原回来。模型*没有*被告知的是：哪些数在图像里原本是相邻的。每个输入都以自己的权重连到每个隐藏单元，所以输入的顺序对这一层毫无意义。笔记本10还会回到这一点，因为这恰恰是这类网络的局限所在。
//
// 本教程的辅助库里有同样的模型`FullyConnected.Create()`；笔记本08到10都用它，保证训练的是同一个网络。下面的单元格检查它的层和权重形状是否与我们的相同。
using (var libraryModel = FullyConnected.Create())
{
    var ours = seqModel.named_parameters().Select(p => $"{p.name}:{string.Join("x", p.parameter.shape)}");
    var theirs = libraryModel.named_parameters().Select(p => $"{p.name}:{string.Join("x", p.parameter.shape)}");
    Console.WriteLine($"FullyConnected.Create(): {ModelSummary.Signature(libraryModel)}");
    Console.WriteLine($"Same layers and shapes as seqModel: {ours.SequenceEqual(theirs)}");
}

// ## 学习率和优化器
//
// 训练需要一个优化器：在模型全部参数上做随机梯度下降（SGD），学习率（learning rate）取原文的0.01。`seqModel.parameters()`把四个权重和偏置张量交给它。本笔记本不做训练，训练循环在笔记本08。
var learningRate = 1e-2;
var optimizer = optim.SGD(seqModel.parameters(), learningRate);
Console.WriteLine($"SGD over {seqModel.parameters().Count()} parameter tensors, learning rate {learningRate}");

// ## 几行看懂softmax
//
// 最后一个线性层给出的两个分数可以是任意实数。要把它们当作概率来读，它们必须为正，并且加起来等于1。softmax两件事都做了：先对每个分数取指数，再除以它们的总和，
//
// $$\mathrm{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}.$$
//
// 指数函数保持大小顺序（分数越大，概率越大），除以总和则让它们加起来为1。给每个分数都加上同一个常数，结果不变，因为分子和分母都乘上了同一个因子。下面的单元格在三个分数上演示这两点。
//
// `LogSoftmax`一步算出同样这些概率的对数。这比先做softmax再取`log`更精确（笔记本07会解释原因），也正是笔记本07中的损失函数所期望的输入。
var x = from_array(new float[] { 1, 2, 3 });
var softmaxX = x.softmax(0);
Console.WriteLine($"softmax([1, 2, 3])    = {softmaxX.ToString(TorchSharp.TensorStringStyle.Numpy)}, sum {softmaxX.sum().item<float>():F4}");
Console.WriteLine($"softmax([11, 12, 13]) = {(x + 10).softmax(0).ToString(TorchSharp.TensorStringStyle.Numpy)}");
Console.WriteLine($"exp(log_softmax(x))   = {x.log_softmax(0).exp().ToString(TorchSharp.TensorStringStyle.Numpy)}");

// ## 一张图像走过未训练的模型
//
// 取出第一张训练图像和它的标签。`cifar2[0]`返回`(image, label)`，就像原文的`img, label = cifar2[0]`；图像是归一化后的`float [3, 32, 32]`。为了显示它，单元格先撤销归一化（逐通道乘以标准差再加上均值），再像`plt.imshow`要求的那样把通道挪到最后。原文在这里显示的是归一化后的张量本身，`imshow`会把超出[0, 1]的值截断，颜色因此失真（就像笔记本03里那样）；我们先撤销了归一化，所以看到的是图像原本的颜色。
var (img, label) = cifar2[0];
Console.WriteLine($"img: [{string.Join(", ", img.shape)}] {img.dtype}, label: {label} ({classNames[label]})");

var channelStd = from_array(stats.Std).to_type(float32).view(3, 1, 1);
var channelMean = from_array(stats.Mean).to_type(float32).view(3, 1, 1);
display(Images.Show((img * channelStd + channelMean).permute(1, 2, 0), caption: classNames[label]));

// 模型处理的是批量，所以单张图像要变成只有一张图像的批量。`img.view(-1)`把`[3, 32, 32]`图像压平成`[3072]`（不复制，只是同一组数的视图），`unsqueeze(0)`再在最前面加一个小批量维度：`[1, 3072]`，和原文的`img.view(-1).unsqueeze(0)`一样。
//
// Python通过调用模块来运行它：`seqModel(img_batch)`。TorchSharp里对应的是`seqModel.call(...)`：和Python的调用一样，它会在`forward`前后运行模块上注册的钩子（hook）。直接调用`seqModel.forward(...)`会跳过钩子；像这里这样没有注册任何钩子时，两者结果相同。
//
// 单元格先打印原文的输出行，再以同样的格式打印我们的结果（`PyPrint.Tensor`按PyTorch的样式打印张量，保留四位小数）。
var imgBatch = img.view(-1).unsqueeze(0);
Console.WriteLine($"input:   {PyPrint.Size(imgBatch.shape)}");

var output = seqModel.call(imgBatch);
Console.WriteLine("article: tensor([[0.4481, 0.5519]], grad_fn=<SoftmaxBackward0>)");
Console.WriteLine($"ours:    {PyPrint.Tensor(output)}, requires_grad={output.requires_grad}");
Console.WriteLine($"exp():   {PyPrint.Tensor(output.exp())}");

// ### 读懂两份输出
//
// 我们的输出是一行两个**对数概率**，都是负数，因为小于1的概率取对数后为负。对它们取`exp()`就得到概率本身：两个正数，加起来等于1。
//
// 原文的输出和我们的不一样，而且不只是因为随机权重不同。它的数是正的，加起来等于1，`grad_fn`写的是`SoftmaxBackward0`：这是以`Softmax`结尾的模型的输出。原文紧挨着上面定义的模型以`LogSoftmax`结尾，它的输出应该是负数，并带有`LogSoftmaxBackward0`。可见原文的这份输出是用`Softmax`版本的模型得到的；
// 可以拿它和我们的`exp()`那一行对比，那正是以`Softmax`结尾时会打印的内容。（TorchSharp张量没有可打印的`grad_fn`；`requires_grad=True`说明的是同一件事：输出是由可训练的权重算出来的。）
//
// 预测的类别是概率最高的那个，即在第1维上取`argmax`，它也是对数概率最高的那个（对数保持大小顺序）。权重仍然是随机的，所以不管哪个类别胜出，都只是碰巧：模型对飞机和鸟还一无所知。让这些数字有意义的，是训练（笔记本08）。
var probabilities = output.exp();
var predicted = output.argmax(1).item<long>();
Console.WriteLine($"sum of exp(): {probabilities.sum().item<float>():F6}");
Console.WriteLine($"predicted: {predicted} ({classNames[predicted]}), label: {label} ({classNames[label]})");

// ---
//
// [← 上一节](05-mini-batches.ipynb) · [下一节→](07-choosing-a-loss.ipynb)
