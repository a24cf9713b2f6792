using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Runtime;
using CifarHelpers.Training;
using Tools.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace CifarHelpers.Tests;

/// <summary>Faults a real user meets, provoked on purpose: each must end with a clear message and no data lost.</summary>
public class ReliabilityTests : IDisposable
{
    readonly TestFiles _files = new();

    public ReliabilityTests() => TorchRuntime.Initialize();

    string Root => _files.PathOf("root");

    static string RealArchive() => RealData.Archive();

    static (int ExitCode, string Output) Finish(Exec process, TimeSpan limit)
    {
        var result = process.Finish(limit);
        if (result.TimedOut) throw new TimeoutException("The child process did not finish:\n" + result.Output);
        return (result.ExitCode, result.Output);
    }

    [Fact]
    [Trait("Category", "RealData")]
    public void TwoProcessesPreparingOneRootTakeTurnsAndBothEndVerified()
    {
        string archive = RealArchive();
        using var first = ChildProcess.Prepare(Root, null, archive, download: false, _files.Dir);
        using var second = ChildProcess.Prepare(Root, null, archive, download: false, _files.Dir);
        var a = Finish(first, TimeSpan.FromMinutes(3));
        var b = Finish(second, TimeSpan.FromMinutes(3));

        Assert.True(a.ExitCode == 0, a.Output);
        Assert.True(b.ExitCode == 0, b.Output);
        string both = a.Output + b.Output;
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(both, "Extracted and verified 6 files"));
        Assert.Contains("Files already downloaded and verified", both);
        foreach (var (file, md5) in Cifar10Format.FileMd5)
        {
            using var stream = File.OpenRead(Path.Combine(Root, Cifar10Format.BatchesFolder, file));
            Assert.Equal(md5, Convert.ToHexStringLower(MD5.HashData(stream)));
        }
    }

    [Fact]
    [Trait("Category", "RealData")]
    public void AKillDuringExtractionLeavesNothingTrustedAndTheNextRunSucceeds()
    {
        string archive = RealArchive();
        using var child = ChildProcess.Prepare(Root, null, archive, download: false, _files.Dir);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!(Directory.Exists(Root) && Directory.GetDirectories(Root, ".extract-*").Any(d =>
                   Directory.GetFiles(d, "*", SearchOption.AllDirectories).Any(f => new FileInfo(f).Length > 0))))
        {
            Assert.True(DateTime.UtcNow < deadline, "the extraction never started");
            Thread.Sleep(20);
        }
        child.Kill(); // SIGKILL

        Assert.False(File.Exists(Path.Combine(Root, Cifar10Format.BatchesFolder, ".verified")));
        Assert.NotEmpty(Directory.GetDirectories(Root, ".extract-*"));

        var log = new StringWriter();
        new Cifar10Store(Root, log: log) { ArchiveFromEnvironment = false }.Prepare(download: false, archive);
        Assert.Contains("left by an interrupted run", log.ToString());
        Assert.Contains("Extracted and verified 6 files", log.ToString());
        Assert.Empty(Directory.GetDirectories(Root, ".extract-*"));
    }

    [Fact]
    [Trait("Category", "Unit")]
    public void AKillDuringDownloadIsResumedAndOnlyTheVerifiedFileIsTrusted()
    {
        var (spec0, _) = _files.SmallSet();
        var big = new Dictionary<string, byte[]>
        {
            ["train_1.bin"] = TestFiles.Records(200, 1), ["train_2.bin"] = TestFiles.Records(150, 2), ["test.bin"] = TestFiles.Records(100, 3),
        };
        byte[] archive = File.ReadAllBytes(_files.Archive("served.tar.gz", big));
        var spec = spec0 with
        {
            Md5 = big.ToDictionary(kv => kv.Key, kv => Convert.ToHexStringLower(MD5.HashData(kv.Value))),
            ArchiveMd5 = Convert.ToHexStringLower(MD5.HashData(archive)),
        };
        string part = Path.Combine(Root, Cifar10Format.ArchiveName + ".part");

        using (var slow = new LoopbackServer(archive, chunkDelay: TimeSpan.FromMilliseconds(40)))
        {
            using var child = ChildProcess.Prepare(Root, spec with { Url = slow.Url }, null, download: true, _files.Dir);
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (!(File.Exists(part) && new FileInfo(part).Length > 50_000))
            {
                Assert.True(DateTime.UtcNow < deadline, "the download never started");
                Thread.Sleep(20);
            }
            child.Kill(); // SIGKILL
        }
        long kept = new FileInfo(part).Length;
        Assert.InRange(kept, 50_000, archive.Length - 1);
        Assert.False(File.Exists(Path.Combine(Root, Cifar10Format.ArchiveName)));
        Assert.False(Directory.Exists(Path.Combine(Root, Cifar10Format.BatchesFolder)));

        using var fast = new LoopbackServer(archive);
        using var http = new HttpClient();
        new Cifar10Store(Root, spec with { Url = fast.Url }, TextWriter.Null, http) { ArchiveFromEnvironment = false }.Prepare(download: true);
        Assert.Equal($"bytes={kept}-", Assert.Single(fast.RangesSeen));
        Assert.Equal(archive, File.ReadAllBytes(Path.Combine(Root, Cifar10Format.ArchiveName)));
        Assert.Equal(big["test.bin"], File.ReadAllBytes(Path.Combine(Root, Cifar10Format.BatchesFolder, "test.bin")));
    }

    [SkippableFact]
    [Trait("Category", "Root")]
    public void AReadOnlyRootGivesAClearErrorNamingThePath()
    {
        Requires.Root("it mounts a small tmpfs");
        var (spec, files) = _files.SmallSet();
        string archive = _files.Archive("a.tar.gz", files);
        Directory.CreateDirectory(Root);
        using var mount = TinyMount.Create(Root, readOnly: true);

        var e = Assert.Throws<DataFolderException>(() =>
            new Cifar10Store(Root, spec, TextWriter.Null) { ArchiveFromEnvironment = false }.Prepare(false, archive));
        Assert.Contains(Root, e.Message);
        Assert.Contains("Make it writable", e.Message);
    }

    [SkippableFact]
    [Trait("Category", "Root")]
    public void AFullDiskGivesAClearErrorAndLeavesNothingHalfWritten()
    {
        Requires.Root("it mounts a small tmpfs");
        var (spec0, _) = _files.SmallSet();
        var big = new Dictionary<string, byte[]>
        {
            ["train_1.bin"] = TestFiles.Records(400, 1), ["train_2.bin"] = TestFiles.Records(400, 2), ["test.bin"] = TestFiles.Records(100, 3),
        };
        var spec = spec0 with { Md5 = big.ToDictionary(kv => kv.Key, kv => Convert.ToHexStringLower(MD5.HashData(kv.Value))) };
        string archive = _files.Archive("big.tar.gz", big); // about 2.8 MB once extracted
        Directory.CreateDirectory(Root);
        using var mount = TinyMount.Create(Root, readOnly: false, sizeKb: 1024);

        var e = Assert.Throws<DataFolderException>(() =>
            new Cifar10Store(Root, spec, TextWriter.Null) { ArchiveFromEnvironment = false }.Prepare(false, archive));
        Assert.Contains(Root, e.Message);
        Assert.Contains("free some space", e.Message);
        Assert.False(Directory.Exists(Path.Combine(Root, Cifar10Format.BatchesFolder)));
        Assert.Empty(Directory.GetDirectories(Root, ".extract-*"));
    }

    [Fact]
    [Trait("Category", "Unit")]
    public void FuzzedArchivesAndRecordsGiveOnlyTheDocumentedErrors()
    {
        var (spec, files) = _files.SmallSet();
        byte[] valid = File.ReadAllBytes(_files.Archive("valid.tar.gz", files));
        byte[] validTar = Decompress(valid);
        // A fixed number of cases from a fixed seed: a failure names its case, and the same run reproduces it.
        var random = new Random(20261126);
        long memoryBefore = Process.GetCurrentProcess().WorkingSet64;
        string sandbox = _files.PathOf("fuzz");
        Directory.CreateDirectory(sandbox);

        for (int cases = 1; cases <= FuzzCases; cases++)
        {
            byte[] candidate = (cases % 4) switch
            {
                0 => RandomBytes(random, random.Next(0, 4096)),
                1 => Mutate(random, valid),
                2 => Gzip(Mutate(random, validTar)),
                _ => Gzip(HugeEntryHeader(random)),
            };
            string archive = Path.Combine(_files.Dir, $"case-{cases}.tar.gz");
            File.WriteAllBytes(archive, candidate);
            string target = Path.Combine(sandbox, $"t{cases}");
            var extracted = Record.Exception(() => SafeTarExtractor.Extract(archive, target));
            Assert.True(extracted is null or InvalidDataException or UnsafeEntryException, $"case {cases}: the extractor threw {extracted}");
            File.Delete(archive);

            byte[] bin = cases % 2 == 0 ? RandomBytes(random, random.Next(0, 4 * 3073)) : TestFiles.Records(random.Next(1, 4), cases);
            if (cases % 3 == 0 && bin.Length > 0) bin[random.Next(bin.Length) / 3073 * 3073] = (byte)random.Next(10, 256);
            string binPath = _files.Write($"case-{cases}.bin", bin);
            var read = Record.Exception(() =>
            {
                var (images, labels) = Cifar10Reader.Read([binPath]);
                images.Dispose();
                labels.Dispose();
            });
            Assert.True(read is null or InvalidDataException, $"case {cases}: the reader threw {read}");
            File.Delete(binPath);
        }

        // Nothing landed outside the folders given to the extractor.
        Assert.All(Directory.GetFileSystemEntries(sandbox), e => Assert.Matches(@"[/\\]t\d+$", e));
        Assert.DoesNotContain(Directory.GetFiles(_files.Dir), f => !f.EndsWith("valid.tar.gz", StringComparison.Ordinal));
        Assert.InRange(Process.GetCurrentProcess().WorkingSet64 - memoryBefore, long.MinValue, 300L << 20);
    }

    /// <summary>How many fuzzed archives (and as many record files) <see cref="FuzzedArchivesAndRecordsGiveOnlyTheDocumentedErrors"/> tries.</summary>
    const int FuzzCases = 400;

    [Fact]
    [Trait("Category", "Unit")]
    public void BadCheckpointsGiveClearErrorsAndTheRecipeTrainsAfreshAndSaysSo()
    {
        string path = _files.PathOf("models/fc");
        manual_seed(1);
        using var model = FullyConnected.Create();
        using var unused = new ImageDataset(randn(1, 3, 32, 32), zeros(1, dtype: ScalarType.Int64), ["airplane", "bird"]);
        var stats = new ChannelStats([0.1, 0.2, 0.3], [0.4, 0.5, 0.6]);
        var info = CheckpointInfo.For(model, epochs: 3, seed: 1, unused, stats, validationAccuracy: 0.5);
        Checkpoint.Save(model, path, info);
        Assert.Equal([path + ".bin", path + ".json"], Directory.GetFiles(_files.PathOf("models")).Order());

        // A good checkpoint loads, and the recipe says so once: in the source it returns, not on its log as well.
        var quiet = new StringWriter();
        var (loaded, loadedFrom) = ArticleRecipe.LoadOrTrain(unused, stats, path, seed: 1, epochs: 3, log: quiet);
        loaded.Dispose();
        Assert.Equal($"Loaded {path}.bin: 3 epochs, seed 1, validation accuracy 0.5000", loadedFrom);
        Assert.Equal("", quiet.ToString());

        // A checkpoint of another run is refused with one line that says why, and the recipe trains instead.
        foreach (var (epochs, seed, otherStats, reason) in new[]
                 {
                     (100, 1L, stats, "it was trained for 3 epochs, not 100"),
                     (3, 42L, stats, "it was trained from seed 1, not 42"),
                     (3, 1L, new ChannelStats([0.5, 0.2, 0.3], [0.4, 0.5, 0.6]), "its images were normalised with mean (0.1000, 0.2000, 0.3000)"),
                 })
        {
            var refusal = new StringWriter();
            var (fresh, freshFrom) = ArticleRecipe.LoadOrTrain(unused, otherStats, path, seed, epochs, log: refusal);
            fresh.Dispose();
            string line = Assert.Single(refusal.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"Not using {path}.bin: {reason}", line);
            Assert.EndsWith($"; training a model here instead ({epochs} epochs).", line.TrimEnd());
            Assert.StartsWith($"Trained here for {epochs} epochs", freshFrom);
        }

        using (var copy = FullyConnected.Create())
        {
            var back = Checkpoint.Load(copy, path);
            Assert.Equal(info with { Classes = null, Mean = null, Std = null }, back with { Classes = null, Mean = null, Std = null });
            Assert.Equal(stats.Mean, back.Mean);
            Assert.True(copy.parameters().First().allclose(model.parameters().First()));
        }

        var other = Assert.Throws<CheckpointException>(() => Checkpoint.Load(new ConvNet(), path));
        Assert.Contains("holds a model with the parameters 0.weight[512,3072]", other.Message);

        using (var wider = FullyConnected.Create(hidden: 256))
            Assert.IsType<CheckpointException>(Record.Exception(() => Checkpoint.Load(wider, path)));

        byte[] weights = File.ReadAllBytes(path + ".bin");
        File.WriteAllBytes(path + ".bin", weights[..(weights.Length / 2)]);
        var truncated = Assert.Throws<CheckpointException>(() => Checkpoint.Load(FullyConnected.Create(), path));
        Assert.Contains("does not match its metadata", truncated.Message);

        File.WriteAllBytes(path + ".bin", Encoding.UTF8.GetBytes("not a checkpoint at all"));
        Assert.Throws<CheckpointException>(() => Checkpoint.Load(FullyConnected.Create(), path));
        File.WriteAllText(path + ".json", "{ nope");
        Assert.Throws<CheckpointException>(() => Checkpoint.TryReadInfo(path));

        using var tiny = new ImageDataset(randn(64, 3, 32, 32), zeros(64, dtype: ScalarType.Int64), ["airplane", "bird"]);
        var log = new StringWriter();
        var (trained, source) = ArticleRecipe.LoadOrTrain(tiny, stats, path, seed: 1, epochs: 1, log: log);
        trained.Dispose();
        Assert.Contains("The checkpoint cannot be used", log.ToString());
        Assert.StartsWith("Trained here", source);
    }

    [Fact]
    [Trait("Category", "Unit")]
    public void ADivergingRunStopsAndNamesTheEpochAndBatch()
    {
        // With lr = 10 (and even 1e30) this model does not reach a NaN: tanh saturates, log-softmax stays finite,
        // and the loss only grows. A NaN that reaches the loss, here one bad pixel in the third batch, must stop it.
        manual_seed(3);
        var images = randn(256, 3, 32, 32);
        images[130, 1, 5, 5] = tensor(float.NaN);
        using var data = new ImageDataset(images, arange(256, dtype: ScalarType.Int64).remainder(2), ["a", "b"]);
        using var model = FullyConnected.Create();
        using var loader = new BatchLoader(data, 64);
        var trainer = new Trainer(model, optim.SGD(model.parameters(), 10.0), nn.NLLLoss());

        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(loader, 50));
        Assert.Contains("at epoch 0, batch 3", e.Message);
        Assert.Equal((0, 3), (e.Epoch, e.Batch)); // epochs from 0, as the article counts them; batches from 1
        Assert.Contains("Lower the learning rate", e.Message);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void LongRunsKeepTensorsAndMemoryFlat()
    {
        // In a child process: the test host's own RSS moves with the tests that run beside this one.
        using var child = ChildProcess.LongRun();
        var (exitCode, output) = Finish(child, TimeSpan.FromMinutes(5));
        Assert.True(exitCode == 0, output);
        var figures = output.Split('\n').Select(l => l.Split(": ")).Where(p => p.Length == 2)
                            .ToDictionary(p => p[0], p => double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));

        // Over 100 epochs: no tensor handle is left behind, and RSS stays flat.
        Assert.Equal(figures["live_epoch10"], figures["live_epoch100"]);
        Assert.InRange(figures["rss_epoch100_mb"] - figures["rss_epoch10_mb"], double.MinValue, 50);
        // Over ten back-to-back runs, as a notebook user re-running a cell: the same.
        Assert.Equal(figures["live_before_runs"], figures["live_after_runs"]);
        Assert.InRange(figures["rss_after_runs_mb"] - figures["rss_before_runs_mb"], double.MinValue, 50);
    }

    /// <summary>The long run itself, in the child process: prints its figures as "name: value" lines.</summary>
    internal static void LongRun()
    {
        TorchRuntime.Initialize();
        manual_seed(5);
        using var data = new ImageDataset(randn(640, 3, 32, 32), arange(640, dtype: ScalarType.Int64).remainder(2), ["a", "b"]);
        var figures = new Dictionary<string, double>();
        var (model, _) = ArticleRecipe.Train(data, seed: 5, epochs: 100, onEpoch: r =>
        {
            if (r.Epoch + 1 is 10 or 100) // epochs count from 0: after the 10th and the 100th
            {
                figures[$"rss_epoch{r.Epoch + 1}_mb"] = Rss();
                figures[$"live_epoch{r.Epoch + 1}"] = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            }
        });
        model.Dispose();

        figures["live_before_runs"] = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        figures["rss_before_runs_mb"] = Rss();
        for (int run = 0; run < 10; run++)
            ArticleRecipe.Train(data, seed: run, epochs: 3).Model.Dispose();
        figures["live_after_runs"] = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        figures["rss_after_runs_mb"] = Rss();
        foreach (var (name, value) in figures)
            Console.WriteLine(FormattableString.Invariant($"{name}: {value}"));
    }

    static double Rss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0]) / 1024.0;
        throw new InvalidOperationException("no VmRSS");
    }

    static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    static byte[] Mutate(Random random, byte[] source)
    {
        var bytes = (byte[])source.Clone();
        int flips = random.Next(1, 20);
        for (int i = 0; i < flips; i++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        return random.Next(3) == 0 ? bytes[..random.Next(bytes.Length)] : bytes;
    }

    static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(bytes);
        return output.ToArray();
    }

    static byte[] Decompress(byte[] gz)
    {
        using var input = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>A ustar header that claims an entry of up to 8 GB, followed by a little data.</summary>
    static byte[] HugeEntryHeader(Random random)
    {
        var header = new byte[512 + 1024];
        Encoding.ASCII.GetBytes("cifar-10-batches-bin/huge.bin").CopyTo(header, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 116);
        string size = Convert.ToString(random.NextInt64(1L << 27, 1L << 33), 8).PadLeft(11, '0');
        Encoding.ASCII.GetBytes(size + "\0").CopyTo(header, 124);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 136);
        header[156] = (byte)'0';
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(header, 257);
        for (int i = 148; i < 156; i++) header[i] = (byte)' ';
        int sum = header.Take(512).Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
        return header;
    }

    public void Dispose() => _files.Dispose();
}

/// <summary>A small tmpfs mounted over a folder (read-only, or of a given size), unmounted on dispose.</summary>
sealed class TinyMount : IDisposable
{
    readonly string _path;

    TinyMount(string path) => _path = path;

    public static TinyMount Create(string path, bool readOnly, int sizeKb = 256)
    {
        string options = $"size={sizeKb}k" + (readOnly ? ",ro" : "");
        Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", path);
        return new TinyMount(path);
    }

    /// <summary>Mounts <paramref name="source"/> over <paramref name="path"/> read-only (a bind mount): even root cannot write it.</summary>
    public static TinyMount BindReadOnly(string source, string path)
    {
        Run("mount", "--bind", source, path);
        try
        {
            Run("mount", "-o", "remount,bind,ro", path);
        }
        catch
        {
            Run("umount", path);
            throw;
        }
        return new TinyMount(path);
    }

    static void Run(params string[] command)
    {
        var result = Exec.Run(command[0], command[1..], TimeSpan.FromMinutes(1));
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"'{string.Join(' ', command)}' failed ({result.Stderr.Trim()}): this test mounts a small tmpfs and needs root.");
    }

    public void Dispose() => Run("umount", _path);
}
