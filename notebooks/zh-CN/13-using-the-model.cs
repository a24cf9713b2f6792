// Generated from 13-using-the-model.ipynb by tools/NotebookToApp: edit the notebook, then run `dotnet run --project tools/NotebookToApp`.
// The lesson with no notebook kernel: `dotnet run 13-using-the-model.cs` in this folder, or with its path from anywhere.
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
using CifarHelpers.Inference;
using SkiaSharp;
using System.IO;
using static CifarHelpers.Notebook.NotebookApp;

CifarHelpers.Notebook.NotebookApp.Start();

// # 13 · 使用模型：给你自己的图像分类
//
// [English version](../en/13-using-the-model.ipynb)
//
// **原文之外。** 原文《pytorch深度学习实战：全连接神经网络图像识别》在“§3.3 验证模型”一节用CIFAR-10自己的验证图像衡量模型，最后得到一个训练好并保存下来的模型。本笔记本不是原文任何部分的翻译。它像你自己的程序那样，把保存的模型用在图像文件上：不训练，不用优化器，分类时也不需要数据集。
//
// **本节你将学到**
//
// - 怎样为推断（inference）加载检查点：模型、权重、`eval()`和`no_grad`；
// - 任意大小和格式的图像怎样变成模型训练时用的`[3, 32, 32]`张量，并用检查点在训练时记录的均值和标准差归一化；
// - 对一个图像文件和对原来的32 × 32图像，模型给出的答案是否相同；
// - 对既不是鸟也不是飞机的图像，一个两类模型会说什么；
// - 怎样用`notebooks/classify.cs`在命令行里给图像分类。

// ## 准备工作
//
// 和其他笔记本一样的第一个单元格：NuGet包、本教程的辅助库，以及`Tutorial.Setup`。这里多了三行`using`：`CifarHelpers.Inference`是辅助库里用于推断的部分；`SkiaSharp`是TorchSharp本来就依赖的图像库，本笔记本用它写图像文件；`System.IO`用于文件和路径。
Tutorial.Setup(seed: 42);

// ## 为推断加载模型
//
// 笔记本08把训练好的全连接网络保存到了`data/models/birds-airplanes-fc.bin`，旁边还有一个`.json`文件。要使用它，先构建同样的模型，把权重加载进去，再用`eval()`切换到评估模式（原文的网络没有在训练时表现不同的层，但使用中的模型总应处于这个模式）。这里没有优化器，也没有损失：什么都不训练。
//
// `.json`文件记录了一张图像要怎样才能和训练图像一致：类别名称，以及训练图像归一化时每个颜色通道的均值和标准差（笔记本03）。模型是在这样归一化的图像上学习的，所以它分类的每张图像都必须用同样的方式、同样的这些数字归一化，而不是用这张图像自己的统计量。检查点带着这些数字，所以分类完全不需要数据集。
var fcPath = "../../data/models/birds-airplanes-fc";
var fcInfo = Checkpoint.TryReadInfo(fcPath)
    ?? throw new FileNotFoundException($"There is no checkpoint at {fcPath}.bin: run notebook 08 first (or `dotnet run notebooks/en/08-training.cs`).");

var fcModel = FullyConnected.Create();
Checkpoint.Load(fcModel, fcPath); // checks that the weights fit this model and match their metadata
fcModel.eval();                   // evaluation mode: the model is used, not trained

Console.WriteLine($"{fcInfo.Epochs} epochs, seed {fcInfo.Seed}, validation accuracy {fcInfo.ValidationAccuracy:F4}");
Console.WriteLine($"classes: {string.Join(", ", fcInfo.Classes!)}");
Console.WriteLine($"mean: {PyPrint.List(fcInfo.Mean!)}");
Console.WriteLine($"std: {PyPrint.List(fcInfo.Std!)}");

// ## 你自己的图像
//
// 仓库里没有照片，所以这个单元格做一个替身：CIFAR-10验证图像中的第一只鸟，放大到320 × 320像素，放在一张更宽的灰蓝色图像中间，以JPEG文件保存在`artifacts/pictures/`里。你自己的任何文件都一样可以用：PNG、JPEG、WebP、BMP或GIF（取第一帧），大小不超过4000万像素。
var pictures = Directory.CreateDirectory("../../artifacts/pictures").FullName;
var cifar10Val = new Cifar10Dataset("../../data/CIFAR-10/", train: false, download: true);

// The first bird of the validation images, enlarged to 320 × 320 (SkiaSharp's bicubic filter) in the middle of a
// 480 × 320 grey-blue picture, saved as JPEG.
int birdIndex = (int)cifar10Val.Labels.eq(2).nonzero()[0, 0].item<long>();
var myPicture = Path.Combine(pictures, "my-picture.jpg");
using (var original = SKBitmap.Decode(Images.Png(cifar10Val.Images[birdIndex].permute(1, 2, 0))))
using (var surface = SKSurface.Create(new SKImageInfo(480, 320)))
using (var paint = new SKPaint { FilterQuality = SKFilterQuality.High })
{
    surface.Canvas.Clear(new SKColor(120, 140, 160));
    surface.Canvas.DrawBitmap(original, new SKRect(80, 0, 400, 320), paint);
    using var snapshot = surface.Snapshot();
    using var jpeg = snapshot.Encode(SKEncodedImageFormat.Jpeg, 90);
    File.WriteAllBytes(myPicture, jpeg.ToArray());
}
Console.WriteLine($"{Path.GetFileName(myPicture)}: validation image {birdIndex}, {new FileInfo(myPicture).Length} bytes");

// ## 从图像文件到模型的输入
//
// 模型接收3 × 32 × 32个值。`ImageInput`分三步做到这一点，每一步都是辅助库里一个小的公开方法：
//
// 1. `Decode`用SkiaSharp读取文件，把像素给成`uint8 [H, W, 3]`，并按相机的方向标记把图像转正。它先读文件头：声明的尺寸超过4000万像素的图像，在为它分配任何内存之前就被拒绝；不是图像的文件，或者被截断的文件，也会被拒绝，并说明原因。
// 2. `CentreCrop`保留中间最大的正方形。CIFAR-10的图像是正方形的；把一张宽图像挤成正方形会让其中的物体变形。
// 3. `Resize`用**面积平均**（area averaging）把正方形缩小到32 × 32：32 × 32个像素中的每一个，都是它所覆盖的那部分图像的平均值。图像的每个像素都参与计算，所以细线和细小的噪声会被平均掉，而从32 × 32图像放大得到的图像，缩小后会接近原图。它还像`ToTensor`那样（笔记本02）把字节缩放到[0, 1]。
// A picture of your own: put its path here instead.
var picture = ImageInput.Decode(myPicture);   // uint8 [H, W, 3], the whole picture
var square = ImageInput.CentreCrop(picture);  // the square in its centre
var small = ImageInput.Resize(square, 32);    // float [3, 32, 32] in [0, 1], by area averaging
Console.WriteLine($"{PyPrint.Size(picture.shape)} -> {PyPrint.Size(square.shape)} -> {PyPrint.Size(small.shape)}");

display(Images.Show(picture, zoom: 1, caption: "the picture"));
display(Images.Show(small.permute(1, 2, 0), zoom: 8, caption: "what the model sees: 32 × 32, shown 8 times larger"));

// ## 给它分类
//
// 最后几步就是笔记本09的验证循环对一张图像所做的：用检查点的均值和标准差归一化，展平成一行3,072个值（一个只有一张图像的小批量），并在`no_grad()`里调用模型，因为不需要梯度。网络的最后一层是`LogSoftmax`，所以用`exp`把输出变成两个概率。
using (no_grad())
{
    using var input = ImageInput.Normalize(small, fcInfo.Mean!, fcInfo.Std!); // the training's normalisation
    using var output = fcModel.forward(input.reshape(1, -1));                  // [1, 3072] -> [1, 2] log-probabilities
    using var probabilities = output.exp();
    var p = probabilities[0].data<float>().ToArray();
    int predicted = p[1] > p[0] ? 1 : 0;
    Console.WriteLine($"{Path.GetFileName(myPicture)}: {fcInfo.Classes![0]} {p[0]:F4}, {fcInfo.Classes[1]} {p[1]:F4} -> {fcInfo.Classes[predicted]}");
}

// ## 两行代码做同样的事：`Classifier`
//
// `Classifier.Load`完成上面的全部步骤：读取检查点的元数据，按其中记录的参数构建对应的模型（全连接网络，或笔记本11的`ConvNet`），加载权重，调用`eval()`，并保存均值、标准差和类别名称。`Classify`接收一个文件或一个`[3, 32, 32]`张量；`Probabilities`接收一个小批量。本笔记本最后的命令行工具用的就是它，你自己的程序也可以用它。
//
// 如果笔记本11保存了它的卷积神经网络，这个单元格也会加载它，笔记本余下的部分会同时衡量两个模型。
var fc = Classifier.Load(fcPath);
Console.WriteLine($"{Path.GetFileName(myPicture)}: {fc.Classify(myPicture)}");

var cnnPath = "../../data/models/birds-airplanes-cnn";
var models = new List<(string Name, Classifier Model)> { ("fully connected", fc) };
if (Checkpoint.TryReadInfo(cnnPath) is null)
    Console.WriteLine($"There is no CNN checkpoint at {cnnPath}.bin (notebook 11 writes it): the CNN is left out below.");
else
{
    var cnn = Classifier.Load(cnnPath);
    models.Add(("CNN", cnn));
    Console.WriteLine($"CNN, {cnn.Info.Epochs} epochs, validation accuracy {cnn.Info.ValidationAccuracy:F4}: {cnn.Classify(myPicture)}");
}

// ## 原本是CIFAR-10图像的图像
//
// 对一个图像文件，模型说的和对它的来源图像说的一样吗？这个单元格取验证集中前200张飞机和鸟的图像，用SkiaSharp的双三次滤波把每张从32 × 32放大到224 × 224，分别写成PNG（无损）和JPEG（质量90，有损），再用`ImageInput.Load`把每个文件读回来，把每个模型对它们的预测和对原来32 × 32图像的预测相比较。它还打印读回的值与原图平均相差多少，以一个字节的范围（0到255）计。
// Enlarges a CIFAR-10 image (uint8 [3, 32, 32]) to side × side with SkiaSharp's bicubic filter and writes it.
void SaveUpscaled(Tensor image, string path, int side, SKEncodedImageFormat format, int quality)
{
    using var original = SKBitmap.Decode(Images.Png(image.permute(1, 2, 0)));
    using var large = original.Resize(new SKImageInfo(side, side), SKFilterQuality.High);
    using var encoded = large.Encode(format, quality);
    File.WriteAllBytes(path, encoded.ToArray());
}

var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
var raw2Val = cifar10Val.Subset(labelMap); // uint8 [2000, 3, 32, 32]
const int count = 200, side = 224;
var originals = raw2Val.Images[..count].to_type(ScalarType.Float32).div(255); // as ToTensor scales them

var formats = new[] { (Name: "PNG", Format: SKEncodedImageFormat.Png, Extension: "png"),
                      (Name: "JPEG", Format: SKEncodedImageFormat.Jpeg, Extension: "jpg") };
foreach (var (name, format, extension) in formats)
{
    var files = Enumerable.Range(0, count).Select(i => Path.Combine(pictures, $"val-{i:000}.{extension}")).ToList();
    for (int i = 0; i < count; i++) SaveUpscaled(raw2Val.Images[i], files[i], side, format, quality: 90);
    using var reread = stack(files.Select(f => ImageInput.Load(f)).ToList()); // [200, 3, 32, 32]
    double difference = (reread - originals).abs().mean().item<float>() * 255;
    Console.WriteLine($"{name}, {side} x {side}, read back at 32 x 32: mean difference {difference:F2} of 255 per value");
    foreach (var (modelName, model) in models)
    {
        using var before = model.Probabilities(originals).argmax(1);
        using var after = model.Probabilities(reread).argmax(1);
        long agree = before.eq(after).sum().item<long>();
        Console.WriteLine($"  {modelName}: {agree} of {count} predictions agree with the 32 x 32 ones ({(double)agree / count:F4})");
    }
}

// 放大后的文件读回来后接近原图；两种格式下，每个模型对它们的预测，和对原图的预测，在200张图像中至少有95%一致（测试检查这两点）。JPEG的损失比PNG的往返更多地改变了这些值。

// ## 既不是鸟也不是飞机的图像
//
// 模型有两个输出，它的两个概率之和总是1。它没有办法说“都不是”：不管给它看什么，它都在飞机和鸟之间选一个。《Deep Learning with PyTorch》一书提醒过这一点：一个在鸟和飞机上训练的模型，会把一只猫叫作鸟或飞机，而且往往很有把握。这里用我们的数字来看：CIFAR-10全部10,000张验证图像、十个类别，都送进模型。表格对每个类别给出被叫作鸟的比例、所选类别的平均概率（它的把握），以及它至少有0.9把握的图像所占的比例。
var allImages = cifar10Val.Images.to_type(ScalarType.Float32).div(255); // all 10,000, ten classes
var trueLabels = cifar10Val.Labels.data<long>().ToArray();
var confidence = new Dictionary<string, float[]>();
foreach (var (modelName, model) in models)
{
    using var probabilities = model.Probabilities(allImages);
    var (best, chosen) = probabilities.max(1);
    confidence[modelName] = best.data<float>().ToArray();
    var calledBird = chosen.data<long>().ToArray();
    best.Dispose(); chosen.Dispose();

    Console.WriteLine($"{modelName}:");
    Console.WriteLine("class        images  called bird  mean confidence  at least 0.9");
    for (int c = 0; c < cifar10Val.Classes.Count; c++)
    {
        var mine = Enumerable.Range(0, trueLabels.Length).Where(i => trueLabels[i] == c).ToList();
        double bird = mine.Count(i => calledBird[i] == 1) / (double)mine.Count;
        double mean = mine.Average(i => confidence[modelName][i]);
        double sure = mine.Count(i => confidence[modelName][i] >= 0.9) / (double)mine.Count;
        Console.WriteLine($"{cifar10Val.Classes[c],-12} {mine.Count,6}  {bird,11:F4}  {mean,15:F4}  {sure,12:F4}");
    }
}

// 看全连接网络对它从未见过的八个类别的那几行：它给每张图像两个答案之一，而且它对每个类别的平均把握都在0.85以上，几乎不低于它对训练过的飞机和鸟的把握（测试检查这两点）。

// 图表用一张图显示同样的事：横轴上的每个把握值，对应模型至少有这么大把握的图像所占的比例，飞机和鸟一条线，其他八个类别一条线。两条曲线靠得越近，模型的把握就越不能区分它认识的东西的图像和别的东西的图像。
bool Trained(long label) => label is 0 or 2; // airplane, bird
var thresholds = Enumerable.Range(50, 51).Select(t => t / 100.0).ToArray();
IEnumerable<double> ShareAtLeast(float[] values, bool trained) =>
    thresholds.Select(t => Enumerable.Range(0, values.Length).Where(i => Trained(trueLabels[i]) == trained)
                                     .Average(i => values[i] >= t ? 1.0 : 0.0));

var series = new List<(string, IEnumerable<double>, IEnumerable<double>)>();
foreach (var (modelName, _) in models)
{
    series.Add(($"{modelName}: airplanes and birds", thresholds, ShareAtLeast(confidence[modelName], true)));
    series.Add(($"{modelName}: the other eight classes", thresholds, ShareAtLeast(confidence[modelName], false)));
}
display(Charts.Lines("Share of validation images the model is at least this sure about", "probability of the chosen class", "share of images",
             series.ToArray()));

// 下面是全连接网络最有把握的16张其他类别的图像，每张标出真实类别、网络选择的类别，以及网络给它的概率。
var fcConfidence = confidence["fully connected"];
var surest = Enumerable.Range(0, trueLabels.Length).Where(i => !Trained(trueLabels[i]))
                       .OrderByDescending(i => fcConfidence[i]).Take(16).ToList();
var surestImages = cifar10Val.Images.index_select(0, tensor(surest.Select(i => (long)i).ToArray()));
var surestFloats = surestImages.to_type(ScalarType.Float32).div(255);
var surestProbabilities = fc.Probabilities(surestFloats);
var captions = surest.Select((i, k) => $"{cifar10Val.Classes[(int)trueLabels[i]]} -> {fc.Classes[(int)surestProbabilities[k].argmax().item<long>()]} {fcConfidence[i]:F3}").ToList();
display(Images.Grid(surest.Select((i, k) => (surestImages[k].permute(1, 2, 0), captions[k])), columns: 8, zoom: 3));

// ## 在命令行里
//
// `notebooks/classify.cs`是一个基于文件的应用，对你给它的任何文件做本笔记本做过的事。在仓库的文件夹里运行：
//
// ```sh
// dotnet run notebooks/classify.cs -- my-picture.jpg holiday/*.png
// dotnet run notebooks/classify.cs -- --model cnn my-picture.jpg
// ```
//
// 它对每个文件打印一行，`my-picture.jpg: airplane 0.1234, bird 0.8766 -> bird`，每个文件都分类成功时以0退出。缺失的、不是图像的、被截断的或超过4000万像素的文件，会在标准错误输出上得到一行说明原因，其他文件照样分类，退出码为1。没有检查点时，它会说明用哪条命令训练一个。这个文件很短：把它复制到你自己的项目里，并把它的`#:project`行改为指向`lib/CifarHelpers`。

// ---
//
// [← 上一节](12-exercises.ipynb) · [下一节→](14-pytorch-interop.ipynb)
