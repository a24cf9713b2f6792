using System.Runtime.InteropServices;

namespace CifarHelpers.Runtime;

/// <summary>
/// Keeps glibc's malloc from handing a training loop's big buffers back to the kernel after every batch.
/// </summary>
/// <remarks>
/// libtorch allocates every CPU tensor with <c>posix_memalign</c> and keeps no cache. glibc serves a 6 MB request (the
/// first layer's weight gradient) with a fresh <c>mmap</c>, or trims it off the heap once it is freed, so each batch
/// faults those pages back in, zeroed by the kernel: measured here, 65,000 to 120,000 minor faults and 0.1 to 0.5 s
/// of system time per epoch of the article's autograd loop. With buffers under 32 MB taken from the heap and up to
/// 128 MB of free heap kept, the same epoch takes 0 to 2,000 faults. The process keeps at most 128 MB it could
/// have returned. There is no managed API for this, so it calls <c>mallopt(3)</c>; on other C libraries it does nothing.
/// </remarks>
static partial class Allocator
{
    const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;

    /// <summary>Buffers smaller than this come from the heap, not from a mapping of their own.</summary>
    public const int MmapThresholdBytes = 32 << 20;

    /// <summary>How much free memory the heap keeps at its top before returning it.</summary>
    public const int TrimThresholdBytes = 128 << 20;

    /// <summary>Applies both settings; true when the C library took them (glibc on Linux).</summary>
    public static bool KeepFreedBuffers()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes) == 1 && mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false; // musl and others have no mallopt
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int param, int value);
}
