using System.Formats.Tar;
using System.IO.Compression;
using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Runtime;
using CifarHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CifarHelpers.Tests;

/// <summary>Files the library used to trust without a check: the patched native copy, checkpoints, archives.</summary>
[Trait("Category", "Unit")]
public class TrustTests : IDisposable
{
    readonly TestFiles _files = new();

    public TrustTests() => TorchRuntime.Initialize();

    static string Shipped()
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("This test reads the Linux native library.");
        return NativeLocations.Find(typeof(torch).Assembly).LibTorchSharp;
    }

    [Fact]
    public void OnlyTheMarkerSymbolBindsTheMarkerVersion()
    {
        string shipped = Shipped();
        var bound = ElfVersionNeeds.SymbolsBoundTo(File.ReadAllBytes(shipped), TorchRuntime.MarkerVersion, shipped);
        Assert.Equal([TorchRuntime.MarkerSymbol], bound);
    }

    [Fact]
    public void ALibraryWithARealSymbolOfTheMarkerVersionIsNotPatched()
    {
        string shipped = Shipped();
        byte[] elf = File.ReadAllBytes(shipped);
        var need = ElfVersionNeeds.Read(elf, shipped).Single(n => n.Version == TorchRuntime.MarkerVersion);
        // Bind one more undefined libstdc++ symbol to the marker version, as a library that really used GCC 13 would.
        var victim = ElfVersionNeeds.Symbols(elf, shipped).First(s => s.Name.StartsWith("_ZNSt", StringComparison.Ordinal) && s.Version > 1);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan((int)victim.VersionOffset), need.Index);
        string crafted = _files.Write("crafted/libLibTorchSharp.so", elf);

        var e = Assert.Throws<TorchLoadException>(() => TorchRuntime.PatchedCopy(crafted, _files.PathOf("cache")));
        Assert.Contains(victim.Name, e.Message);
        Assert.Contains("GCC 13", e.Message);
        Assert.False(Directory.Exists(_files.PathOf("cache/natives")));
    }

    [Fact]
    public void ATornOrTamperedCopyIsWrittenAgainBeforeLoading()
    {
        string shipped = Shipped();
        string cache = _files.PathOf("cache");
        string copy = TorchRuntime.PatchedCopy(shipped, cache);
        byte[] good = File.ReadAllBytes(copy);
        File.WriteAllBytes(copy, good[..(good.Length / 2)]); // torn
        Assert.Equal(copy, TorchRuntime.PatchedCopy(shipped, cache));
        Assert.Equal(good, File.ReadAllBytes(copy));
        var tampered = good.ToArray();
        tampered[^1] ^= 0x5a;
        File.WriteAllBytes(copy, tampered);
        TorchRuntime.PatchedCopy(shipped, cache);
        Assert.Equal(good, File.ReadAllBytes(copy));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(copy)!, "*.tmp"));
    }

    [Fact]
    public void ACrashBetweenWeightsAndMetadataIsCaughtOnLoad()
    {
        string path = _files.PathOf("models/fc"), other = _files.PathOf("models/other");
        using var first = FullyConnected.Create(hidden: 8);
        using var second = FullyConnected.Create(hidden: 8);
        var info = new CheckpointInfo(ModelSummary.Signature(first), 3, 1, 0.5, Checkpoint.LibraryVersion, DateTime.UtcNow);
        Checkpoint.Save(first, path, info);
        Checkpoint.Save(second, other, info with { Epochs = 7 });
        // What a crash after the first rename of a new save leaves: the new weights beside the old metadata.
        File.Copy(other + ".bin", path + ".bin", overwrite: true);

        using var model = FullyConnected.Create(hidden: 8);
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(model, path));
        Assert.Contains("does not match", e.Message);
        Assert.Equal(info with { Epochs = 7 }, Checkpoint.Load(model, other));
    }

    [Fact]
    public void ArchivesWithTooManyEntriesOrTooManyBytesAreRefused()
    {
        string many = TarGz("many.tar.gz", tar =>
        {
            for (int i = 0; i < SafeTarExtractor.MaxEntries + 1; i++)
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"d/f{i}") { DataStream = new MemoryStream([1]) });
        });
        var e = Assert.Throws<UnsafeEntryException>(() => SafeTarExtractor.Extract(many, _files.PathOf("out1")));
        Assert.Contains("more than", e.Message);

        string big = TarGz("big.tar.gz", tar =>
        {
            for (int i = 0; i < 3; i++)
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"d/f{i}") { DataStream = new MemoryStream(new byte[4000]) });
        });
        var total = Assert.Throws<UnsafeEntryException>(() => SafeTarExtractor.Extract(big, _files.PathOf("out2"), maxTotalBytes: 10_000));
        Assert.Contains("d/f2", total.Message);
        Assert.False(File.Exists(_files.PathOf("out2/d/f2")));
    }

    [Fact]
    public void PaxGlobalHeadersAreAcceptedAndColonsRefused()
    {
        var (spec, files) = _files.SmallSet();
        string repacked = _files.Archive("global.tar.gz", files, tar =>
            tar.WriteEntry(new PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { ["comment"] = "re-packed" })));
        new Cifar10Store(_files.PathOf("root"), spec, TextWriter.Null) { ArchiveFromEnvironment = false }.Prepare(false, repacked);
        Assert.True(File.Exists(_files.PathOf($"root/{Cifar10Format.BatchesFolder}/test.bin")));

        string colon = TarGz("colon.tar.gz", tar =>
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "d/a:b") { DataStream = new MemoryStream([1]) }));
        var e = Assert.Throws<UnsafeEntryException>(() => SafeTarExtractor.Extract(colon, _files.PathOf("out3")));
        Assert.Contains("':'", e.Message);
    }

    string TarGz(string name, Action<TarWriter> write)
    {
        string path = _files.PathOf(name);
        using var stream = File.Create(path);
        using var gzip = new GZipStream(stream, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        write(tar);
        return path;
    }

    public void Dispose() => _files.Dispose();
}
