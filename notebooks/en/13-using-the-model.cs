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

// # 13 · Using the model: classify your own pictures
//
// [中文版](../zh-CN/13-using-the-model.ipynb)
//
// **Beyond the article.** The article *pytorch深度学习实战:全连接神经网络图像识别* measures its model in
// **§3.3 验证模型** (Validating the model) on CIFAR-10's own validation images, and ends with the model trained and saved.
// This notebook is not a translation of any part of the article. It applies the saved model to picture files, as a
// program of yours would: no training, no optimizer, and no data set needed to classify.
//
// **What you will learn**
//
// - how to load a checkpoint for inference: the model, its weights, `eval()` and `no_grad`;
// - how a picture of any size and format becomes the `[3, 32, 32]` tensor the model was trained on, normalised with
//   the mean and std the checkpoint recorded at training time;
// - whether the model says the same of a picture file as of the original 32 × 32 image;
// - what a two-class model says about pictures that are neither birds nor airplanes;
// - how to classify pictures from the command line, with `notebooks/classify.cs`.

// ## Set-up
//
// The same first cell as in the other notebooks: the NuGet packages, the tutorial's helper library, and
// `Tutorial.Setup`. It adds three `using` lines: `CifarHelpers.Inference`, the library's inference helpers;
// `SkiaSharp`, the image library TorchSharp already depends on, with which this notebook writes picture files; and
// `System.IO`, for files and paths.
Tutorial.Setup(seed: 42);

// ## Loading the model for inference
//
// Notebook 08 saved the trained fully connected net to `data/models/birds-airplanes-fc.bin`, with a `.json` beside it.
// To use it, build the same model, load the weights into it, and switch it to evaluation mode with `eval()` (the
// article's net has no layer that behaves differently in training, but a model in use should always be in this mode).
// There is no optimizer and no loss: nothing will be trained.
//
// The `.json` records what a picture needs to look like the training images: the class names, and the mean and std
// of each colour channel that the training images were normalised with (notebook 03). The model learned on images
// normalised this way, so every picture it classifies must be normalised the same way, with these numbers, not with
// the statistics of the picture itself. The checkpoint carries them, so classifying needs no data set at all.
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

// ## A picture of your own
//
// The repository carries no photographs, so this cell makes a stand-in: the first bird of the CIFAR-10 validation
// images, enlarged to 320 × 320 pixels in the middle of a wider, grey-blue picture, and saved as a JPEG file in
// `artifacts/pictures/`. Any file of yours works the same way: PNG, JPEG, WebP, BMP or GIF (its first frame), of any
// size up to 40 megapixels.
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

// ## From a picture file to the model's input
//
// The model takes 3 × 32 × 32 values. `ImageInput` gets there in three steps, each a small public helper of the
// library:
//
// 1. `Decode` reads the file with SkiaSharp and gives its pixels as `uint8 [H, W, 3]`, turned upright as a camera's
//    orientation tag says. It reads the file's header first: a picture whose declared size is above 40 megapixels is
//    refused before any memory is set aside for it, and a file that is not a picture, or is cut short, is refused with
//    the reason.
// 2. `CentreCrop` keeps the largest square in the middle. CIFAR-10's images are square; squeezing a wide picture into
//    a square would distort what is in it.
// 3. `Resize` reduces the square to 32 × 32 by **area averaging**: each of the 32 × 32 pixels is the mean of the part
//    of the picture it covers. Every pixel of the picture counts, so thin lines and fine noise average out, and a
//    picture that was enlarged from a 32 × 32 image comes back close to it. It also scales the bytes to [0, 1], as
//    `ToTensor` does (notebook 02).
// A picture of your own: put its path here instead.
var picture = ImageInput.Decode(myPicture);   // uint8 [H, W, 3], the whole picture
var square = ImageInput.CentreCrop(picture);  // the square in its centre
var small = ImageInput.Resize(square, 32);    // float [3, 32, 32] in [0, 1], by area averaging
Console.WriteLine($"{PyPrint.Size(picture.shape)} -> {PyPrint.Size(square.shape)} -> {PyPrint.Size(small.shape)}");

display(Images.Show(picture, zoom: 1, caption: "the picture"));
display(Images.Show(small.permute(1, 2, 0), zoom: 8, caption: "what the model sees: 32 × 32, shown 8 times larger"));

// ## Classifying it
//
// The last steps are the ones the validation loop of notebook 09 runs, for one picture: normalise with the
// checkpoint's mean and std, flatten to one row of 3,072 values (a batch of one), and call the model inside
// `no_grad()`, because no gradient is needed. The net ends in `LogSoftmax`, so `exp` turns its output into the two
// probabilities.
using (no_grad())
{
    using var input = ImageInput.Normalize(small, fcInfo.Mean!, fcInfo.Std!); // the training's normalisation
    using var output = fcModel.forward(input.reshape(1, -1));                  // [1, 3072] -> [1, 2] log-probabilities
    using var probabilities = output.exp();
    var p = probabilities[0].data<float>().ToArray();
    int predicted = p[1] > p[0] ? 1 : 0;
    Console.WriteLine($"{Path.GetFileName(myPicture)}: {fcInfo.Classes![0]} {p[0]:F4}, {fcInfo.Classes[1]} {p[1]:F4} -> {fcInfo.Classes[predicted]}");
}

// ## The same in two lines: `Classifier`
//
// `Classifier.Load` does all of the above: it reads the checkpoint's metadata, builds the model its recorded
// parameters name (the fully connected net, or the `ConvNet` of notebook 11), loads the weights, calls `eval()`, and
// keeps the mean, std and class names. `Classify` takes a file or a `[3, 32, 32]` tensor; `Probabilities` takes a
// batch. It is what the command-line tool at the end of this notebook uses, and what a program of yours can use.
//
// If notebook 11 has saved its convolutional network, the cell loads it too, and the rest of the notebook measures
// both models.
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

// ## Pictures that were CIFAR-10 images
//
// Does the model say the same of a picture file as of the image it came from? This cell takes the first 200
// validation airplanes and birds, enlarges each from 32 × 32 to 224 × 224 with SkiaSharp's bicubic filter, writes
// them as PNG (lossless) and as JPEG (quality 90, lossy), reads every file back with `ImageInput.Load`, and compares
// each model's predictions with its predictions on the original 32 × 32 images. It also prints how far, on average,
// the values read back are from the originals, on the scale of a byte (0 to 255).
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

// The enlarged files come back close to the original images, and each model's predictions on them agree with its
// predictions on the originals for at least 95 % of the 200 images, in both formats (the tests check these two
// statements). The JPEG's losses move the values more than the PNG's round trip does.

// ## Pictures that are neither birds nor airplanes
//
// The model has two outputs, and its probabilities always add up to 1. It has no way to say "neither": whatever it is
// shown, it chooses airplane or bird. The book *Deep Learning with PyTorch* warns about this: a model trained on
// birds and airplanes will call a cat a bird or an airplane, often with confidence. Here it is in our numbers: all
// 10,000 validation images of CIFAR-10, ten classes, go through the model. For each class the table gives the share
// called a bird, the mean probability of the chosen class (its confidence), and the share of images it is at least
// 0.9 sure about.
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

// Read the fully connected net's rows for the eight classes it never saw: it gives each image one of its two answers,
// and its mean confidence is above 0.85 for every one of these classes, hardly lower than on the airplanes and birds
// it was trained for (the tests check both statements).

// The chart shows the same in one picture: for each confidence on the horizontal axis, the share of images the model
// is at least that sure about, for the airplanes and birds and for the other eight classes. Where the two curves
// lie close together, the model's confidence cannot tell a picture of what it knows from a picture of something
// else.
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

// These are the 16 images of other classes that the fully connected net is surest about, each with its true class,
// the class the net chose and the net's probability for it.
var fcConfidence = confidence["fully connected"];
var surest = Enumerable.Range(0, trueLabels.Length).Where(i => !Trained(trueLabels[i]))
                       .OrderByDescending(i => fcConfidence[i]).Take(16).ToList();
var surestImages = cifar10Val.Images.index_select(0, tensor(surest.Select(i => (long)i).ToArray()));
var surestFloats = surestImages.to_type(ScalarType.Float32).div(255);
var surestProbabilities = fc.Probabilities(surestFloats);
var captions = surest.Select((i, k) => $"{cifar10Val.Classes[(int)trueLabels[i]]} -> {fc.Classes[(int)surestProbabilities[k].argmax().item<long>()]} {fcConfidence[i]:F3}").ToList();
display(Images.Grid(surest.Select((i, k) => (surestImages[k].permute(1, 2, 0), captions[k])), columns: 8, zoom: 3));

// ## From the command line
//
// `notebooks/classify.cs` is a file-based app that does what this notebook did, for any files you give it. From the
// repository's folder:
//
// ```sh
// dotnet run notebooks/classify.cs -- my-picture.jpg holiday/*.png
// dotnet run notebooks/classify.cs -- --model cnn my-picture.jpg
// ```
//
// It prints one line per file, `my-picture.jpg: airplane 0.1234, bird 0.8766 -> bird`, and exits with 0 when every
// file was classified. A file that is missing, not a picture, cut short, or larger than 40 megapixels gets one line on
// the standard error with the reason, the other files are still classified, and the exit code is 1. Without a
// checkpoint it says which command trains one. The file is short: copy it into a project of yours, and change its
// `#:project` line to point at `lib/CifarHelpers`.

// ---
//
// [← previous](12-exercises.ipynb) · [next →](14-pytorch-interop.ipynb)
