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
        new(Figure(image, zoom, caption));

    /// <summary>Shows images H×W×C in a grid, each with its caption.</summary>
    public static Html Grid(IEnumerable<(Tensor Image, string Caption)> items, int columns = 8, int zoom = 3)
    {
        var figures = items.Select(item => Figure(item.Image, zoom, item.Caption));
        return new Html($"<div style=\"display:grid;grid-template-columns:repeat({columns},max-content);gap:6px\">{string.Concat(figures)}</div>");
    }

    /// <summary>Encodes one image H×W×C as PNG bytes.</summary>
    public static byte[] Png(Tensor image)
    {
        if (image.dim() != 3 || image.shape[2] is not (1 or 3))
            throw new ArgumentException($"Expected an image laid out [H,W,C] with C = 1 or 3; got [{string.Join(",", image.shape)}]. " +
                                        "A [C,H,W] tensor needs .permute(1, 2, 0) first.");
        using var scope = NewDisposeScope();
        var bytes = image.dtype == ScalarType.Byte
            ? image
            : image.clamp(0, 1).mul(255).round().to_type(ScalarType.Byte);
        if (bytes.shape[2] == 1) bytes = bytes.expand(-1, -1, 3);
        var rgb = bytes.cpu().contiguous().data<byte>().ToArray();

        int height = (int)image.shape[0], width = (int)image.shape[1];
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
