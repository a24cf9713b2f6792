namespace CifarHelpers.Data;

/// <summary>
/// Which files make up the data set, their MD5 sums and where the archive comes from.
/// <see cref="Official"/> is CIFAR-10; tests describe small archives of their own.
/// </summary>
/// <param name="TrainFiles">The training files, in order.</param>
/// <param name="TestFiles">The test files, in order.</param>
/// <param name="Md5">The expected MD5 of every data file, by file name.</param>
/// <param name="Url">Where the archive is downloaded from.</param>
/// <param name="ArchiveMd5">The downloaded archive's MD5, or null to check only the files.</param>
public sealed record DataSpec(
    IReadOnlyList<string> TrainFiles,
    IReadOnlyList<string> TestFiles,
    IReadOnlyDictionary<string, string> Md5,
    string Url,
    string? ArchiveMd5)
{
    /// <summary>The official CIFAR-10 binary version.</summary>
    public static DataSpec Official { get; } = new(
        Cifar10Format.TrainFiles, Cifar10Format.TestFiles, Cifar10Format.FileMd5,
        Cifar10Format.Url, Cifar10Format.ArchiveMd5);

    /// <summary>The files of one split.</summary>
    public IReadOnlyList<string> Files(bool train) => train ? TrainFiles : TestFiles;
}
