using System.Formats.Tar;
using System.IO.Compression;
using CifarHelpers.Data;
using CifarHelpers.Runtime;
using NotebookRunner;
using Tools.Shared;

namespace CifarHelpers.Tests;

/// <summary>
/// The real CIFAR-10, found where a user already has it, in this order (<see cref="Locate"/>):
/// <c>CIFAR10_ARCHIVE</c>; the repository's own verified <c>data/CIFAR-10/</c> (what the README's first command
/// leaves there), or the archive kept in it; <c>../shared/data/cifar-10-binary.tar.gz</c> beside the repository;
/// else the official download. An archive is extracted once into a temporary root through the product's own
/// offline path; the repository's verified folder is only read. Without any of these, and with no network, every
/// test that uses it fails with the one-line reason (it is never skipped): CI always has the data.
/// </summary>
public sealed class RealData : IDisposable
{
    readonly bool _ownsRoot;

    public RealData()
    {
        TorchRuntime.Initialize();
        Source = Locate();
        if (Source.VerifiedRoot is { } verified)
        {
            Root = verified;
            return;
        }
        Root = Path.Combine(Path.GetTempPath(), "cifar-real-" + Guid.NewGuid().ToString("N"));
        _ownsRoot = true;
        try
        {
            new Cifar10Store(Root, log: Log) { ArchiveFromEnvironment = false }.Prepare(download: Source.Archive is null, Source.Archive);
        }
        catch (IOException e)
        {
            Missing = $"The real CIFAR-10 is missing ({e.Message}). Run the README's first command, set " +
                      $"{Cifar10Format.ArchiveVariable}, or put {Cifar10Format.ArchiveName} in ../shared/data/ beside the repository.";
        }
    }

    /// <summary>Where the data came from.</summary>
    public DataSource Source { get; }

    /// <summary>A root whose <c>cifar-10-batches-bin</c> holds the six verified files (when <see cref="Missing"/> is null).</summary>
    public string Root { get; }

    /// <summary>Why there is no data, or null.</summary>
    public string? Missing { get; }

    public StringWriter Log { get; } = new();

    /// <summary>The root; fails the calling test, with the reason, when there is no data.</summary>
    public string RequireRoot() => Missing is null ? Root : throw new InvalidOperationException(Missing);

    /// <summary>The repository's own data root, where the README's first command puts the data.</summary>
    public static string RepositoryRoot => Path.Combine(RepoRoot.Find(), Cifar10Format.DefaultRoot);

    /// <summary>Where the real data is, in the documented order; <see cref="DataSource.Download"/> when nowhere.</summary>
    public static DataSource Locate()
    {
        if (Environment.GetEnvironmentVariable(Cifar10Format.ArchiveVariable) is { Length: > 0 } env && File.Exists(env))
            return new DataSource(Path.GetFullPath(env), null, $"{Cifar10Format.ArchiveVariable}={env}");
        var repository = new Cifar10Store(RepositoryRoot, log: TextWriter.Null);
        if (IsVerified(repository))
            return new DataSource(null, repository.Root, $"the verified {repository.BatchesDir}");
        if (File.Exists(repository.DownloadedArchive))
            return new DataSource(repository.DownloadedArchive, null, $"the kept archive {repository.DownloadedArchive}");
        string shared = SharedData.Archive(RepoRoot.Find());
        if (File.Exists(shared))
            return new DataSource(shared, null, shared);
        return DataSource.Download;
    }

    // The folder the first command prepared: every file present, and the stamp that the store writes after hashing.
    static bool IsVerified(Cifar10Store store) =>
        File.Exists(Path.Combine(store.BatchesDir, ".verified")) &&
        Cifar10Format.FileMd5.Keys.All(f => File.Exists(Path.Combine(store.BatchesDir, f)));

    /// <summary>
    /// A real archive for tests that need one (extraction by two processes, a kill midway): the archive found, or,
    /// when the data is a verified folder, a <c>.tar.gz</c> packed once from it into a temporary file.
    /// </summary>
    public static string Archive()
    {
        lock (Packed)
        {
            var source = Locate();
            if (source.Archive is { } archive) return archive;
            if (source.VerifiedRoot is not { } root)
                throw new InvalidOperationException(
                    $"The real CIFAR-10 archive is missing: run the README's first command, set {Cifar10Format.ArchiveVariable}, " +
                    $"or put {Cifar10Format.ArchiveName} in ../shared/data/ beside the repository.");
            if (Packed.Count == 0)
            {
                string path = Path.Combine(Path.GetTempPath(), $"cifar-packed-{Environment.ProcessId}.tar.gz");
                using (var file = File.Create(path))
                using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
                using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
                    foreach (var name in Cifar10Format.FileMd5.Keys.Order(StringComparer.Ordinal))
                        tar.WriteEntry(Path.Combine(root, Cifar10Format.BatchesFolder, name), $"{Cifar10Format.BatchesFolder}/{name}");
                AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
                Packed.Add(path);
            }
            return Packed[0];
        }
    }

    static readonly List<string> Packed = [];

    public void Dispose()
    {
        if (_ownsRoot && Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}

/// <summary>Where the real data is: an archive to extract, a verified folder to read, or neither (download).</summary>
/// <param name="Archive">A <c>cifar-10-binary.tar.gz</c>, or null.</param>
/// <param name="VerifiedRoot">A data root whose files are present and stamped, or null.</param>
/// <param name="Description">What it is, for messages.</param>
public sealed record DataSource(string? Archive, string? VerifiedRoot, string Description)
{
    /// <summary>Nothing local: the official download.</summary>
    public static DataSource Download { get; } = new(null, null, "the official download");
}

[CollectionDefinition("real data")]
public sealed class RealDataCollection : ICollectionFixture<RealData>;
