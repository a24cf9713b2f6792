using CifarHelpers.Models;
using CifarHelpers.Runtime;
using CifarHelpers.Training;
using static TorchSharp.torch;

namespace CifarHelpers.Tests;

/// <summary>The convolutional network's shapes and size, and the image shift of notebook 11.</summary>
[Trait("Category", "Unit")]
public class ConvNetTests
{
    public ConvNetTests() => TorchRuntime.Initialize();

    [Fact]
    public void TheBooksNetHas18090ParametersAndScoresImagesUnflattened()
    {
        using var net = new ConvNet();
        Assert.Equal([432L, 16, 1152, 8, 16384, 32, 64, 2], ModelSummary.ParameterCounts(net));
        using var images = randn(5, 3, 32, 32);
        using var scores = net.forward(images);
        Assert.Equal([5L, 2], scores.shape);
    }

    [Fact]
    public void ShiftMovesRightAndDownWithZeroFill()
    {
        using var image = arange(1, 1 + 2 * 4 * 4, dtype: float32).view(1, 2, 4, 4);
        using var right = ImageShift.Shift(image, dx: 1);
        // Column 0 is zero; column x is the old column x - 1.
        Assert.Equal(0f, right[.., .., .., 0].abs().sum().item<float>());
        Assert.True(right[.., .., .., 1..].allclose(image[.., .., .., ..3]));
        using var down = ImageShift.Shift(image, dx: 0, dy: 2);
        Assert.Equal(0f, down[.., .., ..2, ..].abs().sum().item<float>());
        Assert.True(down[.., .., 2.., ..].allclose(image[.., .., ..2, ..]));
        using var left = ImageShift.Shift(image, dx: -1);
        Assert.Equal(0f, left[.., .., .., 3].abs().sum().item<float>());
        Assert.True(left[.., .., .., ..3].allclose(image[.., .., .., 1..]));
        using var gone = ImageShift.Shift(image, dx: 8);
        Assert.Equal(0f, gone.abs().sum().item<float>());
        using var none = ImageShift.Shift(image, dx: 0);
        Assert.True(none.allclose(image));
    }
}
