// §5 本文完整代码 (The complete code of this article) of the article
// pytorch深度学习实战:全连接神经网络图像识别, as one C# file: load CIFAR-10, keep birds and airplanes, train the
// fully connected model (LogSoftmax + NLLLoss) for 100 epochs, print the loss every 10 epochs, then the validation
// accuracy. The comments name the article's section of each step; the notebooks explain them one by one.
// Run it from anywhere, with no notebook kernel:
//     dotnet run notebooks/en/complete-code.cs                 (100 epochs, as the article)
//     dotnet run notebooks/en/complete-code.cs -- --epochs 5   (a quick check)
// Offline, set CIFAR10_ARCHIVE to a local cifar-10-binary.tar.gz.
#:project ../../lib/CifarHelpers/CifarHelpers.csproj
#:package TorchSharp

using System.Globalization;
using CifarHelpers.Data;
using CifarHelpers.Runtime;
using TorchSharp;
using static TorchSharp.torch;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
int nEpochs = args is ["--epochs", var n] ? int.Parse(n) : 100;
Console.WriteLine(TorchRuntime.Initialize());
manual_seed(42);

// §2 加载数据 (Loading the data). The article's ./data/CIFAR-10/ is the repository's data/CIFAR-10, two folders up
// from this file's (notebooks/en/).
string fileDir = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".";
string dataPath = Path.Combine(fileDir, "..", "..", "data", "CIFAR-10");

using var rawCifar10 = new Cifar10Dataset(dataPath, train: true, download: true);
// §2.1 and §2.2: ToTensor, then Normalize. The article's complete code types the rounded constants
// (0.4914, 0.4822, 0.4465) and (0.2470, 0.2435, 0.2616); we compute them, and they agree to four decimals.
var stats = ChannelStats.Of(rawCifar10);
var transform = ImageTransforms.Compose(ImageTransforms.ToTensor(), ImageTransforms.Normalize(stats.Mean, stats.Std));
using var cifar10 = new Cifar10Dataset(dataPath, train: true, download: false, transform: transform);
using var cifar10Val = new Cifar10Dataset(dataPath, train: false, download: false, transform: transform);

// §2.3: airplane (CIFAR-10 label 0) becomes 0, bird (label 2) becomes 1. The article's comment on this line names
// them the other way round; its class_names, like ours, is right.
var labelMap = new Dictionary<int, int> { [0] = 0, [2] = 1 };
string[] classNames = ["airplane", "bird"];
using var cifar2 = cifar10.Subset(labelMap).ApplyTransform();
using var cifar2Val = cifar10Val.Subset(labelMap).ApplyTransform();
Console.WriteLine($"{classNames[0]}s and {classNames[1]}s: {cifar2.Count} training, {cifar2Val.Count} validation images");

// §2.3.2: shuffled mini-batches of 64.
using var trainLoader = new CifarHelpers.Data.BatchLoader(cifar2, batchSize: 64, shuffle: true, seed: 42);

// §3: the fully connected model; §3.1: LogSoftmax in the model, NLLLoss as the loss.
var model = nn.Sequential(
    ("0", nn.Linear(3072, 512)),
    ("1", nn.Tanh()),
    ("2", nn.Linear(512, 2)),
    ("3", nn.LogSoftmax(dim: 1)));

double learningRate = 1e-2;
var optimizer = optim.SGD(model.parameters(), learningRate);
var lossFn = nn.NLLLoss();

// §3.2: the training loop; the loss of the epoch's last batch every 10 epochs (and, here, after the last epoch).
for (int epoch = 0; epoch < nEpochs; epoch++)
{
    float lastLoss = 0;
    foreach (var (imgs, labels) in trainLoader)
    {
        using var scope = NewDisposeScope();
        var outputs = model.forward(imgs.view(imgs.shape[0], -1));
        var loss = lossFn.forward(outputs, labels);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        lastLoss = loss.item<float>();
        imgs.Dispose();
        labels.Dispose();
    }
    if (epoch % 10 == 0 || epoch == nEpochs - 1)
        Console.WriteLine($"Epoch: {epoch}, Loss: {lastLoss:F6}");
}

// §3.3: validation. The article's run printed Accuracy: 0.813.
using var valLoader = new CifarHelpers.Data.BatchLoader(cifar2Val, batchSize: 64, shuffle: false);
long correct = 0, total = 0;
using (no_grad())
{
    foreach (var (imgs, labels) in valLoader)
    {
        using var scope = NewDisposeScope();
        var outputs = model.forward(imgs.view(imgs.shape[0], -1));
        var predicted = outputs.argmax(1);
        total += labels.shape[0];
        correct += (predicted == labels).sum().item<long>();
        imgs.Dispose();
        labels.Dispose();
    }
}
Console.WriteLine($"Accuracy: {(double)correct / total:F4}");
