using System.Net;
using SkiaSharp;
using static TorchSharp.torch;

namespace CifarHelpers.Notebook;

/// <summary>Images as inline PNGs: one image, or a labelled grid. The stand-in for the article's <c>plt.imshow</c>.</summary>
public static class Images
{
    /// <summary>
    /// Shows one image laid out H×W×C, as <c>plt.imshow</c> takes it: <c>uint8</c> bytes, or floats that are
    /// clipped to [0, 1] as matplotlib clips them.
    /// </summary>
    /// <param name="image"><c>[H,W,3]</c> (or <c>[H,W,1]</c>).</param>
    /// <param name="zoom">How many screen pixels per image pixel.</param>
    /// <param name="caption">A caption under the image.</param>
    public static Html Show(Tensor image, int zoom = 6, string? caption = null) =>
        new(Figure(image, zoom, caption)) { Png = Tile([image], columns: 1, zoom), Text = caption };

    /// <summary>Shows images H×W×C in a grid, each with its caption.</summary>
    public static Html Grid(IEnumerable<(Tensor Image, string Caption)> items, int columns = 8, int zoom = 3)
    {
        var list = items.ToList();
        var figures = list.Select(item => Figure(item.Image, zoom, item.Caption));
        return new Html($"<div style=\"display:grid;grid-template-columns:repeat({columns},max-content);gap:6px\">{string.Concat(figures)}</div>")
        {
            Png = Tile(list.Select(item => item.Image).ToList(), columns, zoom),
            Text = $"{list.Count} images, {columns} to a row: {string.Join(", ", list.Select(item => item.Caption))}",
        };
    }

    /// <summary>Encodes one image H×W×C as PNG bytes.</summary>
    public static byte[] Png(Tensor image)
    {
        using var scope = NewDisposeScope();
        return Encode(Rgb(image));
    }

    /// <summary>
    /// Lays images H×W×C out in rows of <paramref name="columns"/>, each enlarged <paramref name="zoom"/> times
    /// (nearest neighbour) with a 6-pixel white gap, and encodes the sheet as one PNG.
    /// </summary>
    public static byte[] Tile(IReadOnlyList<Tensor> images, int columns = 8, int zoom = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(zoom, 1);
        if (images.Count == 0) throw new ArgumentException("There are no images to lay out.", nameof(images));
        using var scope = NewDisposeScope();
        const int gap = 6;
        var tiles = images.Select(image => Rgb(image).repeat_interleave(zoom, 0).repeat_interleave(zoom, 1)).ToList();
        long cellH = tiles.Max(t => t.shape[0]), cellW = tiles.Max(t => t.shape[1]);
        int cols = Math.Min(columns, tiles.Count), rows = (tiles.Count + cols - 1) / cols;
        var sheet = full(rows * cellH + (rows - 1) * gap, cols * cellW + (cols - 1) * gap, 3, (byte)255, dtype: ScalarType.Byte);
        for (int i = 0; i < tiles.Count; i++)
        {
            long top = i / cols * (cellH + gap), left = i % cols * (cellW + gap);
            sheet[TensorIndex.Slice(top, top + tiles[i].shape[0]), TensorIndex.Slice(left, left + tiles[i].shape[1])] = tiles[i];
        }
        return Encode(sheet);
    }

    // The image as uint8 [H,W,3].
    static Tensor Rgb(Tensor image)
    {
        if (image.dim() != 3 || image.shape[2] is not (1 or 3))
            throw new ArgumentException($"Expected an image laid out [H,W,C] with C = 1 or 3; got [{string.Join(",", image.shape)}]. " +
                                        "A [C,H,W] tensor needs .permute(1, 2, 0) first.");
        var bytes = image.dtype == ScalarType.Byte
            ? image.alias()
            : image.clamp(0, 1).mul(255).round().to_type(ScalarType.Byte);
        return bytes.shape[2] == 1 ? bytes.expand(-1, -1, 3) : bytes;
    }

    static byte[] Encode(Tensor rgbImage)
    {
        var rgb = rgbImage.cpu().contiguous().data<byte>().ToArray();
        int height = (int)rgbImage.shape[0], width = (int)rgbImage.shape[1];
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[width * height * 4];
        for (int p = 0; p < width * height; p++)
        {
            rgba[4 * p] = rgb[3 * p];
            rgba[4 * p + 1] = rgb[3 * p + 1];
            rgba[4 * p + 2] = rgb[3 * p + 2];
            rgba[4 * p + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    static string Figure(Tensor image, int zoom, string? caption)
    {
        string src = "data:image/png;base64," + Convert.ToBase64String(Png(image));
        long w = image.shape[1] * zoom, h = image.shape[0] * zoom;
        string img = $"<img src=\"{src}\" width=\"{w}\" height=\"{h}\" style=\"image-rendering:pixelated\" alt=\"{WebUtility.HtmlEncode(caption ?? "image")}\"/>";
        return caption is null
            ? $"<figure style=\"margin:0\">{img}</figure>"
            : $"<figure style=\"margin:0\">{img}<figcaption style=\"text-align:center;font-size:12px\">{WebUtility.HtmlEncode(caption)}</figcaption></figure>";
    }
}
