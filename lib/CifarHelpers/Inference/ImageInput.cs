using System.Runtime.InteropServices;
using SkiaSharp;
using static TorchSharp.torch;

namespace CifarHelpers.Inference;

/// <summary>
/// A picture file as the models of this tutorial take it: decoded with SkiaSharp (PNG, JPEG, WebP, BMP, the first
/// frame of a GIF, and whatever else Skia reads), turned upright as its EXIF orientation says, cut to the square in
/// its centre, reduced to 32 × 32 by area averaging, and scaled to <c>float [3, 32, 32]</c> in [0, 1], as
/// <c>ToTensor</c> scales CIFAR-10's bytes. <see cref="Normalize"/> then applies a checkpoint's mean and std.
/// </summary>
/// <remarks>
/// The file's header is read first: a picture whose declared size is above the limit is refused before a byte of
/// pixel memory is allocated, and a file that is not a picture, or is cut short, is refused with the reason. The
/// refusals are <see cref="ImageInputException"/>s.
/// </remarks>
public static class ImageInput
{
    /// <summary>The side of the pictures the models take: 32 pixels, as CIFAR-10's.</summary>
    public const int Side = 32;

    /// <summary>
    /// The largest picture decoded by default: 40 megapixels (for example 7,300 × 5,480). Decoding takes about 7 bytes
    /// a pixel (280 MB at the limit). A phone's photo is 12 to 50 megapixels; pass a larger limit for larger ones.
    /// </summary>
    public const long DefaultMaxPixels = 40_000_000;

    /// <summary>
    /// Reads <paramref name="path"/> and gives the picture as the models take it: <c>float [3, 32, 32]</c> in [0, 1]
    /// (<see cref="Decode(string, long)"/>, <see cref="CentreCrop"/>, then <see cref="Resize"/>).
    /// </summary>
    /// <exception cref="ImageInputException">Missing, not a picture, cut short, or larger than <paramref name="maxPixels"/>.</exception>
    public static Tensor Load(string path, long maxPixels = DefaultMaxPixels)
    {
        using var scope = NewDisposeScope();
        using var picture = Decode(path, maxPixels);
        return Resize(CentreCrop(picture), Side).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Decodes the picture in <paramref name="path"/> as <c>uint8 [H, W, 3]</c> (as <c>Images.Show</c> takes it),
    /// upright; transparent pixels are laid over white. The header is checked before anything is decoded.
    /// </summary>
    /// <exception cref="ImageInputException">Missing, not a picture, cut short, or larger than <paramref name="maxPixels"/>.</exception>
    public static Tensor Decode(string path, long maxPixels = DefaultMaxPixels)
    {
        FileStream file;
        try
        {
            file = File.OpenRead(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ImageInputException("there is no such file", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ImageInputException(Directory.Exists(path) ? "it is a folder, not a file" : "it cannot be read (permission denied)", e);
        }
        catch (IOException e)
        {
            throw new ImageInputException($"it cannot be read ({e.Message})", e);
        }
        using (file) return Decode(file, maxPixels);
    }

    /// <summary>Decodes a picture from <paramref name="stream"/>, as <see cref="Decode(string, long)"/> does from a file.</summary>
    /// <exception cref="ImageInputException">Not a picture, cut short, or larger than <paramref name="maxPixels"/>.</exception>
    public static Tensor Decode(Stream stream, long maxPixels = DefaultMaxPixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPixels, 1);
        if (stream.CanSeek && stream.Length == 0) throw new ImageInputException("the file is empty");
        using var codec = SKCodec.Create(stream, out var result) ?? throw new ImageInputException(result switch
        {
            SKCodecResult.IncompleteInput => "the file is cut short (truncated) before the end of its header",
            _ => "it is not a picture SkiaSharp can read (PNG, JPEG, WebP, BMP, GIF, ...)",
        });
        // The declared size, from the header alone: checked before any pixel memory exists.
        int width = codec.Info.Width, height = codec.Info.Height;
        if (width <= 0 || height <= 0) throw new ImageInputException($"its header declares an empty picture ({width} × {height})");
        if ((long)width * height > maxPixels)
            throw new ImageInputException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"its header declares {width} × {height} pixels, more than the limit of {maxPixels:N0} pixels"));
        if ((long)width * height * 4 > Array.MaxLength)
            throw new ImageInputException($"its header declares {width} × {height} pixels, more than one buffer can hold");

        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize64];
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        SKCodecResult decoded;
        try
        {
            // For an animation (GIF, WebP), frame 0: the first.
            decoded = codec.GetPixels(info, handle.AddrOfPinnedObject(), new SKCodecOptions(0));
        }
        finally
        {
            handle.Free();
        }
        switch (decoded)
        {
            case SKCodecResult.Success:
                break;
            case SKCodecResult.IncompleteInput:
                throw new ImageInputException("the file is cut short (truncated): its pixels end early");
            case SKCodecResult.ErrorInInput:
                throw new ImageInputException("its pixel data is corrupt");
            default:
                throw new ImageInputException($"SkiaSharp cannot decode it ({decoded})");
        }

        using var scope = NewDisposeScope();
        var picture = empty([height, width, 3], ScalarType.Byte);
        Span<byte> rgb = picture.bytes; // the tensor's own memory
        for (int p = 0, n = width * height; p < n; p++)
        {
            int alpha = rgba[4 * p + 3];
            for (int c = 0; c < 3; c++)
                rgb[3 * p + c] = alpha == 255 ? rgba[4 * p + c] : (byte)((rgba[4 * p + c] * alpha + 255 * (255 - alpha) + 127) / 255);
        }
        return Upright(picture, codec.EncodedOrigin).contiguous().MoveToOuterDisposeScope();
    }

    // Turns the stored pixels as the EXIF orientation says, so the picture stands as its camera meant.
    static Tensor Upright(Tensor hwc, SKEncodedOrigin origin) => origin switch
    {
        SKEncodedOrigin.TopRight => hwc.flip(1),
        SKEncodedOrigin.BottomRight => hwc.flip(0, 1),
        SKEncodedOrigin.BottomLeft => hwc.flip(0),
        SKEncodedOrigin.LeftTop => hwc.transpose(0, 1),
        SKEncodedOrigin.RightTop => hwc.transpose(0, 1).flip(1),
        SKEncodedOrigin.RightBottom => hwc.transpose(0, 1).flip(0, 1),
        SKEncodedOrigin.LeftBottom => hwc.transpose(0, 1).flip(0),
        _ => hwc,
    };

    /// <summary>The largest square in the centre of a picture <c>[H, W, C]</c> (a view, no copy).</summary>
    public static Tensor CentreCrop(Tensor picture)
    {
        if (picture.dim() != 3) throw new ArgumentException($"Expected a picture [H, W, C]; got [{string.Join(", ", picture.shape)}].", nameof(picture));
        long height = picture.shape[0], width = picture.shape[1], side = Math.Min(height, width);
        long top = (height - side) / 2, left = (width - side) / 2;
        return picture.narrow(0, top, side).narrow(1, left, side);
    }

    /// <summary>
    /// Reduces (or enlarges) a picture <c>uint8 [H, W, 3]</c> to <c>float [3, size, size]</c> in [0, 1] by area
    /// averaging: each output pixel is the mean of the part of the picture it covers, a pixel that it covers in part
    /// counted by the part it covers (a box filter, like OpenCV's <c>INTER_AREA</c> when reducing). A picture that
    /// is not square is stretched to a square: crop it first with <see cref="CentreCrop"/>.
    /// </summary>
    public static Tensor Resize(Tensor picture, int size = Side)
    {
        if (picture.dim() != 3 || picture.shape[2] != 3 || picture.dtype != ScalarType.Byte)
            throw new ArgumentException($"Expected a picture uint8 [H, W, 3]; got {picture.dtype} [{string.Join(", ", picture.shape)}].", nameof(picture));
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        int height = (int)picture.shape[0], width = (int)picture.shape[1];
        var rows = Bins(height, size);
        var columns = Bins(width, size);
        var sums = new double[size * size * 3];
        var rowSums = new double[size * 3];
        using var contiguous = picture.contiguous();
        ReadOnlySpan<byte> pixels = contiguous.bytes;
        for (int y = 0; y < height; y++)
        {
            Array.Clear(rowSums);
            int rowStart = y * width * 3;
            for (int x = 0; x < width; x++)
            {
                int at = rowStart + 3 * x;
                byte r = pixels[at], g = pixels[at + 1], b = pixels[at + 2];
                foreach (var (bin, weight) in columns[x])
                {
                    rowSums[3 * bin] += weight * r;
                    rowSums[3 * bin + 1] += weight * g;
                    rowSums[3 * bin + 2] += weight * b;
                }
            }
            foreach (var (bin, weight) in rows[y])
                for (int i = 0; i < rowSums.Length; i++)
                    sums[bin * size * 3 + i] += weight * rowSums[i];
        }
        // sums is [size, size, 3] of means in 0..255: to [3, size, size] in [0, 1].
        var result = new float[3 * size * size];
        for (int i = 0; i < size * size; i++)
            for (int c = 0; c < 3; c++)
                result[c * size * size + i] = (float)(sums[3 * i + c] / 255.0);
        return tensor(result, [3, size, size], ScalarType.Float32);
    }

    // For each of n input pixels along an axis, the output bins (of `size`) it overlaps and the weight it has in each:
    // the overlap's length over the bin's length, so each bin's weights sum to 1.
    static List<(int Bin, double Weight)>[] Bins(int n, int size)
    {
        double binLength = (double)n / size;
        var bins = new List<(int, double)>[n];
        for (int x = 0; x < n; x++)
        {
            bins[x] = [];
            int first = (int)Math.Floor(x / binLength), last = Math.Min(size - 1, (int)Math.Ceiling((x + 1) / binLength) - 1);
            for (int bin = first; bin <= last; bin++)
            {
                double overlap = Math.Min(x + 1, (bin + 1) * binLength) - Math.Max(x, bin * binLength);
                if (overlap > 1e-12) bins[x].Add((bin, overlap / binLength));
            }
        }
        return bins;
    }

    /// <summary>
    /// Normalises a picture <c>[3, H, W]</c> (or a batch <c>[B, 3, H, W]</c>) in [0, 1] with a per-channel
    /// <paramref name="mean"/> and <paramref name="std"/>: the ones the model's training images were normalised
    /// with, which its checkpoint records (<c>CheckpointInfo.Mean</c>, <c>Std</c>).
    /// </summary>
    public static Tensor Normalize(Tensor image, IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        int channelDim = image.dim() switch
        {
            3 => 0,
            4 => 1,
            _ => throw new ArgumentException($"Expected [3, H, W] or [B, 3, H, W]; got [{string.Join(", ", image.shape)}].", nameof(image)),
        };
        long channels = image.shape[channelDim];
        if (mean.Count != channels || std.Count != channels)
            throw new ArgumentException($"The picture has {channels} channels; the mean has {mean.Count} values and the std {std.Count}.");
        using var scope = NewDisposeScope();
        var shape = channelDim == 0 ? new long[] { channels, 1, 1 } : [1, channels, 1, 1];
        var m = tensor(mean.Select(v => (float)v).ToArray()).reshape(shape);
        var s = tensor(std.Select(v => (float)v).ToArray()).reshape(shape);
        return image.sub(m).div(s).MoveToOuterDisposeScope();
    }
}

/// <summary>A file that <see cref="ImageInput"/> refuses; the message is the reason, for a reader.</summary>
public sealed class ImageInputException(string message, Exception? inner = null) : Exception(message, inner);
