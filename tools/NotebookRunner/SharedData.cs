using CifarHelpers.Data;

namespace NotebookRunner;

/// <summary>
/// The copy of the CIFAR-10 archive that a workspace may keep beside the repository, in
/// <c>../shared/data/cifar-10-binary.tar.gz</c>: the runner extracts it when <c>CIFAR10_ARCHIVE</c> is not set, and the
/// tests look for it too, so both of the README's commands work offline on a fresh clone that has it beside it.
/// </summary>
public static class SharedData
{
    /// <summary>Where that archive would be for the repository at <paramref name="repoRoot"/>.</summary>
    public static string Archive(string repoRoot) =>
        Path.GetFullPath(Path.Combine(repoRoot, "..", "shared", "data", Cifar10Format.ArchiveName));

    /// <summary>
    /// The archive for <see cref="Cifar10Store.Prepare"/> to use: null when <c>CIFAR10_ARCHIVE</c> is set (the store
    /// reads it) or when there is no shared copy; else the shared copy.
    /// </summary>
    public static string? ArchiveToUse(string repoRoot) =>
        Environment.GetEnvironmentVariable(Cifar10Format.ArchiveVariable) is { Length: > 0 } || !File.Exists(Archive(repoRoot))
            ? null
            : Archive(repoRoot);
}
