using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using CifarHelpers.Data;

namespace CifarHelpers.Tests;

/// <summary>Small CIFAR-format files and archives, written by the tests themselves.</summary>
sealed class TestFiles : IDisposable
{
    public TestFiles()
    {
        Dir = Path.Combine(Path.GetTempPath(), "cifar-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
    }

    public string Dir { get; }

    public string PathOf(string name) => Path.Combine(Dir, name);

    /// <summary>Random records: labels cycle through 0..9, pixels come from a seeded generator.</summary>
    public static byte[] Records(int count, int seed, byte? labelOverride = null)
    {
        var random = new Random(seed);
        var bytes = new byte[count * Cifar10Format.RecordBytes];
        random.NextBytes(bytes);
        for (int r = 0; r < count; r++)
            bytes[r * Cifar10Format.RecordBytes] = labelOverride ?? (byte)(r % 10);
        return bytes;
    }

    public string Write(string name, byte[] bytes)
    {
        string path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A small data set: two training files and one test file, with its spec.</summary>
    public (DataSpec Spec, Dictionary<string, byte[]> Files) SmallSet(string url = "http://127.0.0.1:9/none.tar.gz", string? archiveMd5 = null)
    {
        var files = new Dictionary<string, byte[]>
        {
            ["train_1.bin"] = Records(20, 1),
            ["train_2.bin"] = Records(15, 2),
            ["test.bin"] = Records(10, 3),
        };
        var md5 = files.ToDictionary(kv => kv.Key, kv => Convert.ToHexStringLower(MD5.HashData(kv.Value)));
        return (new DataSpec(["train_1.bin", "train_2.bin"], ["test.bin"], md5, url, archiveMd5), files);
    }

    /// <summary>A .tar.gz of the given entries, under cifar-10-batches-bin/ unless a name says otherwise.</summary>
    public string Archive(string name, IEnumerable<KeyValuePair<string, byte[]>> files, Action<TarWriter>? extra = null)
    {
        string path = PathOf(name);
        using (var stream = File.Create(path))
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, Cifar10Format.BatchesFolder + "/"));
            foreach (var (file, bytes) in files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, file.Contains('/') ? file : $"{Cifar10Format.BatchesFolder}/{file}")
                {
                    DataStream = new MemoryStream(bytes),
                };
                tar.WriteEntry(entry);
            }
            extra?.Invoke(tar);
        }
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
