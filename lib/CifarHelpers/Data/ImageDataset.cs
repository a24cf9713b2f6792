using TorchSharp;
using static TorchSharp.torch;

namespace CifarHelpers.Data;

/// <summary>
/// A labelled image split held as one image tensor and one label tensor. It owns both and disposes them.
/// Items come out as torchvision's do: <c>dataset[i]</c> is <c>(image, label)</c>, with the transform applied.
/// It is a TorchSharp <c>torch.utils.data.Dataset</c>, so TorchSharp's own <c>torch.utils.data.DataLoader</c> takes it
/// too (pass <c>disposeDataset: false</c>, or that loader disposes the dataset with itself).
/// </summary>
/// <remarks>
/// Raw images are <c>uint8 [N,3,32,32]</c>. Without a transform an item is what a PIL image is to the article:
/// <c>uint8 [32,32,3]</c>, H×W×C (a view; no pixels are copied). Float images (after <see cref="ApplyTransform()"/>)
/// come out as <c>[3,32,32]</c>.
/// </remarks>
public class ImageDataset : torch.utils.data.Dataset
{
    /// <summary>Takes ownership of <paramref name="images"/> (<c>[N,C,H,W]</c>) and <paramref name="labels"/> (<c>int64 [N]</c>).</summary>
    public ImageDataset(Tensor images, Tensor labels, IReadOnlyList<string> classes, IImageTransform? transform = null)
    {
        if (images.dim() != 4 || labels.dim() != 1 || images.shape[0] != labels.shape[0])
            throw new ArgumentException($"Images must be [N,C,H,W] and labels [N]; got [{string.Join(",", images.shape)}] and [{string.Join(",", labels.shape)}].");
        Images = images;
        Labels = labels;
        Classes = classes;
        Transform = transform;
    }

    /// <summary>All images, <c>[N,C,H,W]</c>: <c>uint8</c> as read, or floats once transformed.</summary>
    public Tensor Images { get; }

    /// <summary>All labels, <c>int64 [N]</c>.</summary>
    public Tensor Labels { get; }

    /// <summary>The class names, by label.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>The transform applied to each item on access, and by <see cref="ApplyTransform()"/>.</summary>
    public IImageTransform? Transform { get; }

    /// <summary>The number of images.</summary>
    public override long Count => Images.shape[0];

    /// <summary>True while the images are the raw bytes.</summary>
    public bool IsRaw => Images.dtype == ScalarType.Byte;

    /// <summary>
    /// The image and label at <paramref name="index"/>. The caller owns the returned image tensor;
    /// disposing it never harms the dataset.
    /// </summary>
    public (Tensor Image, long Label) this[long index]
    {
        get
        {
            if ((ulong)index >= (ulong)Count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"The dataset has {Count} images.");
            using var scope = NewDisposeScope();
            long label = Labels[index].item<long>();
            var image = Images[index];
            if (IsRaw) image = image.permute(1, 2, 0);
            var result = Transform is null ? image : Transform.Apply(image);
            return (result.MoveToOuterDisposeScope(), label);
        }
    }

    /// <summary>
    /// One sample as TorchSharp's <c>DataLoader</c> wants it: <c>"data"</c>, the image with the transform applied, laid
    /// out <c>[C,H,W]</c> as the batches of <see cref="BatchLoader"/> are (raw bytes stay bytes), and <c>"label"</c>, an
    /// <c>int64</c> scalar. TorchSharp's loader stacks them into <c>[B,C,H,W]</c> and <c>[B]</c>.
    /// </summary>
    public override Dictionary<string, Tensor> GetTensor(long index)
    {
        if ((ulong)index >= (ulong)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The dataset has {Count} images.");
        using var scope = NewDisposeScope();
        var image = Transform is null ? Images[index].alias() : this[index].Image;
        var label = Labels[index].alias();
        return new() { ["data"] = image.MoveToOuterDisposeScope(), ["label"] = label.MoveToOuterDisposeScope() };
    }

    /// <summary>The images in the layout transforms take: N×H×W×C for raw bytes (a view), else as stored.</summary>
    internal Tensor TransformInput(Tensor images) => images.dtype == ScalarType.Byte ? images.permute(0, 2, 3, 1) : images.alias();

    /// <summary>
    /// Applies the transform to the whole split in one vectorised operation, and returns a new dataset
    /// with the transformed images and no transform. This is the fast path.
    /// </summary>
    public ImageDataset ApplyTransform()
    {
        if (Transform is null) return new ImageDataset(Images.alias(), Labels.alias(), Classes);
        return ApplyTransform(Transform);
    }

    /// <summary>
    /// Applies <paramref name="transform"/> to the whole split in one vectorised operation and returns a new
    /// dataset with the transformed images and no transform.
    /// </summary>
    public ImageDataset ApplyTransform(IImageTransform transform)
    {
        using var input = TransformInput(Images);
        return new ImageDataset(transform.Apply(input), Labels.clone(), Classes);
    }

    /// <summary>
    /// Keeps the images whose label is a key of <paramref name="labelMap"/> and relabels them with its values,
    /// in bulk (the article's <c>label_map = {0: 0, 2: 1}</c>). The transform is kept.
    /// </summary>
    public ImageDataset Subset(IReadOnlyDictionary<int, int> labelMap)
    {
        int newCount = labelMap.Values.Max() + 1;
        if (labelMap.Values.Distinct().Count() != labelMap.Count || labelMap.Values.Min() < 0 || newCount != labelMap.Count)
            throw new ArgumentException("The label map must send the kept labels to 0, 1, ... without gaps or repeats.");
        var classes = new string[newCount];
        var lookup = Enumerable.Repeat(-1L, Classes.Count).ToArray();
        foreach (var (from, to) in labelMap)
        {
            if (from < 0 || from >= Classes.Count)
                throw new ArgumentException($"Label {from} is not a class of this dataset (0..{Classes.Count - 1}).");
            lookup[from] = to;
            classes[to] = Classes[from];
        }

        using var scope = NewDisposeScope();
        var mapped = tensor(lookup).index_select(0, Labels);
        var index = (mapped >= 0).nonzero().squeeze(1);
        var images = Images.index_select(0, index);
        var labels = mapped.index_select(0, index);
        return new ImageDataset(images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), classes, Transform);
    }

    /// <summary>How many images each class has, in label order.</summary>
    public long[] ClassCounts()
    {
        using var counts = Labels.bincount(null, Classes.Count);
        return counts.data<long>().ToArray();
    }

    /// <summary>Disposes the image and label tensors.</summary>
    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        Images.Dispose();
        Labels.Dispose();
    }
}
