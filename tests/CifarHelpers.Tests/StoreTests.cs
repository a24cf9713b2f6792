using System.Formats.Tar;
using System.Security.Cryptography;
using CifarHelpers.Data;
using CifarHelpers.Runtime;

namespace CifarHelpers.Tests;

[Trait("Category", "Unit")]
public class StoreTests : IDisposable
{
    readonly TestFiles _files = new();
    readonly StringWriter _log = new();

    public StoreTests() => TorchRuntime.Initialize();

    string Root => _files.PathOf("root");

    Cifar10Store Store(DataSpec spec, HttpClient? http = null) =>
        new(Root, spec, _log, http) { ArchiveFromEnvironment = false };

    [Fact]
    public void ALocalArchiveIsExtractedVerifiedAndRead()
    {
        var (spec, files) = _files.SmallSet();
        string archive = _files.Archive("local.tar.gz", files);

        Store(spec).Prepare(download: false, archive);
        foreach (var (name, bytes) in files)
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(Root, Cifar10Format.BatchesFolder, name)));
        Assert.Empty(Directory.GetDirectories(Root, ".extract-*"));

        using var train = new Cifar10Dataset(Root, train: true, spec: spec, log: _log);
        using var test = new Cifar10Dataset(Root, train: false, spec: spec, log: _log);
        Assert.Equal(35, train.Count);
        Assert.Equal(10, test.Count);
        Assert.Contains("Files already downloaded and verified", _log.ToString());
    }

    [Fact]
    public void VerifiedFilesAreNotHashedAgainUntilTheyChange()
    {
        var (spec, files) = _files.SmallSet();
        Store(spec).Prepare(download: false, _files.Archive("a.tar.gz", files));

        // Same size and time but other bytes: the stamp is trusted, so no hashing happens.
        string path = Path.Combine(Root, Cifar10Format.BatchesFolder, "test.bin");
        var time = File.GetLastWriteTimeUtc(path);
        var bytes = File.ReadAllBytes(path);
        bytes[100] ^= 0xff;
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, time);
        Store(spec).Prepare(download: false);
        Assert.Contains("Files already downloaded and verified", _log.ToString());

        // A changed time makes the store hash again, and the corruption is caught.
        File.SetLastWriteTimeUtc(path, time.AddMinutes(1));
        var e = Assert.Throws<InvalidDataException>(() => Store(spec).Prepare(download: false));
        Assert.Contains("test.bin has MD5", e.Message);
    }

    [Fact]
    public void AnMd5MismatchInTheArchiveIsCaughtAndNothingIsInstalled()
    {
        var (spec, files) = _files.SmallSet();
        files["train_2.bin"] = TestFiles.Records(15, 99);
        var e = Assert.Throws<InvalidDataException>(() => Store(spec).Prepare(download: false, _files.Archive("bad.tar.gz", files)));
        Assert.Contains("train_2.bin has MD5", e.Message);
        Assert.False(Directory.Exists(Path.Combine(Root, Cifar10Format.BatchesFolder)));
        Assert.Empty(Directory.GetDirectories(Root, ".extract-*"));
    }

    [Theory]
    [InlineData("../escape.bin")]
    [InlineData("cifar-10-batches-bin/../../escape.bin")]
    [InlineData("/tmp/cifar-tests-absolute-escape.bin")]
    public void EntriesThatEscapeTheRootAreRejected(string name)
    {
        var e = PrepareWithExtraEntry(name);
        Assert.Contains(name, e.Message);
        Assert.False(File.Exists(_files.PathOf("escape.bin")));
        Assert.False(File.Exists("/tmp/cifar-tests-absolute-escape.bin"));
        Assert.False(Directory.Exists(Path.Combine(Root, Cifar10Format.BatchesFolder)));
        Assert.Empty(Directory.GetDirectories(Root, ".extract-*"));
    }

    [Theory]
    [InlineData(TarEntryType.SymbolicLink)]
    [InlineData(TarEntryType.HardLink)]
    [InlineData(TarEntryType.CharacterDevice)]
    public void LinksAndDevicesAreRejected(TarEntryType type)
    {
        var (spec, files) = _files.SmallSet();
        string archive = _files.Archive("link.tar.gz", files, tar =>
        {
            var entry = new PaxTarEntry(type, $"{Cifar10Format.BatchesFolder}/link");
            if (type is TarEntryType.SymbolicLink or TarEntryType.HardLink) entry.LinkName = "/etc/passwd";
            tar.WriteEntry(entry);
        });

        var e = Assert.Throws<UnsafeEntryException>(() => Store(spec).Prepare(download: false, archive));
        Assert.Contains($"it is a {type} entry", e.Message);
        Assert.False(Directory.Exists(Path.Combine(Root, Cifar10Format.BatchesFolder)));
    }

    [Theory]
    [InlineData("cifar-10-batches-bin/test.bin/inner.bin")]
    [InlineData("./cifar-10-batches-bin")]
    [InlineData(".")]
    public void EntriesThatClashWithEarlierOnesAreRejected(string name)
    {
        var e = PrepareWithExtraEntry(name);
        Assert.Contains("clashes with an entry extracted before it", e.Message);
        Assert.False(Directory.Exists(Path.Combine(Root, Cifar10Format.BatchesFolder)));
    }

    /// <summary>Prepares from the small set plus one more file entry, which must be refused.</summary>
    UnsafeEntryException PrepareWithExtraEntry(string name)
    {
        var (spec, files) = _files.SmallSet();
        var all = files.ToList();
        all.Add(new(name, [1, 2, 3]));
        string archive = _files.Archive("extra.tar.gz", all);
        return Assert.Throws<UnsafeEntryException>(() => Store(spec).Prepare(download: false, archive));
    }

    [Fact]
    public void ACorruptOrTruncatedArchiveGivesAClearError()
    {
        var (spec, files) = _files.SmallSet();
        byte[] whole = File.ReadAllBytes(_files.Archive("whole.tar.gz", files));
        string truncated = _files.Write("truncated.tar.gz", whole[..(whole.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => Store(spec).Prepare(download: false, truncated));
        Assert.Contains("is corrupt or truncated", e.Message);

        string garbage = _files.Write("garbage.tar.gz", TestFiles.Records(3, 5));
        Assert.Contains("is corrupt or truncated", Assert.Throws<InvalidDataException>(() => Store(spec).Prepare(download: false, garbage)).Message);
        Assert.False(Directory.Exists(Path.Combine(Root, Cifar10Format.BatchesFolder)));
    }

    [Fact]
    public void ADownloadCutMidwayResumesFromTheLoopbackServer()
    {
        var (spec0, files) = _files.SmallSet();
        byte[] archive = File.ReadAllBytes(_files.Archive("served.tar.gz", files));
        using var server = new LoopbackServer(archive, cutFirstResponseAfter: archive.Length / 3);
        var spec = spec0 with { Url = server.Url, ArchiveMd5 = Convert.ToHexStringLower(MD5.HashData(archive)) };
        using var http = new HttpClient();

        var store = new Cifar10Store(Root, spec, _log, http) { ArchiveFromEnvironment = false };
        store.Prepare(download: true);

        Assert.Equal(archive, File.ReadAllBytes(store.DownloadedArchive));
        Assert.False(File.Exists(store.DownloadedArchive + ".part"));
        Assert.Equal([null, $"bytes={archive.Length / 3}-"], server.RangesSeen);
        string log = _log.ToString();
        Assert.Contains("Download cut off", log);
        Assert.Contains("(100.0%)", log);
        Assert.Contains($"\rDownloading cifar-10-binary.tar.gz:", log);
        Assert.True(File.Exists(Path.Combine(store.BatchesDir, "test.bin")));
    }

    [Fact]
    public void AWrongDownloadChecksumDeletesThePartialFile()
    {
        var (spec0, files) = _files.SmallSet();
        byte[] archive = File.ReadAllBytes(_files.Archive("served.tar.gz", files));
        using var server = new LoopbackServer(archive);
        var spec = spec0 with { Url = server.Url, ArchiveMd5 = new string('0', 32) };
        using var http = new HttpClient();
        var store = new Cifar10Store(Root, spec, _log, http) { ArchiveFromEnvironment = false };

        var e = Assert.Throws<InvalidDataException>(() => store.Prepare(download: true));
        Assert.Contains("expected 00000000000000000000000000000000", e.Message);
        Assert.False(File.Exists(store.DownloadedArchive));
        Assert.False(File.Exists(store.DownloadedArchive + ".part"));
    }

    [Fact]
    public void NoDataAndNoNetworkGivesOneClearError()
    {
        var (spec, _) = _files.SmallSet(url: "http://127.0.0.1:9/cifar-10-binary.tar.gz");
        using var http = new HttpClient();
        var store = new Cifar10Store(Root, spec, _log, http) { ArchiveFromEnvironment = false };

        var e = Assert.Throws<DataUnavailableException>(() => store.Prepare(download: true));
        Assert.Contains("set CIFAR10_ARCHIVE to a local cifar-10-binary.tar.gz", e.Message);
        Assert.Contains(Root, e.Message);

        var offline = Assert.Throws<DataUnavailableException>(() => store.Prepare(download: false));
        Assert.Contains("Pass download: true, or set CIFAR10_ARCHIVE", offline.Message);
    }

    public void Dispose()
    {
        _files.Dispose();
        _log.Dispose();
    }
}
