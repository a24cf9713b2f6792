namespace CifarHelpers.Data;

/// <summary>
/// An exclusive lock on a file, held while the data folder is prepared, so that two processes
/// (two notebooks started together) take turns. The operating system drops it if the process dies.
/// </summary>
static class FolderLock
{
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
            catch (IOException) when (File.Exists(path) && DateTime.UtcNow < deadline)
            {
                if (!told) log?.WriteLine($"Waiting for another process that is preparing the data ({path})");
                told = true;
                Thread.Sleep(200);
            }
        }
    }
}
