using CifarHelpers.Data;
using CifarHelpers.Runtime;
using static TorchSharp.torch;

namespace CifarHelpers.Tests;

[Trait("Category", "Unit")]
public class ReaderTests : IDisposable
{
    readonly TestFiles _files = new();

    public ReaderTests() => TorchRuntime.Initialize();

    [Fact]
    public void PixelsAndLabelsComeBackBitExact()
    {
        byte[] first = TestFiles.Records(7, 11), second = TestFiles.Records(5, 12);
        var paths = new[] { _files.Write("a.bin", first), _files.Write("b.bin", second) };

        var (images, labels) = Cifar10Reader.Read(paths);
        using (images)
        using (labels)
        {
            Assert.Equal([12L, 3, 32, 32], images.shape);
            Assert.Equal(ScalarType.Byte, images.dtype);
            Assert.Equal(ScalarType.Int64, labels.dtype);
            var pixels = images.data<byte>().ToArray();
            var got = labels.data<long>().ToArray();
            byte[] all = [.. first, .. second];
            for (int r = 0; r < 12; r++)
            {
                Assert.Equal(all[r * 3073], got[r]);
                Assert.True(all.AsSpan(r * 3073 + 1, 3072).SequenceEqual(pixels.AsSpan(r * 3072, 3072)), $"record {r}");
            }
        }
    }

    [Fact]
    public void ATruncatedFileIsNamedWithItsRecord()
    {
        var bytes = TestFiles.Records(4, 1);
        string path = _files.Write("short.bin", bytes[..(3 * 3073 + 100)]);
        var e = Assert.Throws<InvalidDataException>(() => Cifar10Reader.Read([path]));
        Assert.Contains(path, e.Message);
        Assert.Contains("record 3", e.Message);
    }

    [Fact]
    public void AWrongSizeIsRejected()
    {
        string empty = _files.Write("empty.bin", []);
        Assert.Contains(empty, Assert.Throws<InvalidDataException>(() => Cifar10Reader.Read([empty])).Message);
        string odd = _files.Write("odd.bin", new byte[3072]);
        var e = Assert.Throws<InvalidDataException>(() => Cifar10Reader.Read([odd]));
        Assert.Contains("not a whole number of 3,073-byte records", e.Message);
    }

    [Fact]
    public void ALabelOfTenIsNamedWithFileAndRecord()
    {
        var bytes = TestFiles.Records(6, 2);
        bytes[4 * 3073] = 10;
        string path = _files.Write("label.bin", bytes);
        var e = Assert.Throws<InvalidDataException>(() => Cifar10Reader.Read([path]));
        Assert.Contains(path, e.Message);
        Assert.Contains("record 4", e.Message);
        Assert.Contains("label 10", e.Message);
    }

    public void Dispose() => _files.Dispose();
}
