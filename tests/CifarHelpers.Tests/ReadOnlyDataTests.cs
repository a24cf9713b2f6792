using CifarHelpers.Data;
using CifarHelpers.Runtime;

namespace CifarHelpers.Tests;

/// <summary>
/// A data folder on a truly read-only mount (a read-only bind mount stops root too, where chmod would not).
/// </summary>
[Trait("Category", "Root")]
public class ReadOnlyDataTests : IDisposable
{
    readonly TestFiles _files = new();

    public ReadOnlyDataTests() => TorchRuntime.Initialize();

    string Root => _files.PathOf("root");

    [SkippableFact]
    public async Task AVerifiedReadOnlyFolderIsReadAtOnce()
    {
        Requires.Root("it mounts a read-only bind mount or a small tmpfs");
        var (spec, files) = _files.SmallSet();
        string source = _files.PathOf("prepared");
        new Cifar10Store(source, spec, TextWriter.Null) { ArchiveFromEnvironment = false }.Prepare(false, _files.Archive("a.tar.gz", files));
        Assert.True(File.Exists(Path.Combine(source, ".prepare.lock"))); // what made the old lock wait
        Directory.CreateDirectory(Root);
        using var mount = TinyMount.BindReadOnly(source, Root);

        var log = new StringWriter();
        var prepare = Task.Run(() => new Cifar10Store(Root, spec, log) { ArchiveFromEnvironment = false }.Prepare(download: false));
        await prepare.WaitAsync(TimeSpan.FromSeconds(20)); // a TimeoutException when it waits for the lock
        Assert.Equal("Files already downloaded and verified", log.ToString().Trim());
        using var test = new Cifar10Dataset(Root, train: false, spec: spec, log: TextWriter.Null);
        Assert.Equal(10, test.Count);
    }

    [SkippableFact]
    public async Task AnUnverifiedReadOnlyFolderFailsAtOnceWithAClearError()
    {
        Requires.Root("it mounts a read-only bind mount or a small tmpfs");
        var (spec, files) = _files.SmallSet();
        string source = _files.PathOf("unverified");
        Directory.CreateDirectory(source);
        File.WriteAllBytes(Path.Combine(source, ".prepare.lock"), []); // left by an earlier run
        string archive = _files.Archive("a.tar.gz", files);
        Directory.CreateDirectory(Root);
        using var mount = TinyMount.BindReadOnly(source, Root);

        var prepare = Task.Run(() => new Cifar10Store(Root, spec, TextWriter.Null) { ArchiveFromEnvironment = false }.Prepare(false, archive));
        var e = await Assert.ThrowsAsync<DataFolderException>(() => prepare.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains(Root, e.Message);
        Assert.Contains("Make it writable", e.Message);
    }

    [SkippableFact]
    public void ADiskThatFillsDuringADownloadStopsAtOnceAndSaysSo()
    {
        Requires.Root("it mounts a read-only bind mount or a small tmpfs");
        var (spec0, _) = _files.SmallSet();
        byte[] big = TestFiles.Records(200, 9); // 600 KB, on a 256 KB disk
        using var server = new LoopbackServer(big);
        var spec = spec0 with { Url = server.Url, ArchiveMd5 = new string('0', 32) };
        Directory.CreateDirectory(Root);
        using var mount = TinyMount.Create(Root, readOnly: false, sizeKb: 256);
        using var http = new HttpClient();

        var e = Assert.Throws<DataFolderException>(() =>
            new Cifar10Store(Root, spec, TextWriter.Null, http) { ArchiveFromEnvironment = false }.Prepare(download: true));
        Assert.StartsWith($"No space left on {Root}", e.Message);
        Assert.Single(server.RangesSeen); // a full disk is not retried as a cut connection
    }

    public void Dispose() => _files.Dispose();
}
