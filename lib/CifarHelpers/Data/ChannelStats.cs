using System.Globalization;
using static TorchSharp.torch;

namespace CifarHelpers.Data;

/// <summary>Per-channel mean and standard deviation of a split, with pixels scaled to [0, 1].</summary>
/// <param name="Mean">The mean of each channel.</param>
/// <param name="Std">The unbiased standard deviation of each channel, as <c>torch.std</c> gives it.</param>
public sealed record ChannelStats(double[] Mean, double[] Std)
{
    /// <summary>
    /// Computes the statistics over every pixel of every image. Raw bytes are counted into a
    /// 256-bin histogram per channel, in parallel chunks, so no float copy of the split is ever made
    /// and the sums are exact; float images are reduced with torch.
    /// </summary>
    public static ChannelStats Of(ImageDataset dataset) => Of(dataset.Images);

    /// <summary>Computes the statistics of <c>[N,C,H,W]</c> images (bytes are scaled by 1/255).</summary>
    public static ChannelStats Of(Tensor images)
    {
        if (images.dim() != 4) throw new ArgumentException("Expected images [N,C,H,W].");
        int channels = (int)images.shape[1];
        if (images.dtype != ScalarType.Byte)
        {
            using var scope = NewDisposeScope();
            var perChannel = images.transpose(0, 1).reshape(channels, -1).to_type(ScalarType.Float64);
            return new ChannelStats(perChannel.mean([1]).data<double>().ToArray(), perChannel.std(1).data<double>().ToArray());
        }

        using var contiguous = images.contiguous();
        long n = images.shape[0];
        int plane = (int)(images.shape[2] * images.shape[3]);
        var total = new long[channels * 256];
        var gate = new Lock();
        unsafe
        {
            // The tensor's memory is native, not moved by the GC: its address stays valid while it lives.
            nint address;
            fixed (byte* p = contiguous.bytes) address = (nint)p;
            Parallel.For(0, (int)((n + 1023) / 1024), () => new long[channels * 256], (chunk, _, hist) =>
            {
                long first = chunk * 1024L, last = Math.Min(n, first + 1024);
                for (long i = first; i < last; i++)
                    for (int c = 0; c < channels; c++)
                    {
                        var bytes = new ReadOnlySpan<byte>((byte*)address + (i * channels + c) * plane, plane);
                        int offset = c * 256;
                        foreach (byte b in bytes) hist[offset + b]++;
                    }
                return hist;
            }, hist =>
            {
                lock (gate) for (int k = 0; k < hist.Length; k++) total[k] += hist[k];
            });
        }

        var mean = new double[channels];
        var std = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            double count = 0, sum = 0;
            for (int v = 0; v < 256; v++) { count += total[c * 256 + v]; sum += total[c * 256 + v] * (v / 255.0); }
            mean[c] = sum / count;
            double squares = 0;
            for (int v = 0; v < 256; v++) { double d = v / 255.0 - mean[c]; squares += total[c * 256 + v] * d * d; }
            std[c] = Math.Sqrt(squares / (count - 1));
        }
        return new ChannelStats(mean, std);
    }

    /// <summary>The statistics as the article prints them: <c>mean tensor([0.4914, 0.4822, 0.4465])</c>.</summary>
    public override string ToString() => $"mean {Format(Mean)}\nstd  {Format(Std)}";

    /// <summary>Formats values as PyTorch prints a 1-D tensor, to four decimals.</summary>
    public static string Format(IEnumerable<double> values) =>
        $"tensor([{string.Join(", ", values.Select(v => v.ToString("0.0000", CultureInfo.InvariantCulture)))}])";
}
