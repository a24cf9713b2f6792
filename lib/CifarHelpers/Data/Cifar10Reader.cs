using System.Globalization;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace CifarHelpers.Data;

/// <summary>Reads CIFAR-10 binary files in bulk: one image tensor and one label tensor per split.</summary>
public static class Cifar10Reader
{
    /// <summary>Records read per call: 786 KB, a buffer that stays in the cache.</summary>
    const int RecordsPerChunk = 256;

    /// <summary>Receives consecutive whole records (label byte, then the image) and the index of the first one over all files.</summary>
    internal delegate void RecordsVisitor(ReadOnlySpan<byte> records, long first, int count);

    /// <summary>
    /// Reads the files, in order, into <c>uint8 [N,3,32,32]</c> images and <c>int64 [N]</c> labels.
    /// The pixels are copied straight from the file bytes into the tensor; no per-image tensor is made.
    /// </summary>
    /// <exception cref="InvalidDataException">A file's size is not a whole number of records, or a label is
    /// not in 0..9. The message names the file and the record.</exception>
    public static (Tensor Images, Tensor Labels) Read(IReadOnlyList<string> files)
    {
        const int record = Cifar10Format.RecordBytes, image = Cifar10Format.ImageBytes;
        long n = Count(files);
        var images = empty([n, Cifar10Format.Channels, Cifar10Format.Side, Cifar10Format.Side], ScalarType.Byte);
        var labels = new long[n];
        try
        {
            unsafe
            {
                // The tensor's memory is native, not moved by the GC: its address stays valid while it lives.
                nint address;
                fixed (byte* p = images.bytes) address = (nint)p;
                // Optimised from the first call, as ChannelStats.SumAndSquares and for the same reason.
                Scan(files, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (records, first, count) =>
                {
                    var pixels = new Span<byte>((byte*)address + first * image, count * image);
                    for (int r = 0; r < count; r++)
                    {
                        labels[first + r] = records[r * record];
                        records.Slice(r * record + 1, image).CopyTo(pixels.Slice(r * image, image));
                    }
                });
            }
            return (images, tensor(labels));
        }
        catch
        {
            images.Dispose();
            throw;
        }
    }

    /// <summary>The number of records in the files, after checking that each holds whole records.</summary>
    internal static long Count(IReadOnlyList<string> files)
    {
        long n = 0;
        foreach (var file in files)
        {
            long length = new FileInfo(file).Length;
            if (length == 0 || length % Cifar10Format.RecordBytes != 0)
                throw new InvalidDataException(
                    string.Create(CultureInfo.InvariantCulture, $"{file} has {length:N0} bytes, which is not a whole number of {Cifar10Format.RecordBytes:N0}-byte records ") +
                    string.Create(CultureInfo.InvariantCulture, $"(record {length / Cifar10Format.RecordBytes:N0} is cut short). The file is truncated or not CIFAR-10: prepare the data again."));
            n += length / Cifar10Format.RecordBytes;
        }
        return n;
    }

    /// <summary>
    /// Reads the files, in order, in chunks of whole records through one small buffer that is reused for every chunk,
    /// and hands each chunk to <paramref name="visit"/> once its labels are checked. A buffer the size of a file (30 MB)
    /// would be memory touched for the first time on every call: 7,500 page faults.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Scan(IReadOnlyList<string> files, RecordsVisitor visit)
    {
        const int record = Cifar10Format.RecordBytes;
        Count(files);
        var buffer = new byte[RecordsPerChunk * record];
        long at = 0;
        foreach (var file in files)
        {
            using var handle = File.OpenHandle(file);
            long records = RandomAccess.GetLength(handle) / record;
            for (long firstRecord = 0; firstRecord < records; firstRecord += RecordsPerChunk)
            {
                int count = (int)Math.Min(RecordsPerChunk, records - firstRecord);
                long start = firstRecord * record;
                var chunk = buffer.AsSpan(0, count * record);
                int read = 0;
                while (read < chunk.Length)
                {
                    int got = RandomAccess.Read(handle, chunk[read..], start + read);
                    if (got == 0) throw EndedEarly(file, start + read);
                    read += got;
                }
                for (int r = 0; r < count; r++)
                {
                    byte label = chunk[r * record];
                    if (label > 9) throw BadLabel(file, firstRecord + r, start + (long)r * record, label);
                }
                visit(chunk, at, count);
                at += count;
            }
        }
    }

    // The messages of the scan's two failures, built outside its loop so the loop stays small (it is compiled optimised
    // from its first call); figures in the invariant culture, as everywhere the library prints.
    static InvalidDataException EndedEarly(string file, long at) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{file} ended early, at byte {at:N0}."));

    static InvalidDataException BadLabel(string file, long recordIndex, long at, byte label) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{file}, record {recordIndex:N0} (byte {at:N0}): label {label} is not in 0..9."));
}
