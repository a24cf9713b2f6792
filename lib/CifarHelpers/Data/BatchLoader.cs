using System.Collections;
using TorchSharp;
using static TorchSharp.torch;

namespace CifarHelpers.Data;

/// <summary>
/// Mini-batches over a dataset, like <c>torch.utils.data.DataLoader(dataset, batch_size, shuffle)</c>.
/// Each enumeration is one epoch; with shuffling, each epoch draws a new permutation from a generator
/// seeded once, so a seed gives the same sequence of epochs every run.
/// </summary>
/// <remarks>
/// Batches are gathered from the dataset's one tensor with <c>index_select</c>; a dataset that still has a
/// transform gets it applied per batch. The caller owns every batch (dispose it, or run the epoch in a
/// dispose scope); disposing a batch never touches the dataset. The loader never disposes the dataset.
/// </remarks>
public sealed class BatchLoader : IEnumerable<(Tensor Images, Tensor Labels)>, IDisposable
{
    readonly ImageDataset _dataset;
    readonly Generator? _generator;

    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">The images and labels; not owned by the loader.</param>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="shuffle">Draw a new random order each epoch.</param>
    /// <param name="seed">The seed of the shuffling generator.</param>
    /// <param name="dropLast">Drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="device">Where batches are put; the CPU when null.</param>
    /// <param name="channelsLast">
    /// Lay each <c>[B, C, H, W]</c> batch out channels-last in memory (PyTorch's <c>torch.channels_last</c>):
    /// the same shape and values, but convolutions and pooling run faster on the CPU. For convolutional nets:
    /// such a batch is not contiguous, so use <c>reshape</c> or <c>flatten</c> on it, not <c>view</c>.
    /// </param>
    public BatchLoader(ImageDataset dataset, int batchSize, bool shuffle = false, long seed = 0, bool dropLast = false, Device? device = null,
                      bool channelsLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Device = device ?? CPU;
        ChannelsLast = channelsLast;
        if (shuffle) _generator = new Generator((ulong)seed);
    }

    /// <summary>Images per batch.</summary>
    public int BatchSize { get; }

    /// <summary>True when each epoch has a new random order.</summary>
    public bool Shuffle { get; }

    /// <summary>True when a short last batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>Where batches are put.</summary>
    public Device Device { get; }

    /// <summary>True when batches are laid out channels-last in memory.</summary>
    public bool ChannelsLast { get; }

    /// <summary>Batches per epoch.</summary>
    public int Count => (int)(DropLast ? _dataset.Count / BatchSize : (_dataset.Count + BatchSize - 1) / BatchSize);

    /// <summary>Yields the batches of one epoch.</summary>
    public IEnumerator<(Tensor Images, Tensor Labels)> GetEnumerator()
    {
        long n = _dataset.Count;
        using var order = Shuffle ? randperm(n, generator: _generator) : arange(n);
        for (int b = 0; b < Count; b++)
        {
            long start = (long)b * BatchSize, length = Math.Min(BatchSize, n - start);
            using var index = order.narrow(0, start, length);
            yield return Gather(index);
        }
    }

    (Tensor Images, Tensor Labels) Gather(Tensor index)
    {
        using var scope = NewDisposeScope();
        var images = _dataset.Images.index_select(0, index);
        var labels = _dataset.Labels.index_select(0, index);
        if (_dataset.Transform is { } transform)
            images = transform.Apply(_dataset.TransformInput(images));
        images = images.to(Device);
        if (ChannelsLast && images.dim() == 4)
            images = images.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2); // NHWC memory, NCHW shape
        labels = labels.to(Device);
        return (images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes the shuffling generator; the dataset stays as it is.</summary>
    public void Dispose() => _generator?.Dispose();
}
