using System.Globalization;

namespace CifarHelpers.Data;

/// <summary>
/// Puts verified data files under <c>&lt;root&gt;/cifar-10-batches-bin</c>: from files already there,
/// from a local archive, or from a download, in that order.
/// </summary>
public sealed class Cifar10Store
{
    const string StampName = ".verified";
    readonly DataSpec _spec;
    readonly TextWriter? _log;
    readonly HttpClient? _http;

    /// <summary>Creates a store for <paramref name="root"/>.</summary>
    /// <param name="root">The data root, for example <c>data/CIFAR-10</c>.</param>
    /// <param name="spec">The files and checksums; <see cref="DataSpec.Official"/> when null.</param>
    /// <param name="log">Where messages and download progress go; <see cref="Console.Out"/> when null.</param>
    /// <param name="http">The HTTP client for downloads; a new one when null.</param>
    public Cifar10Store(string root, DataSpec? spec = null, TextWriter? log = null, HttpClient? http = null)
    {
        Root = Path.GetFullPath(root);
        _spec = spec ?? DataSpec.Official;
        _log = log ?? Console.Out;
        _http = http;
    }

    /// <summary>
    /// Whether the environment is read: <c>CIFAR10_ARCHIVE</c> when no archive is passed, and <c>CIFAR10_URL</c> (a mirror
    /// to download from instead of the spec's URL, with the same MD5 checks). True by default.
    /// </summary>
    public bool ArchiveFromEnvironment { get; init; } = true;

    /// <summary>Where environment variables are read from; tests pass their own.</summary>
    internal Func<string, string?> GetEnvironment { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>A download attempt fails when no byte arrives for this long; the retries resume from the kept part.</summary>
    public TimeSpan DownloadIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The data root, as a full path.</summary>
    public string Root { get; }

    /// <summary>The folder that holds the data files.</summary>
    public string BatchesDir => Path.Combine(Root, Cifar10Format.BatchesFolder);

    /// <summary>Where a downloaded archive is kept.</summary>
    public string DownloadedArchive => Path.Combine(Root, Cifar10Format.ArchiveName);

    /// <summary>The full paths of one split's files.</summary>
    public IReadOnlyList<string> Files(bool train) => _spec.Files(train).Select(f => Path.Combine(BatchesDir, f)).ToList();

    /// <summary>
    /// Makes sure every data file is present and verified. Uses, in order: the files already there;
    /// <paramref name="archive"/>, or the archive named by <c>CIFAR10_ARCHIVE</c>; an archive downloaded
    /// before; a download when <paramref name="download"/> is true.
    /// </summary>
    /// <exception cref="DataUnavailableException">There is no data and no way to get it.</exception>
    /// <exception cref="InvalidDataException">A file or archive fails its checksum, or is corrupt.</exception>
    /// <exception cref="UnsafeEntryException">The archive holds an unsafe entry.</exception>
    /// <exception cref="DataFolderException">The root cannot be written (read-only, full disk).</exception>
    public void Prepare(bool download, string? archive = null)
    {
        // A verified folder is only read: it needs no lock, so a read-only copy (a shared lab folder, a container
        // volume) works. The stamp is renamed into place last, so a folder being prepared is never seen stamped.
        if (IsStamped())
        {
            _log?.WriteLine("Files already downloaded and verified");
            return;
        }
        try
        {
            Directory.CreateDirectory(Root);
            using var _ = FolderLock.Acquire(Path.Combine(Root, ".prepare.lock"), _log);
            RemoveLeftovers();
            PrepareLocked(download, archive);
        }
        catch (Exception e) when (e is UnauthorizedAccessException || (e is IOException and not DataFolderException && IsWriteFailure(e)))
        {
            throw new DataFolderException(
                $"Cannot write the data to {Root}: {e.Message} Make it writable, free some space (CIFAR-10 needs about " +
                "180 MB, plus 170 MB while downloading), or choose another root.", e);
        }
    }

    // Under the lock nobody else is working in the root: temporary folders there are a killed run's leftovers.
    void RemoveLeftovers()
    {
        foreach (var dir in Directory.GetDirectories(Root, ".extract-*").Concat(Directory.GetDirectories(Root, ".old-*")))
        {
            _log?.WriteLine($"Removing {dir}, left by an interrupted run");
            Directory.Delete(dir, recursive: true);
        }
    }

    static bool IsWriteFailure(Exception e) =>
        e is not (DataUnavailableException or DataFolderException or UnsafeEntryException or FileNotFoundException or EndOfStreamException)
        && (e.HResult is 28 or 30 or 13 // ENOSPC, EROFS, EACCES
            || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
            || e.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase));

    void PrepareLocked(bool download, string? archive)
    {
        if (IsStamped())
        {
            _log?.WriteLine("Files already downloaded and verified");
            return;
        }
        if (_spec.Md5.Keys.All(f => File.Exists(Path.Combine(BatchesDir, f))))
        {
            VerifyInPlace();
            _log?.WriteLine("Files already downloaded and verified");
            return;
        }

        if (archive is null && ArchiveFromEnvironment && GetEnvironment(Cifar10Format.ArchiveVariable) is { Length: > 0 } fromEnv)
            archive = fromEnv;
        bool checkArchive = false; // an archive downloaded by an earlier run; a fresh download is checked as it lands
        if (archive is not null)
        {
            if (!File.Exists(archive))
                throw new DataUnavailableException(
                    $"The local archive {archive} (from the parameter or {Cifar10Format.ArchiveVariable}) does not exist.");
            CheckReadable(archive);
            _log?.WriteLine($"Using the local archive {archive}");
        }
        else if (File.Exists(DownloadedArchive))
        {
            archive = DownloadedArchive;
            checkArchive = true;
        }
        else if (download)
        {
            Download();
            archive = DownloadedArchive;
        }
        else
        {
            throw new DataUnavailableException(
                $"{Root} has no {Cifar10Format.BatchesFolder}. Pass download: true, or set {Cifar10Format.ArchiveVariable} " +
                $"to a local {Cifar10Format.ArchiveName}.");
        }

        if (checkArchive && _spec.ArchiveMd5 is { } expected && Md5.OfFile(archive) is var actual && actual != expected)
            throw new InvalidDataException($"{archive} has MD5 {actual}, expected {expected}. Delete it and download again.");

        ExtractAndVerify(archive);
    }

    // A local archive that cannot be read is the archive's problem, not the data folder's: say so before extracting.
    static void CheckReadable(string archive)
    {
        try
        {
            using var stream = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            _ = stream.Read(new byte[1]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataUnavailableException(
                $"Cannot read the local archive {archive} (from the parameter or {Cifar10Format.ArchiveVariable}): {e.Message} " +
                $"Make it readable, or point {Cifar10Format.ArchiveVariable} at another copy.", e);
        }
    }

    void Download()
    {
        // A connect timeout; the idle-read timeout is the downloader's. No overall limit: 162 MB may take long.
        using var owned = _http is null
            ? new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) }) { Timeout = Timeout.InfiniteTimeSpan }
            : null;
        var http = _http ?? owned!;
        string url = _spec.Url;
        if (ArchiveFromEnvironment && GetEnvironment(Cifar10Format.UrlVariable) is { Length: > 0 } mirror)
        {
            url = mirror;
            _log?.WriteLine($"Downloading from the mirror {url} ({Cifar10Format.UrlVariable})");
        }
        try
        {
            new Downloader(http, _log) { IdleTimeout = DownloadIdleTimeout }
                .DownloadAsync(url, DownloadedArchive, _spec.ArchiveMd5).GetAwaiter().GetResult();
        }
        catch (HttpRequestException e)
        {
            throw new DataUnavailableException(
                $"{Root} has no {Cifar10Format.BatchesFolder}, and downloading {url} failed ({e.Message}). " +
                $"With no network, set {Cifar10Format.ArchiveVariable} to a local {Cifar10Format.ArchiveName}, " +
                $"or put the archive at {DownloadedArchive}.", e);
        }
    }

    void ExtractAndVerify(string archive)
    {
        string temp = Path.Combine(Root, $".extract-{Guid.NewGuid():N}");
        try
        {
            var hashes = SafeTarExtractor.Extract(archive, temp);
            foreach (var (file, md5) in _spec.Md5)
            {
                string key = $"{Cifar10Format.BatchesFolder}/{file}";
                if (!hashes.TryGetValue(key, out var actual))
                    throw new InvalidDataException($"{archive} has no {key}.");
                if (actual != md5)
                    throw new InvalidDataException($"{archive}: {key} has MD5 {actual}, expected {md5}.");
            }

            string extracted = Path.Combine(temp, Cifar10Format.BatchesFolder);
            WriteStamp(extracted);
            if (Directory.Exists(BatchesDir))
            {
                // An incomplete folder from an earlier run: move it aside, then drop it once the new one is in place.
                string old = Path.Combine(Root, $".old-{Guid.NewGuid():N}");
                Directory.Move(BatchesDir, old);
                Directory.Move(extracted, BatchesDir);
                Directory.Delete(old, recursive: true);
            }
            else
            {
                Directory.Move(extracted, BatchesDir);
            }
            _log?.WriteLine($"Extracted and verified {_spec.Md5.Count} files in {BatchesDir}");
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    void VerifyInPlace()
    {
        foreach (var (file, md5) in _spec.Md5)
        {
            string path = Path.Combine(BatchesDir, file);
            string actual = Md5.OfFile(path);
            if (actual != md5)
                throw new InvalidDataException(
                    $"{path} has MD5 {actual}, expected {md5}. Delete {BatchesDir} and prepare the data again.");
        }
        WriteStamp(BatchesDir);
    }

    // The stamp records each verified file's size and time, so an unchanged file is not hashed again.
    bool IsStamped()
    {
        string stamp = Path.Combine(BatchesDir, StampName);
        if (!File.Exists(stamp)) return false;
        var lines = File.ReadAllLines(stamp).ToHashSet(StringComparer.Ordinal);
        return _spec.Md5.All(kv => StampLine(BatchesDir, kv.Key, kv.Value) is { } line && lines.Contains(line));
    }

    void WriteStamp(string dir)
    {
        var lines = _spec.Md5.Select(kv => StampLine(dir, kv.Key, kv.Value)
                                           ?? throw new InvalidDataException($"{Path.Combine(dir, kv.Key)} is missing."));
        string stamp = Path.Combine(dir, StampName);
        File.WriteAllLines(stamp + ".tmp", lines);
        File.Move(stamp + ".tmp", stamp, overwrite: true);
    }

    static string? StampLine(string dir, string file, string md5)
    {
        var info = new FileInfo(Path.Combine(dir, file));
        if (!info.Exists) return null;
        return string.Join(' ', file, md5, info.Length.ToString(CultureInfo.InvariantCulture),
                           info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture));
    }
}

/// <summary>The data folder cannot be written: read-only, or the disk is full. The message names the path.</summary>
public sealed class DataFolderException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>There is no data, and no archive or network to get it from; the message says what to do.</summary>
public sealed class DataUnavailableException(string message, Exception? inner = null) : IOException(message, inner);
