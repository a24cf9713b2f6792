using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CifarHelpers.Data;
using CifarHelpers.Inference;
using CifarHelpers.Models;
using CifarHelpers.Runtime;
using CifarHelpers.Training;
using SkiaSharp;
using Tools.Shared;
using static TorchSharp.torch;

namespace CifarHelpers.Tests;

/// <summary>Pictures the tests write, in each format, and a checkpoint with fresh weights: no data set needed.</summary>
static class Pictures
{
    /// <summary>A picture uint8 [H, W, 3] whose pixels follow their position, so crops and turns can be told apart.</summary>
    public static byte[] Gradient(int width, int height)
    {
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int p = 3 * (y * width + x);
                rgb[p] = (byte)(x * 255 / Math.Max(1, width - 1));
                rgb[p + 1] = (byte)(y * 255 / Math.Max(1, height - 1));
                rgb[p + 2] = 128;
            }
        return rgb;
    }

    public static SKBitmap Bitmap(byte[] rgb, int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[width * height * 4];
        for (int p = 0; p < width * height; p++)
        {
            rgba[4 * p] = rgb[3 * p];
            rgba[4 * p + 1] = rgb[3 * p + 1];
            rgba[4 * p + 2] = rgb[3 * p + 2];
            rgba[4 * p + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }

    public static byte[] Encode(byte[] rgb, int width, int height, SKEncodedImageFormat format, int quality = 100)
    {
        using var bitmap = Bitmap(rgb, width, height);
        using var data = bitmap.Encode(format, quality) ?? throw new InvalidOperationException($"SkiaSharp cannot encode {format}");
        return data.ToArray();
    }

    /// <summary>A 24-bit BMP, written by hand (SkiaSharp 2.88 encodes none).</summary>
    public static byte[] Bmp(byte[] rgb, int width, int height)
    {
        int stride = (width * 3 + 3) & ~3, size = 54 + stride * height;
        var bmp = new byte[size];
        bmp[0] = (byte)'B'; bmp[1] = (byte)'M';
        BitConverter.TryWriteBytes(bmp.AsSpan(2), size);
        BitConverter.TryWriteBytes(bmp.AsSpan(10), 54);
        BitConverter.TryWriteBytes(bmp.AsSpan(14), 40);
        BitConverter.TryWriteBytes(bmp.AsSpan(18), width);
        BitConverter.TryWriteBytes(bmp.AsSpan(22), height); // bottom-up
        BitConverter.TryWriteBytes(bmp.AsSpan(26), (short)1);
        BitConverter.TryWriteBytes(bmp.AsSpan(28), (short)24);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int from = 3 * ((height - 1 - y) * width + x), to = 54 + y * stride + 3 * x;
                bmp[to] = rgb[from + 2]; bmp[to + 1] = rgb[from + 1]; bmp[to + 2] = rgb[from];
            }
        return bmp;
    }

    /// <summary>
    /// A GIF of one colour per frame, written by hand (SkiaSharp encodes none): a 256-colour palette, and LZW codes
    /// of 9 bits with a clear code every 254 pixels, so the code table never grows.
    /// </summary>
    public static byte[] Gif(int width, int height, params (byte R, byte G, byte B)[] frames)
    {
        var gif = new List<byte>();
        gif.AddRange("GIF89a"u8.ToArray());
        gif.AddRange([(byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0xF7, 0, 0]);
        for (int i = 0; i < 256; i++)
            gif.AddRange(i < frames.Length ? [frames[i].R, frames[i].G, frames[i].B] : [(byte)0, (byte)0, (byte)0]);
        for (int f = 0; f < frames.Length; f++)
        {
            gif.AddRange([0x21, 0xF9, 4, 0, 10, 0, 0, 0]); // graphic control: 0.1 s, no transparency
            gif.AddRange([0x2C, 0, 0, 0, 0, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0]);
            gif.Add(8);
            var codes = new List<int>();
            for (int p = 0; p < width * height; p++)
            {
                if (p % 254 == 0) codes.Add(256);
                codes.Add(f);
            }
            codes.Add(257);
            var bits = new List<byte>();
            int buffer = 0, count = 0;
            foreach (int code in codes)
            {
                buffer |= code << count;
                count += 9;
                while (count >= 8) { bits.Add((byte)buffer); buffer >>= 8; count -= 8; }
            }
            if (count > 0) bits.Add((byte)buffer);
            for (int i = 0; i < bits.Count; i += 255)
            {
                int n = Math.Min(255, bits.Count - i);
                gif.Add((byte)n);
                gif.AddRange(bits.GetRange(i, n));
            }
            gif.Add(0);
        }
        gif.Add(0x3B);
        return [.. gif];
    }

    /// <summary>A PNG header declaring <paramref name="width"/> × <paramref name="height"/>, with a little pixel data.</summary>
    public static byte[] PngClaiming(int width, int height)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        void Chunk(string type, byte[] data)
        {
            var typeBytes = Encoding.ASCII.GetBytes(type);
            ms.Write([(byte)(data.Length >> 24), (byte)(data.Length >> 16), (byte)(data.Length >> 8), (byte)data.Length]);
            ms.Write(typeBytes);
            ms.Write(data);
            uint crc = Crc32([.. typeBytes, .. data]);
            ms.Write([(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]);
        }
        Chunk("IHDR", [(byte)(width >> 24), (byte)(width >> 16), (byte)(width >> 8), (byte)width,
                       (byte)(height >> 24), (byte)(height >> 16), (byte)(height >> 8), (byte)height, 8, 2, 0, 0, 0]);
        using (var raw = new MemoryStream())
        {
            using (var z = new System.IO.Compression.ZLibStream(raw, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
                z.Write(new byte[100_000]);
            Chunk("IDAT", raw.ToArray());
        }
        Chunk("IEND", []);
        return ms.ToArray();
    }

    static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>The JPEG with an EXIF APP1 segment after its SOI that gives the orientation <paramref name="orientation"/>.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        byte[] tiff = [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1,
                       (byte)(orientation >> 8), (byte)orientation, 0, 0, 0, 0, 0, 0];
        byte[] payload = [.. "Exif\0\0"u8.ToArray(), .. tiff];
        int length = payload.Length + 2;
        return [jpeg[0], jpeg[1], 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload, .. jpeg[2..]];
    }

    /// <summary>Saves a model with fresh weights as a checkpoint at <paramref name="path"/>, with the statistics given.</summary>
    public static void Checkpoint(nn.Module model, string path, double[] mean, double[] std)
    {
        var info = new CheckpointInfo(ModelSummary.Signature(model), 1, 42, null, Training.Checkpoint.LibraryVersion, DateTime.UtcNow)
        {
            TrainImages = 10, Classes = ["airplane", "bird"], Mean = mean, Std = std,
        };
        Training.Checkpoint.Save(model, path, info);
    }
}

[Trait("Category", "Unit")]
public sealed class ImageInputTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("image-input-").FullName;

    public ImageInputTests() => TorchRuntime.Initialize();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    static Tensor Expected(byte[] rgb, int width, int height) =>
        tensor(rgb, [height, width, 3], ScalarType.Byte);

    [Theory]
    [InlineData("png")]
    [InlineData("webp")]
    [InlineData("bmp")]
    [InlineData("jpeg")]
    public void EachFormatDecodesToItsPixels(string format)
    {
        const int width = 48, height = 40;
        var rgb = Pictures.Gradient(width, height);
        byte[] file = format switch
        {
            "png" => Pictures.Encode(rgb, width, height, SKEncodedImageFormat.Png),
            "webp" => Pictures.Encode(rgb, width, height, SKEncodedImageFormat.Webp, quality: 100),
            "bmp" => Pictures.Bmp(rgb, width, height),
            _ => Pictures.Encode(rgb, width, height, SKEncodedImageFormat.Jpeg, quality: 100),
        };
        using var picture = ImageInput.Decode(Write("picture." + format, file));
        Assert.Equal([height, width, 3], picture.shape);
        using var expected = Expected(rgb, width, height);
        using var difference = (picture.to_type(ScalarType.Int32) - expected.to_type(ScalarType.Int32)).abs();
        // PNG and BMP are lossless; WebP at quality 100 and JPEG at quality 100 are lossy but close.
        int most = difference.max().item<int>();
        Assert.True(format is "png" or "bmp" ? most == 0 : most <= 24, $"{format}: a pixel differs by {most}");
    }

    [Fact]
    public void AGifGivesItsFirstFrame()
    {
        string path = Write("two-frames.gif", Pictures.Gif(40, 30, (200, 30, 30), (30, 30, 200)));
        using var picture = ImageInput.Decode(path);
        Assert.Equal([30, 40, 3], picture.shape);
        Assert.Equal([200, 30, 30], picture[15, 20].data<byte>().ToArray());
        using var image = ImageInput.Load(path);
        Assert.Equal([3, 32, 32], image.shape);
        Assert.Equal(200 / 255.0, image[0].mean().item<float>(), 4);
    }

    [Fact]
    public void AreaAveragingGivesBackAnImageEnlargedByAWholeFactor()
    {
        var rgb = Pictures.Gradient(32, 32);
        using var original = Expected(rgb, 32, 32);
        using var enlarged = original.repeat_interleave(7, 0).repeat_interleave(7, 1); // 224 × 224, each pixel a 7 × 7 block
        using var reduced = ImageInput.Resize(enlarged, 32);
        using var expected = original.permute(2, 0, 1).to_type(ScalarType.Float32).div(255);
        Assert.Equal([3, 32, 32], reduced.shape);
        Assert.True(reduced.allclose(expected, rtol: 0, atol: 1e-5));
        // Not a whole factor: 100 pixels into 32 bins still average to the right mean.
        using var odd = original.repeat_interleave(4, 0).repeat_interleave(4, 1).narrow(0, 0, 100).narrow(1, 0, 100).contiguous();
        using var oddReduced = ImageInput.Resize(odd, 32);
        Assert.Equal(odd.to_type(ScalarType.Float32).mean().item<float>() / 255, oddReduced.mean().item<float>(), 3);
    }

    [Fact]
    public void TheCentreSquareIsKept()
    {
        var rgb = Pictures.Gradient(64, 40);
        using var picture = Expected(rgb, 64, 40);
        using var square = ImageInput.CentreCrop(picture);
        Assert.Equal([40, 40, 3], square.shape);
        Assert.Equal(picture[0, 12].data<byte>().ToArray(), square[0, 0].data<byte>().ToArray());
        using var tall = picture.transpose(0, 1);
        using var tallSquare = ImageInput.CentreCrop(tall);
        Assert.Equal([40, 40, 3], tallSquare.shape);
        Assert.Equal(tall[12, 0].data<byte>().ToArray(), tallSquare[0, 0].data<byte>().ToArray());
    }

    [Fact]
    public void TheExifOrientationTurnsThePictureUpright()
    {
        const int width = 40, height = 20;
        var rgb = Pictures.Gradient(width, height);
        var jpeg = Pictures.Encode(rgb, width, height, SKEncodedImageFormat.Jpeg, quality: 100);
        using var stored = ImageInput.Decode(Write("plain.jpg", jpeg));
        Assert.Equal([height, width, 3], stored.shape);
        // 6: the camera was turned a quarter clockwise: shown turned 90° clockwise, 20 wide and 40 high, and the stored
        // picture's top-left corner is now at the top right.
        using var turned = ImageInput.Decode(Write("turned.jpg", Pictures.WithExifOrientation(jpeg, 6)));
        Assert.Equal([width, height, 3], turned.shape);
        Assert.Equal(stored[0, 0].data<byte>().ToArray(), turned[0, height - 1].data<byte>().ToArray());
        Assert.Equal(stored[height - 1, 0].data<byte>().ToArray(), turned[0, 0].data<byte>().ToArray());
    }

    [Fact]
    public void BadFilesAreRefusedWithTheirReason()
    {
        var good = Pictures.Encode(Pictures.Gradient(64, 64), 64, 64, SKEncodedImageFormat.Png);
        var cases = new (string Name, byte[]? Bytes, string Reason)[]
        {
            ("missing.png", null, "there is no such file"),
            ("empty.png", [], "the file is empty"),
            ("text.png", "not a picture, only text\n"u8.ToArray(), "it is not a picture"),
            ("truncated.png", good[..(good.Length / 2)], "truncated"),
            ("header-only.png", good[..20], "truncated"),
            ("absurd.png", Pictures.PngClaiming(100_000, 100_000), "declares 100000 × 100000 pixels, more than the limit of 40,000,000 pixels"),
        };
        foreach (var (name, bytes, reason) in cases)
        {
            string path = bytes is null ? Path.Combine(_dir, name) : Write(name, bytes);
            var e = Assert.Throws<ImageInputException>(() => ImageInput.Load(path));
            Assert.Contains(reason, e.Message);
        }
        var folder = Assert.Throws<ImageInputException>(() => ImageInput.Load(_dir));
        Assert.Contains("folder", folder.Message);
        // A smaller limit refuses a 64 × 64 picture.
        Assert.Contains("more than the limit of 1,000 pixels",
                        Assert.Throws<ImageInputException>(() => ImageInput.Load(Write("good.png", good), maxPixels: 1000)).Message);
    }

    [Fact]
    public void TheDeclaredSizeIsRefusedBeforeAnythingIsAllocatedForIt()
    {
        string path = Write("absurd.png", Pictures.PngClaiming(100_000, 100_000));
        ImageInput.Load(Write("warm.png", Pictures.Encode(Pictures.Gradient(8, 8), 8, 8, SKEncodedImageFormat.Png))).Dispose();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<ImageInputException>(() => ImageInput.Decode(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1 << 20, $"{allocated:N0} bytes allocated to refuse a 100000 × 100000 header");
        // 7,000 × 6,000 is 42 megapixels: over the default limit too.
        Assert.Contains("7000 × 6000", Assert.Throws<ImageInputException>(() => ImageInput.Decode(Write("big.png", Pictures.PngClaiming(7000, 6000)))).Message);
    }

    [Fact]
    public void NormalizeUsesTheGivenMeanAndStd()
    {
        using var image = full(3, 2, 2, 0.5f);
        using var normalized = ImageInput.Normalize(image, [0.5, 0.25, 0.0], [0.5, 0.25, 0.5]);
        Assert.Equal([0f, 1f, 1f], normalized[.., 0, 0].data<float>().ToArray());
        using var batch = ImageInput.Normalize(image.unsqueeze(0), [0.5, 0.25, 0.0], [0.5, 0.25, 0.5]);
        Assert.Equal([1, 3, 2, 2], batch.shape);
        Assert.Throws<ArgumentException>(() => ImageInput.Normalize(image, [0.5], [0.5]));
    }
}

[Trait("Category", "Unit")]
public sealed class ClassifierTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("classifier-").FullName;

    public ClassifierTests() => TorchRuntime.Initialize();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AFullyConnectedCheckpointClassifiesAFileWithNoDataSet()
    {
        manual_seed(1);
        string checkpoint = Path.Combine(_dir, "fc");
        using (var model = FullyConnected.Create()) Pictures.Checkpoint(model, checkpoint, [0.49, 0.48, 0.45], [0.25, 0.24, 0.26]);
        string picture = Path.Combine(_dir, "picture.jpg");
        File.WriteAllBytes(picture, Pictures.Encode(Pictures.Gradient(300, 200), 300, 200, SKEncodedImageFormat.Jpeg, 90));

        using var classifier = Classifier.Load(checkpoint);
        Assert.True(classifier.Flatten);
        Assert.False(classifier.Model.training);
        Assert.Equal(["airplane", "bird"], classifier.Classes);
        var prediction = classifier.Classify(picture);
        Assert.Equal(1.0, prediction.Probabilities.Sum(), 5);
        Assert.Matches(@"^airplane \d\.\d{4}, bird \d\.\d{4} -> (airplane|bird)$", prediction.ToString());

        // The same as the steps by hand: load, crop, resize, normalise with the recorded statistics, forward, exp.
        using var image = ImageInput.Load(picture);
        using var input = ImageInput.Normalize(image, classifier.Info.Mean!, classifier.Info.Std!);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var byHand = classifier.Model.forward(input.reshape(1, -1)).exp()[0].to_type(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(byHand, prediction.Probabilities.ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void TheCheckpointsRecordedStatisticsAreTheOnesUsed()
    {
        manual_seed(2);
        string checkpoint = Path.Combine(_dir, "fc");
        using (var model = FullyConnected.Create()) Pictures.Checkpoint(model, checkpoint, [0.49, 0.48, 0.45], [0.25, 0.24, 0.26]);
        using var image = ImageInput.Resize(tensor(Pictures.Gradient(32, 32), [32, 32, 3], ScalarType.Byte));
        double[] before, after;
        using (var classifier = Classifier.Load(checkpoint)) before = [.. classifier.Classify(image).Probabilities];
        // Another mean in the metadata (the weights' hash still matches): other probabilities.
        var json = JsonNode.Parse(File.ReadAllText(checkpoint + ".json"))!;
        json["Mean"] = new JsonArray(0.1, 0.2, 0.3);
        File.WriteAllText(checkpoint + ".json", json.ToJsonString());
        using (var classifier = Classifier.Load(checkpoint))
        {
            Assert.Equal([0.1, 0.2, 0.3], classifier.Info.Mean);
            after = [.. classifier.Classify(image).Probabilities];
        }
        Assert.True(Math.Abs(before[0] - after[0]) > 1e-4, $"the probabilities did not change: {before[0]} and {after[0]}");
        // No statistics recorded: refused, with what to do.
        json.AsObject().Remove("Mean");
        File.WriteAllText(checkpoint + ".json", json.ToJsonString());
        Assert.Contains("train and save the model again", Assert.Throws<CheckpointException>(() => Classifier.Load(checkpoint)).Message);
    }

    [Fact]
    public void AConvNetCheckpointLoadsAsTheCnnAndItsLogitsBecomeProbabilities()
    {
        manual_seed(3);
        string checkpoint = Path.Combine(_dir, "cnn");
        using (var model = new ConvNet()) Pictures.Checkpoint(model, checkpoint, [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]);
        using var classifier = Classifier.Load(checkpoint);
        Assert.False(classifier.Flatten);
        Assert.IsType<ConvNet>(classifier.Model);
        using var batch = rand(5, 3, 32, 32);
        using var probabilities = classifier.Probabilities(batch);
        Assert.Equal([5, 2], probabilities.shape);
        Assert.True(probabilities.sum(1).allclose(ones(5), atol: 1e-5));
        // A checkpoint of neither model is refused.
        using (var other = nn.Linear(3, 2)) Pictures.Checkpoint(other, Path.Combine(_dir, "other"), [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]);
        Assert.Contains("neither", Assert.Throws<CheckpointException>(() => Classifier.Load(Path.Combine(_dir, "other"))).Message);
        Assert.Contains("no checkpoint", Assert.Throws<CheckpointException>(() => Classifier.Load(Path.Combine(_dir, "none"))).Message);
    }
}

/// <summary>
/// notebooks/classify.cs, built once into a temporary folder (<c>--artifacts-path</c>), with a checkpoint trained here
/// for 5 epochs (agreement between a picture and its enlarged files needs no fully trained model), and 400 enlarged
/// validation images: 200 PNG and 200 JPEG, written as notebook 13 writes them.
/// </summary>
public sealed class ClassifyTool : IDisposable
{
    readonly RealData _data = new();

    public ClassifyTool()
    {
        Repo = RepoRoot.Find();
        Root = Directory.CreateTempSubdirectory("classify-tool-").FullName;
        Checkpoint = Path.Combine(Root, "models", "fc");
        var (cifar2, _, stats) = NormalizedSubset.Load(_data.RequireRoot(), new Dictionary<int, int> { [0] = 0, [2] = 1 }, download: false, log: TextWriter.Null);
        var (model, _) = ArticleRecipe.Train(cifar2, seed: 42, epochs: 5);
        Training.Checkpoint.Save(model, Checkpoint, CheckpointInfo.For(model, 5, 42, cifar2, stats));
        model.Dispose();
        cifar2.Dispose();

        using var val = new Cifar10Dataset(_data.Root, train: false, download: false, log: TextWriter.Null);
        using var val2 = val.Subset(new Dictionary<int, int> { [0] = 0, [2] = 1 });
        using var classifier = Classifier.Load(Checkpoint);
        using var originals = val2.Images.narrow(0, 0, Count).to_type(ScalarType.Float32).div(255);
        using var probabilities = classifier.Probabilities(originals);
        using var labels = probabilities.argmax(1);
        OriginalPredictions = [.. labels.data<long>().ToArray().Select(l => classifier.Classes[(int)l])];
        foreach (var (format, extension) in new[] { (SKEncodedImageFormat.Png, "png"), (SKEncodedImageFormat.Jpeg, "jpg") })
        {
            var files = new List<string>();
            for (int i = 0; i < Count; i++)
            {
                string path = Path.Combine(Root, "pictures", $"val-{i:000}.{extension}");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using var hwc = val2.Images[i].permute(1, 2, 0).contiguous();
                using var small = Pictures.Bitmap(hwc.data<byte>().ToArray(), 32, 32);
                using var large = small.Resize(new SKImageInfo(224, 224), SKFilterQuality.High);
                using var encoded = large.Encode(format, 90);
                File.WriteAllBytes(path, encoded.ToArray());
                files.Add(path);
            }
            Upscaled[extension] = files;
        }
        Build = Run(["--help"], TimeSpan.FromMinutes(10));
    }

    public const int Count = 200;
    public string Repo { get; }
    public string Root { get; }
    public string Checkpoint { get; }
    public IReadOnlyList<string> OriginalPredictions { get; }
    public Dictionary<string, List<string>> Upscaled { get; } = [];
    public ExecResult Build { get; }

    /// <summary>Runs <c>dotnet run notebooks/classify.cs -- ARGUMENTS</c> from the repository's root.</summary>
    public ExecResult Run(IEnumerable<string> arguments, TimeSpan? timeout = null) =>
        Exec.Run("dotnet", ["run", "--artifacts-path", Path.Combine(Root, "build"), "notebooks/classify.cs", "--", .. arguments],
                 timeout ?? TimeSpan.FromMinutes(2), Repo);

    public void Dispose()
    {
        _data.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        // What the SDK keeps for a file-based app even with --artifacts-path: its folders whose files name this build.
        string cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "dotnet", "runfile");
        if (!Directory.Exists(cache)) return;
        foreach (var folder in Directory.GetDirectories(cache))
        {
            try
            {
                if (Directory.GetFiles(folder).Any(f => new FileInfo(f).Length < 1 << 20 && File.ReadAllText(f).Contains(Root, StringComparison.Ordinal)))
                    Directory.Delete(folder, recursive: true);
            }
            catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

[Trait("Category", "RealData")]
public partial class ClassifyToolTests(ClassifyTool tool) : IClassFixture<ClassifyTool>
{
    /// <summary>The tool's line for each file, from standard output: "FILE: airplane 0.1234, bird 0.8766 -> bird".</summary>
    static Dictionary<string, Match> Lines(string stdout) =>
        ResultLine().Matches(stdout).ToDictionary(m => m.Groups[1].Value);

    [Fact]
    public void EnlargedPngAndJpegFilesGetThePredictionsOfTheir32By32Originals()
    {
        Assert.True(tool.Build.ExitCode == 0, tool.Build.Output);
        foreach (var (extension, files) in tool.Upscaled)
        {
            var clock = Stopwatch.StartNew();
            var run = tool.Run(["--checkpoint", tool.Checkpoint, .. files]);
            var seconds = clock.Elapsed.TotalSeconds;
            Assert.True(run.ExitCode == 0, run.Output);
            var lines = Lines(run.Stdout);
            Assert.Equal(files.Count, lines.Count);
            int agree = files.Select((f, i) => lines[f].Groups[4].Value == tool.OriginalPredictions[i]).Count(same => same);
            Assert.True(files.Count >= 200 && agree >= 0.95 * files.Count, $"{extension}: {agree} of {files.Count} agree");
            // Each line's two probabilities add up to 1, and the choice is the larger one.
            foreach (var m in lines.Values)
            {
                double airplane = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), bird = double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
                Assert.Equal(1.0, airplane + bird, 3);
                Assert.Equal(bird > airplane ? "bird" : "airplane", m.Groups[4].Value);
            }
            Assert.True(seconds < 20, $"{files.Count} {extension} files took {seconds:F1} s after the build");
        }
    }

    [Fact]
    public void EachBadFileGetsOneLineOnStandardErrorAndTheOthersAreStillClassified()
    {
        string dir = Path.Combine(tool.Root, "bad-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var good = Pictures.Encode(Pictures.Gradient(64, 64), 64, 64, SKEncodedImageFormat.Png);
        string Write(string name, byte[] bytes) { string p = Path.Combine(dir, name); File.WriteAllBytes(p, bytes); return p; }
        var bad = new (string Path, string Reason)[]
        {
            (Path.Combine(dir, "missing.jpg"), "there is no such file"),
            (Write("notes.png", "these are notes, not a picture\n"u8.ToArray()), "it is not a picture"),
            (Write("truncated.png", good[..(good.Length / 2)]), "truncated"),
            (Write("absurd.png", Pictures.PngClaiming(100_000, 100_000)), "its header declares 100000 × 100000 pixels, more than the limit"),
        };
        string first = Write("first.png", good), last = tool.Upscaled["jpg"][0];
        var run = tool.Run(["--checkpoint", tool.Checkpoint, first, .. bad.Select(b => b.Path), last]);
        Assert.Equal(1, run.ExitCode);
        var lines = Lines(run.Stdout);
        Assert.Equal([first, last], lines.Keys.ToArray());
        var errors = run.Stderr.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        foreach (var (path, reason) in bad)
        {
            var mine = errors.Where(l => l.StartsWith(path + ": ", StringComparison.Ordinal)).ToList();
            Assert.True(mine.Count == 1, $"{path}: {mine.Count} lines on standard error:\n{run.Stderr}");
            Assert.Contains(reason, mine[0]);
        }
        Assert.Equal(bad.Length, errors.Count);
    }

    [Fact]
    public void TheAbsurdHeaderCostsNoMemory()
    {
        string dir = Path.Combine(tool.Root, "peak-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string absurd = Path.Combine(dir, "absurd.png");
        File.WriteAllBytes(absurd, Pictures.PngClaiming(100_000, 100_000));
        string good = tool.Upscaled["png"][0];
        static long Peak(ExecResult run) =>
            long.Parse(Regex.Match(run.Stderr, @"^VmHWM:\s+(\d+) kB", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value
                       : throw new InvalidOperationException("no VmHWM line:\n" + run.Output), CultureInfo.InvariantCulture) * 1024;
        var alone = tool.Run(["--checkpoint", tool.Checkpoint, "--report-peak", good]);
        var withAbsurd = tool.Run(["--checkpoint", tool.Checkpoint, "--report-peak", absurd, good]);
        Assert.Equal(0, alone.ExitCode);
        Assert.Equal(1, withAbsurd.ExitCode);
        long peakAlone = Peak(alone), peakWithAbsurd = Peak(withAbsurd);
        // 100000 × 100000 pixels would take 40 GB to decode; the refusal adds less than 64 MB to the peak.
        Assert.True(peakWithAbsurd < peakAlone + (64L << 20), $"peak {peakWithAbsurd >> 20} MB with the absurd file, {peakAlone >> 20} MB without");
        Assert.True(peakWithAbsurd < 1L << 30, $"peak {peakWithAbsurd >> 20} MB");
    }

    [Fact]
    public void TheCheckpointsRecordedStatisticsChangeTheOutput()
    {
        string copy = Path.Combine(tool.Root, "stats-" + Guid.NewGuid().ToString("N"), "fc");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(tool.Checkpoint + ".bin", copy + ".bin");
        var json = JsonNode.Parse(File.ReadAllText(tool.Checkpoint + ".json"))!;
        json["Mean"] = new JsonArray(0.2, 0.2, 0.2);
        json["Std"] = new JsonArray(0.5, 0.5, 0.5);
        File.WriteAllText(copy + ".json", json.ToJsonString());
        var files = tool.Upscaled["png"].Take(20).ToList();
        var recorded = Lines(tool.Run(["--checkpoint", tool.Checkpoint, .. files]).Stdout);
        var changed = Lines(tool.Run(["--checkpoint", copy, .. files]).Stdout);
        Assert.Equal(files.Count, recorded.Count);
        Assert.Equal(files.Count, changed.Count);
        int different = files.Count(f => recorded[f].Value != changed[f].Value);
        Assert.True(different == files.Count, $"only {different} of {files.Count} lines changed with other statistics");
    }

    [Fact]
    public void WithoutACheckpointItSaysWhichCommandTrainsOne()
    {
        var run = tool.Run(["--checkpoint", Path.Combine(tool.Root, "nowhere", "fc"), tool.Upscaled["png"][0]]);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("dotnet run notebooks/en/08-training.cs", run.Stderr);
        Assert.Empty(Lines(run.Stdout));
        var cnn = tool.Run(["--model", "cnn", "--checkpoint", Path.Combine(tool.Root, "nowhere", "cnn"), tool.Upscaled["png"][0]]);
        Assert.Contains("dotnet run notebooks/en/11-convolutional-network.cs", cnn.Stderr);
        var usage = tool.Run(["--model", "resnet", "x.png"]);
        Assert.Equal(2, usage.ExitCode);
    }

    [GeneratedRegex(@"^(.+): airplane (\d\.\d{4}), bird (\d\.\d{4}) -> (airplane|bird)\r?$", RegexOptions.Multiline)]
    private static partial Regex ResultLine();
}
