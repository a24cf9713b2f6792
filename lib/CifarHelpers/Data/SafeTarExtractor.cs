using System.Globalization;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace CifarHelpers.Data;

/// <summary>
/// Extracts a <c>.tar.gz</c> with the framework's tar reader, refusing any entry that could land
/// outside the target folder, and hashing each file as it is written.
/// </summary>
public static class SafeTarExtractor
{
    /// <summary>No file of CIFAR-10 is larger; a bigger entry is refused before anything is written.</summary>
    public const long MaxEntryBytes = 64L << 20;

    /// <summary>
    /// Extracts <paramref name="archive"/> into <paramref name="target"/>, which must be empty or absent.
    /// Returns the MD5 of every regular file, by its path relative to <paramref name="target"/> ('/'-separated).
    /// </summary>
    /// <exception cref="InvalidDataException">The archive is corrupt or truncated.</exception>
    /// <exception cref="UnsafeEntryException">The archive holds an entry that is
    /// unsafe (an absolute path, a '..' step, a ':', a link or a device) or too large, or too many entries or bytes.</exception>
    public static IReadOnlyDictionary<string, string> Extract(string archive, string target) => Extract(archive, target, MaxTotalBytes);

    /// <summary>The most entries an archive may hold; CIFAR-10's has 9.</summary>
    public const int MaxEntries = 64;

    /// <summary>The most bytes all files together may hold; CIFAR-10's hold 184 MB.</summary>
    public const long MaxTotalBytes = 256L << 20;

    internal static IReadOnlyDictionary<string, string> Extract(string archive, string target, long maxTotalBytes)
    {
        string root = Path.GetFullPath(target);
        Directory.CreateDirectory(root);
        string rootWithSeparator = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);

        try
        {
            using var file = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new TarReader(gzip);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            var buffer = new byte[1 << 20];

            int entries = 0;
            long total = 0;
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                string name = entry.Name;
                // A PAX global header (re-packing tools write one) only sets defaults for the entries after it.
                if (entry.EntryType == TarEntryType.GlobalExtendedAttributes) continue;
                if (++entries > MaxEntries)
                    throw Unsafe(archive, name, $"the archive holds more than {MaxEntries} entries; CIFAR-10's holds 9");
                string relative = CheckedRelativePath(archive, name);
                string destination = Path.GetFullPath(Path.Combine(root, relative));
                if (!destination.StartsWith(rootWithSeparator, StringComparison.Ordinal) && destination != root)
                    throw Unsafe(archive, name, "it would land outside the target folder");

                if (Clashes(root, destination, entry.EntryType == TarEntryType.Directory))
                    throw Unsafe(archive, name, "its path clashes with an entry extracted before it");

                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(destination);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        if (entry.Length > MaxEntryBytes)
                            throw Unsafe(archive, name, string.Create(CultureInfo.InvariantCulture, $"it claims {entry.Length:N0} bytes, more than any CIFAR-10 file"));
                        total += entry.Length;
                        if (total > maxTotalBytes)
                            throw Unsafe(archive, name, string.Create(CultureInfo.InvariantCulture, $"with it the files hold more than {maxTotalBytes:N0} bytes; CIFAR-10's hold 184 MB"));
                        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                        if (File.Exists(destination))
                            throw Unsafe(archive, name, "the archive holds it twice");
                        using (var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                        {
                            Stream data = entry.DataStream ?? Stream.Null;
                            long written = 0;
                            int read;
                            while ((read = data.Read(buffer)) > 0)
                            {
                                output.Write(buffer, 0, read);
                                hash.AppendData(buffer, 0, read);
                                written += read;
                            }
                            if (written != entry.Length)
                                throw new EndOfStreamException(string.Create(CultureInfo.InvariantCulture, $"entry '{name}' ended after {written:N0} of {entry.Length:N0} bytes"));
                        }
                        hashes[relative.Replace('\\', '/')] = Md5.Hex(hash);
                        break;
                    default:
                        throw Unsafe(archive, name, $"it is a {entry.EntryType} entry; only files and folders are extracted");
                }
            }
        }
        catch (UnsafeEntryException)
        {
            throw;
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or InvalidDataException)
        {
            // Thrown by the gzip and tar readers: the bytes are not a whole, valid archive.
            throw new InvalidDataException($"{archive} is corrupt or truncated: {e.Message}", e);
        }
        return hashes;
    }

    // A file where a folder is, a folder where a file is, or a file on the way to either.
    static bool Clashes(string root, string destination, bool isDirectory)
    {
        if (isDirectory ? File.Exists(destination) : Directory.Exists(destination)) return true;
        for (var dir = Path.GetDirectoryName(destination); dir is not null && dir.Length > root.Length; dir = Path.GetDirectoryName(dir))
            if (File.Exists(dir)) return true;
        return false;
    }

    static string CheckedRelativePath(string archive, string name)
    {
        if (string.IsNullOrEmpty(name))
            throw Unsafe(archive, name, "it has no name");
        if (name.Contains('\0'))
            throw Unsafe(archive, name, "its name holds a NUL character");
        if (name.StartsWith('/') || name.StartsWith('\\') || Path.IsPathRooted(name) || (name.Length > 1 && name[1] == ':'))
            throw Unsafe(archive, name, "it has an absolute path");
        if (name.Contains(':'))
            throw Unsafe(archive, name, "its name holds a ':' (a drive or stream name on Windows)");
        var parts = name.Split('/', '\\');
        if (parts.Any(p => p == ".."))
            throw Unsafe(archive, name, "its path has a '..' step");
        return Path.Combine(parts.Where(p => p.Length > 0 && p != ".").ToArray() is { Length: > 0 } kept ? kept : ["."]);
    }

    static UnsafeEntryException Unsafe(string archive, string name, string why) =>
        new($"{archive}: refused entry '{name}': {why}. Nothing was extracted to the data folder.");
}

/// <summary>An archive entry that could escape the target folder, or a link, device or oversized entry.</summary>
public sealed class UnsafeEntryException(string message) : IOException(message);
