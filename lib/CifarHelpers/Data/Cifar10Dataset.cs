using static TorchSharp.torch;

namespace CifarHelpers.Data;

/// <summary>
/// CIFAR-10 the way <c>torchvision.datasets.CIFAR10(root, train, download, transform)</c> works: files under
/// <c>&lt;root&gt;/cifar-10-batches-bin</c>, verified by MD5, downloaded or taken from a local archive when
/// missing. The split is read in bulk into one tensor.
/// </summary>
public sealed class Cifar10Dataset : ImageDataset
{
    /// <summary>Prepares (if needed) and reads one split.</summary>
    /// <param name="root">The data root; the article's <c>./data/CIFAR-10/</c> by default.</param>
    /// <param name="train">The 50,000 training images when true, else the 10,000 test images.</param>
    /// <param name="download">Download the archive when there is no data and no local archive.</param>
    /// <param name="transform">Applied to each item on access, and by <see cref="ImageDataset.ApplyTransform()"/>.</param>
    /// <param name="archive">A local <c>cifar-10-binary.tar.gz</c> to use; <c>CIFAR10_ARCHIVE</c> when null.</param>
    /// <param name="log">Where messages go; the console when null.</param>
    /// <param name="spec">The files and checksums; the official ones when null.</param>
    public Cifar10Dataset(string root = Cifar10Format.DefaultRoot, bool train = true, bool download = false,
                   IImageTransform? transform = null, string? archive = null, TextWriter? log = null, DataSpec? spec = null)
        : this(Load(root, train, download, archive, log, spec), transform, root, train)
    {
    }

    Cifar10Dataset((Tensor Images, Tensor Labels) data, IImageTransform? transform, string root, bool train)
        : base(data.Images, data.Labels, Cifar10Format.Classes, transform)
    {
        Root = root;
        Train = train;
    }

    /// <summary>The data root.</summary>
    public string Root { get; }

    /// <summary>True for the training split.</summary>
    public bool Train { get; }

    static (Tensor, Tensor) Load(string root, bool train, bool download, string? archive, TextWriter? log, DataSpec? spec)
    {
        var store = new Cifar10Store(root, spec, log);
        store.Prepare(download, archive);
        return Cifar10Reader.Read(store.Files(train));
    }

    /// <summary>Like torchvision's summary of a dataset.</summary>
    public override string ToString() =>
        $"Dataset CIFAR10\n    Number of datapoints: {Count}\n    Root location: {Root}\n    Split: {(Train ? "Train" : "Test")}" +
        (Transform is null ? "" : $"\n    Transform: {Transform}");
}
