using CifarHelpers.Data;

namespace CifarHelpers.Tests;

[Trait("Category", "Unit")]
public class FolderLockTests : IDisposable
{
    readonly TestFiles _files = new();

    [Fact]
    public void ALockHeldElsewhereIsWaitedForUntilTheTimeout()
    {
        string path = _files.PathOf(".prepare.lock");
        using var held = FolderLock.Acquire(path, null);
        var log = new StringWriter();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.ThrowsAny<IOException>(() => FolderLock.Acquire(path, log, TimeSpan.FromMilliseconds(600)));
        Assert.True(FolderLock.IsSharingViolation(e), $"{e.GetType().Name} {e.HResult}: {e.Message}");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(500), $"gave up after {clock.Elapsed}");
        Assert.Contains("Waiting for another process", log.ToString());
        held.Dispose();
        using var taken = FolderLock.Acquire(path, null, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void OnlyASharingViolationCountsAsAnotherProcess()
    {
        Assert.False(FolderLock.IsSharingViolation(new IOException("Read-only file system", 30)));
        Assert.False(FolderLock.IsSharingViolation(new IOException("No space left on device", 28)));
        Assert.False(FolderLock.IsSharingViolation(new FileNotFoundException("gone")));
    }

    public void Dispose() => _files.Dispose();
}
