using System.Diagnostics;
using System.Security.Cryptography;
using CifarHelpers.Data;

namespace CifarHelpers.Tests;

/// <summary>Downloads against a real HTTP server on the loopback interface that misbehaves on purpose.</summary>
[Trait("Category", "Unit")]
public class DownloadTests : IDisposable
{
    readonly TestFiles _files = new();
    readonly StringWriter _log = new();

    static byte[] Content(int length = 300_000) => TestFiles.Records(length / Cifar10Format.RecordBytes + 1, 7)[..length];

    static string Md5Of(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));

    Downloader NewDownloader(HttpClient http) =>
        new(http, _log) { RetryDelay = TimeSpan.FromMilliseconds(10), IdleTimeout = TimeSpan.FromSeconds(1.5) };

    [Fact]
    public async Task AServerThatStallsMidBodyFailsThatAttemptAndTheRetryResumes()
    {
        byte[] content = Content();
        using var server = new LoopbackServer(content, stallFirstResponseAfter: 100_000);
        using var http = new HttpClient();
        string target = _files.PathOf("dl/file.tar.gz");
        var clock = Stopwatch.StartNew();

        await NewDownloader(http).DownloadAsync(server.Url, target, Md5Of(content)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(content, File.ReadAllBytes(target));
        Assert.Equal([null, "bytes=100000-"], server.RangesSeen); // the .part was kept
        Assert.Contains("no byte for 1.5 s", _log.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task AServerThatIgnoresRangeGivesTheWholeFileAgain()
    {
        byte[] content = Content();
        using var server = new LoopbackServer(content, cutFirstResponseAfter: 120_000, supportRanges: false);
        using var http = new HttpClient();
        string target = _files.PathOf("dl/file.tar.gz");

        await NewDownloader(http).DownloadAsync(server.Url, target, Md5Of(content));

        Assert.Equal(content, File.ReadAllBytes(target));
        Assert.Equal([null, "bytes=120000-"], server.RangesSeen);
    }

    [Fact]
    public async Task A416WithAWholePartIsCheckedAndAWrongPartIsStartedAgain()
    {
        byte[] content = Content();
        using var server = new LoopbackServer(content);
        using var http = new HttpClient();
        string target = _files.PathOf("dl/file.tar.gz");

        // A whole .part from an earlier run: the server says 416 and the checksum decides.
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.WriteAllBytes(target + ".part", content);
        await NewDownloader(http).DownloadAsync(server.Url, target, Md5Of(content));
        Assert.Equal(content, File.ReadAllBytes(target));

        // A .part longer than the file (the file changed on the server): 416 names another length; start again.
        File.Delete(target);
        File.WriteAllBytes(target + ".part", [.. content, .. content[..5000]]);
        server.RangesSeen.Clear();
        await NewDownloader(http).DownloadAsync(server.Url, target, Md5Of(content));
        Assert.Equal(content, File.ReadAllBytes(target));
        Assert.Equal([$"bytes={content.Length + 5000}-", null], server.RangesSeen);
    }

    [Fact]
    public async Task A206ThatStartsElsewhereThanThePartIsNotAppended()
    {
        byte[] content = Content();
        using var server = new LoopbackServer(content, cutFirstResponseAfter: 50_000, wrongContentRange: true);
        using var http = new HttpClient();
        string target = _files.PathOf("dl/file.tar.gz");

        await NewDownloader(http).DownloadAsync(server.Url, target, Md5Of(content));

        Assert.Equal(content, File.ReadAllBytes(target));
        Assert.Contains("Content-Range", _log.ToString());
    }

    [Fact]
    public void AMirrorFromCifar10UrlIsUsedWithTheSameChecks()
    {
        var (spec0, files) = _files.SmallSet();
        byte[] archive = File.ReadAllBytes(_files.Archive("served.tar.gz", files));
        using var mirror = new LoopbackServer(archive);
        var spec = spec0 with { Url = "http://127.0.0.1:9/cifar-10-binary.tar.gz", ArchiveMd5 = Md5Of(archive) };
        var environment = new Dictionary<string, string> { [Cifar10Format.UrlVariable] = mirror.Url };
        using var http = new HttpClient();
        string root = _files.PathOf("root");

        var store = new Cifar10Store(root, spec, _log, http) { GetEnvironment = environment.GetValueOrDefault };
        store.Prepare(download: true);
        Assert.True(File.Exists(Path.Combine(store.BatchesDir, "test.bin")));
        Assert.Contains(mirror.Url, _log.ToString());

        // The same MD5 check: a mirror serving other bytes is refused.
        using var wrong = new LoopbackServer([.. archive, 0]);
        environment[Cifar10Format.UrlVariable] = wrong.Url;
        var other = new Cifar10Store(_files.PathOf("root2"), spec, _log, http) { GetEnvironment = environment.GetValueOrDefault };
        var e = Assert.Throws<InvalidDataException>(() => other.Prepare(download: true));
        Assert.Contains($"expected {spec.ArchiveMd5}", e.Message);
    }

    [Fact]
    public void AnUnreadableArchiveIsReportedAsUnreadable()
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("This test reads /proc.");
        // A file that even root opens but cannot read (address 0 of this process is unmapped: EIO).
        var (spec, _) = _files.SmallSet();
        string root = _files.PathOf("root");
        var e = Assert.Throws<DataUnavailableException>(() =>
            new Cifar10Store(root, spec, _log) { ArchiveFromEnvironment = false }.Prepare(false, "/proc/self/mem"));
        Assert.Contains("Cannot read the local archive /proc/self/mem", e.Message);
        Assert.DoesNotContain("Cannot write", e.Message);
    }

    public void Dispose()
    {
        _files.Dispose();
        _log.Dispose();
    }
}
