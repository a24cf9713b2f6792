namespace CifarHelpers.Data;

/// <summary>The facts of the official "CIFAR-10 binary version" archive.</summary>
public static class Cifar10Format
{
    /// <summary>The official download.</summary>
    public const string Url = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";

    /// <summary>The official archive's MD5. A re-packed local archive may differ; its files are still verified.</summary>
    public const string ArchiveMd5 = "c32a1d4ab5d03f1284b67883e8d87530";

    /// <summary>The archive's file name.</summary>
    public const string ArchiveName = "cifar-10-binary.tar.gz";

    /// <summary>The folder the archive holds, under the data root.</summary>
    public const string BatchesFolder = "cifar-10-batches-bin";

    /// <summary>The default root, the article's <c>./data/CIFAR-10/</c>.</summary>
    public const string DefaultRoot = "data/CIFAR-10";

    /// <summary>The environment variable that names a local archive to use instead of downloading.</summary>
    public const string ArchiveVariable = "CIFAR10_ARCHIVE";

    /// <summary>The environment variable that names a mirror to download the archive from instead of <see cref="Url"/>.</summary>
    public const string UrlVariable = "CIFAR10_URL";

    /// <summary>Image side, channels and bytes per image.</summary>
    public const int Side = 32, Channels = 3, ImageBytes = Side * Side * Channels;

    /// <summary>One record: a label byte, then 1,024 red, 1,024 green and 1,024 blue bytes.</summary>
    public const int RecordBytes = 1 + ImageBytes;

    /// <summary>The ten class names, in label order.</summary>
    public static readonly IReadOnlyList<string> Classes =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The training files, in order.</summary>
    public static readonly IReadOnlyList<string> TrainFiles =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>The test file.</summary>
    public static readonly IReadOnlyList<string> TestFiles = ["test_batch.bin"];

    /// <summary>The official MD5 of each of the six data files.</summary>
    public static readonly IReadOnlyDictionary<string, string> FileMd5 = new Dictionary<string, string>
    {
        ["data_batch_1.bin"] = "5dd7e06a14cb22eb9f671a540d1b7c25",
        ["data_batch_2.bin"] = "5ea93a67294ea407fff1d09f752e9692",
        ["data_batch_3.bin"] = "942cd6a4bcdd0dd3c604fbe906cb4421",
        ["data_batch_4.bin"] = "ae636b3ba5c66a11e91e8cb52e771fcb",
        ["data_batch_5.bin"] = "53f37980c15c3d472c316c40844f3f0d",
        ["test_batch.bin"] = "803d5f7f4d78ea53de84dbe85f74fb6d",
    };
}
