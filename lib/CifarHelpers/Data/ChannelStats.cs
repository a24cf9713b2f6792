using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace CifarHelpers.Data;

/// <summary>Per-channel mean and standard deviation of a split, with pixels scaled to [0, 1].</summary>
/// <param name="Mean">The mean of each channel.</param>
/// <param name="Std">The unbiased standard deviation of each channel, as <c>torch.std</c> gives it.</param>
public sealed record ChannelStats(double[] Mean, double[] Std)
{
    /// <summary>
    /// Computes the statistics over every pixel of every image. For raw bytes the sum and the sum of squares of each
    /// channel are added up as integers, with SIMD and in parallel chunks, so no float copy of the split is ever made
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
        var sums = new long[channels];
        var squares = new long[channels];
        var gate = new Lock();
        unsafe
        {
            // The tensor's memory is native, not moved by the GC: its address stays valid while it lives.
            nint address;
            fixed (byte* p = contiguous.bytes) address = (nint)p;
            Parallel.For(0, (int)((n + 1023) / 1024), () => new long[2 * channels], (chunk, _, partial) =>
            {
                long first = chunk * 1024L, last = Math.Min(n, first + 1024);
                for (long i = first; i < last; i++)
                    for (int c = 0; c < channels; c++)
                    {
                        var (sum, sumOfSquares) = SumAndSquares(new ReadOnlySpan<byte>((byte*)address + (i * channels + c) * plane, plane));
                        partial[c] += sum;
                        partial[channels + c] += sumOfSquares;
                    }
                return partial;
            }, partial =>
            {
                lock (gate)
                    for (int c = 0; c < channels; c++) { sums[c] += partial[c]; squares[c] += partial[channels + c]; }
            });
        }

        return FromSums(sums, squares, n * plane);
    }

    /// <summary>Mean and unbiased std from exact integer sums: mean = S / (255 n), variance = (n Q - S²) / (n (n - 1)) / 255².</summary>
    static ChannelStats FromSums(long[] sums, long[] squares, long count)
    {
        var mean = new double[sums.Length];
        var std = new double[sums.Length];
        for (int c = 0; c < sums.Length; c++)
        {
            mean[c] = sums[c] / 255.0 / count;
            Int128 spread = (Int128)count * squares[c] - (Int128)sums[c] * sums[c];
            std[c] = Math.Sqrt((double)spread / ((double)count * (count - 1))) / 255.0;
        }
        return new ChannelStats(mean, std);
    }

    /// <summary>Adds up the statistics of byte images one at a time, as they stream past; the result equals <see cref="Of(Tensor)"/>.</summary>
    internal sealed class Accumulator(int channels, int plane)
    {
        readonly long[] _sums = new long[channels], _squares = new long[channels];
        long _images;

        /// <summary>Adds one image, <c>C×H×W</c> bytes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(ReadOnlySpan<byte> image)
        {
            for (int c = 0; c < channels; c++)
            {
                var (sum, squares) = SumAndSquares(image.Slice(c * plane, plane));
                _sums[c] += sum;
                _squares[c] += squares;
            }
            _images++;
        }

        /// <summary>The statistics of the images added so far.</summary>
        public ChannelStats Result() => FromSums(_sums, _squares, _images * plane);
    }

    /// <summary>The sum of the bytes and the sum of their squares, exact, with SIMD where the machine has it.</summary>
    /// <remarks>
    /// Compiled optimised from its first call (the data path's hot loops all are): with tiered compilation a method
    /// starts unoptimised, where <c>Vector&lt;T&gt;</c> is slow, and a notebook's single pass over the data ran much
    /// of its work in that first tier.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (long Sum, long Squares) SumAndSquares(ReadOnlySpan<byte> bytes)
    {
        long sum = 0, squares = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Each step adds at most 4·255 (sums) and 4·255² (squares) to a 32-bit lane: 4,096 steps fit before a flush.
            const int StepsPerFlush = 4096;
            int width = Vector<byte>.Count;
            while (bytes.Length - i >= width)
            {
                Vector<uint> sum32 = Vector<uint>.Zero, squares32 = Vector<uint>.Zero;
                for (int step = 0; step < StepsPerFlush && bytes.Length - i >= width; step++, i += width)
                {
                    Vector.Widen(new Vector<byte>(bytes[i..]), out Vector<ushort> low, out Vector<ushort> high);
                    Vector.Widen(low + high, out Vector<uint> s0, out Vector<uint> s1);
                    Vector.Widen(low * low, out Vector<uint> q0, out Vector<uint> q1);
                    Vector.Widen(high * high, out Vector<uint> q2, out Vector<uint> q3);
                    sum32 += s0 + s1;
                    squares32 += q0 + q1 + q2 + q3;
                }
                sum += Total(sum32);
                squares += Total(squares32);
            }
        }
        for (; i < bytes.Length; i++)
        {
            sum += bytes[i];
            squares += bytes[i] * bytes[i];
        }
        return (sum, squares);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static long Total(Vector<uint> lanes)
    {
        Vector.Widen(lanes, out Vector<ulong> low, out Vector<ulong> high);
        return (long)Vector.Sum(low + high);
    }

    /// <summary>The statistics as the article prints them: <c>mean tensor([0.4914, 0.4822, 0.4465])</c>.</summary>
    public override string ToString() => $"mean {Format(Mean)}\nstd  {Format(Std)}";

    /// <summary>Formats values as PyTorch prints a 1-D tensor, to four decimals.</summary>
    public static string Format(IEnumerable<double> values) =>
        $"tensor([{string.Join(", ", values.Select(v => v.ToString("0.0000", CultureInfo.InvariantCulture)))}])";
}
