using static TorchSharp.torch;

namespace CifarHelpers.Data;

/// <summary>Reads CIFAR-10 binary files in bulk: one image tensor and one label tensor per split.</summary>
public static class Cifar10Reader
{
    /// <summary>
    /// Reads the files, in order, into <c>uint8 [N,3,32,32]</c> images and <c>int64 [N]</c> labels.
    /// The pixels are copied straight from the file bytes into the tensor; no per-image tensor is made.
    /// </summary>
    /// <exception cref="InvalidDataException">A file's size is not a whole number of records, or a label is
    /// not in 0..9. The message names the file and the record.</exception>
    public static (Tensor Images, Tensor Labels) Read(IReadOnlyList<string> files)
    {
        const int record = Cifar10Format.RecordBytes, image = Cifar10Format.ImageBytes;
        var counts = new long[files.Count];
        for (int f = 0; f < files.Count; f++)
        {
            long length = new FileInfo(files[f]).Length;
            if (length == 0 || length % record != 0)
                throw new InvalidDataException(
                    $"{files[f]} has {length:N0} bytes, which is not a whole number of {record:N0}-byte records " +
                    $"(record {length / record:N0} is cut short). The file is truncated or not CIFAR-10: prepare the data again.");
            counts[f] = length / record;
        }

        long n = counts.Sum();
        var images = empty([n, Cifar10Format.Channels, Cifar10Format.Side, Cifar10Format.Side], ScalarType.Byte);
        var labels = new long[n];
        try
        {
            Span<byte> pixels = images.bytes;
            var buffer = new byte[counts.Max() * record];
            long at = 0;
            for (int f = 0; f < files.Count; f++)
            {
                int length = (int)(counts[f] * record);
                using (var handle = File.OpenHandle(files[f]))
                {
                    int read = 0;
                    while (read < length)
                    {
                        int got = RandomAccess.Read(handle, buffer.AsSpan(read, length - read), read);
                        if (got == 0) throw new InvalidDataException($"{files[f]} ended early, at byte {read:N0}.");
                        read += got;
                    }
                }
                for (int r = 0; r < counts[f]; r++, at++)
                {
                    int offset = r * record;
                    byte label = buffer[offset];
                    if (label > 9)
                        throw new InvalidDataException(
                            $"{files[f]}, record {r:N0} (byte {offset:N0}): label {label} is not in 0..9.");
                    labels[at] = label;
                    buffer.AsSpan(offset + 1, image).CopyTo(pixels.Slice((int)(at * image), image));
                }
            }
            return (images, tensor(labels));
        }
        catch
        {
            images.Dispose();
            throw;
        }
    }
}
