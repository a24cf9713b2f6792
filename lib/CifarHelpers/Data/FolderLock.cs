namespace CifarHelpers.Data;

/// <summary>
/// An exclusive lock on a file, held while the data folder is prepared, so that two processes
/// (two notebooks started together) take turns. The operating system drops it if the process dies.
/// </summary>
static class FolderLock
{
    /// <summary>
    /// Takes the lock, waiting while another process holds it (a sharing violation). Any other failure (a read-only
    /// or full disk, no permission) is thrown at once: waiting would not cure it.
    /// </summary>
    public static IDisposable Acquire(string path, TextWriter? log, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(30));
        bool told = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (IsSharingViolation(e) && DateTime.UtcNow < deadline)
            {
                if (!told) log?.WriteLine($"Waiting for another process that is preparing the data ({path})");
                told = true;
                Thread.Sleep(200);
            }
        }
    }

    /// <summary>
    /// True when the file is locked by another handle: on Unix .NET's <c>FileShare.None</c> is an <c>flock</c> that
    /// fails with EWOULDBLOCK (11 on Linux, 35 on macOS); on Windows ERROR_SHARING_VIOLATION or ERROR_LOCK_VIOLATION.
    /// </summary>
    internal static bool IsSharingViolation(IOException e) =>
        e.GetType() == typeof(IOException) && (OperatingSystem.IsWindows()
            ? (e.HResult & 0xFFFF) is 32 or 33
            : e.HResult == (OperatingSystem.IsLinux() ? 11 : 35));
}
