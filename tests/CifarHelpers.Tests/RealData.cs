using CifarHelpers.Data;
using CifarHelpers.Runtime;
using NotebookRunner;

namespace CifarHelpers.Tests;

/// <summary>
/// The real CIFAR-10, extracted once from the real archive into a temporary root through the product's own
/// offline path. The archive is CIFAR10_ARCHIVE, else ../shared/data/cifar-10-binary.tar.gz from the repo root.
/// When neither exists, every test that uses it fails (it is never skipped): CI always has the data.
/// </summary>
public sealed class RealData : IDisposable
{
    public RealData()
    {
        TorchRuntime.Initialize();
        Archive = Find();
        Root = Path.Combine(Path.GetTempPath(), "cifar-real-" + Guid.NewGuid().ToString("N"));
        if (Archive is null) return;
        new Cifar10Store(Root, log: Log).Prepare(download: false, Archive);
    }

    public string? Archive { get; }
    public string Root { get; }
    public StringWriter Log { get; } = new();

    /// <summary>Fails the calling test, with the reason, when the real archive is not there.</summary>
    public string RequireRoot() =>
        Archive is not null ? Root : throw new InvalidOperationException(
            $"The real CIFAR-10 archive is missing: set {Cifar10Format.ArchiveVariable} or put it at ../shared/data/{Cifar10Format.ArchiveName} beside the repository.");

    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable(Cifar10Format.ArchiveVariable) is { Length: > 0 } env && File.Exists(env))
            return Path.GetFullPath(env);
        string shared = Path.Combine(RepoRoot.Find(), "..", "shared", "data", Cifar10Format.ArchiveName);
        return File.Exists(shared) ? Path.GetFullPath(shared) : null;
    }

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}

[CollectionDefinition("real data")]
public sealed class RealDataCollection : ICollectionFixture<RealData>;
