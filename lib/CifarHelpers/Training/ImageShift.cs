using static TorchSharp.torch;

namespace CifarHelpers.Training;

/// <summary>Moves whole images by a number of pixels, for the translation experiment of notebook 11.</summary>
public static class ImageShift
{
    /// <summary>
    /// Shifts every image of <paramref name="images"/> (<c>[N, C, H, W]</c>, or one image <c>[C, H, W]</c>)
    /// <paramref name="dx"/> pixels to the right and <paramref name="dy"/> pixels down (negative values go left
    /// and up). The pixels that leave the image are dropped; the ones that come in are zero. On normalised images
    /// zero is the mean of each channel: a flat mean-coloured border. Returns a new tensor.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions.</exception>
    public static Tensor Shift(Tensor images, int dx, int dy = 0)
    {
        if (images.dim() < 2)
            throw new ArgumentException($"Expected images [N, C, H, W] or [C, H, W], got {images.dim()} dimension(s).", nameof(images));
        long h = images.shape[^2], w = images.shape[^1];
        var result = zeros_like(images);
        if (Math.Abs(dx) >= w || Math.Abs(dy) >= h) return result;
        // The source rows/columns that stay visible, and where they land.
        var (srcY, dstY) = dy >= 0 ? (TensorIndex.Slice(0, h - dy), TensorIndex.Slice(dy, h)) : (TensorIndex.Slice(-dy, h), TensorIndex.Slice(0, h + dy));
        var (srcX, dstX) = dx >= 0 ? (TensorIndex.Slice(0, w - dx), TensorIndex.Slice(dx, w)) : (TensorIndex.Slice(-dx, w), TensorIndex.Slice(0, w + dx));
        using var visible = images[TensorIndex.Ellipsis, srcY, srcX];
        result[TensorIndex.Ellipsis, dstY, dstX] = visible;
        return result;
    }
}
