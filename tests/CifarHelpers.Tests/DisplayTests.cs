using CifarHelpers.Notebook;
using CifarHelpers.Runtime;
using SkiaSharp;
using static TorchSharp.torch;

namespace CifarHelpers.Tests;

[Trait("Category", "Unit")]
public class DisplayTests
{
    public DisplayTests() => TorchRuntime.Initialize();

    [Fact]
    public void AnImageBecomesAPngWithItsPixels()
    {
        using var image = zeros(new long[] { 4, 5, 3 }, dtype: ScalarType.Byte);
        image[1, 2] = tensor(new byte[] { 200, 100, 50 });
        using var bitmap = SKBitmap.Decode(Images.Png(image));
        Assert.Equal((5, 4), (bitmap.Width, bitmap.Height));
        Assert.Equal(new SKColor(200, 100, 50), bitmap.GetPixel(2, 1));

        // Floats are clipped to [0, 1] like plt.imshow; [C,H,W] is refused with the remedy.
        using var floats = full(new long[] { 2, 2, 3 }, 2.0f);
        using var clipped = SKBitmap.Decode(Images.Png(floats));
        Assert.Equal(new SKColor(255, 255, 255), clipped.GetPixel(0, 0));
        var e = Assert.Throws<ArgumentException>(() => Images.Png(zeros(3, 32, 32)));
        Assert.Contains(".permute(1, 2, 0)", e.Message);
    }

    [Fact]
    public void AChartRendersAsHtmlThatDrawsWithPlotlyAndKeepsItsTitles()
    {
        var chart = Charts.Lines("Loss \"per\" epoch", "epoch", "loss", ("train", [1.0, 2.0], [0.7, 0.5]));
        string html = Charts.ToHtml(chart).Content;
        Assert.Contains($"id=\"{chart.Id}\"", html);
        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("\"title\":{\"text\":\"Loss \\\"per\\\" epoch\"}", html);
        Assert.Contains("\"title\":{\"text\":\"epoch\"}", html);
        Assert.DoesNotContain("\"title\":\"", html);
        Assert.Contains(Charts.PlotlySrc, html);
    }
}
