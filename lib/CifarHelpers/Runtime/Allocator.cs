using System.Runtime.InteropServices;

namespace CifarHelpers.Runtime;

/// <summary>
/// The C library calls behind <see cref="MemorySettings"/>: glibc's malloc keeps a training loop's big buffers, and
/// libtorch puts its big tensors on transparent huge pages.
/// </summary>
/// <remarks>
/// <para>libtorch allocates every CPU tensor with <c>posix_memalign</c> and keeps no cache. glibc serves a 6 MB request (the
/// first layer's weight gradient) with a fresh <c>mmap</c>, or trims it off the heap once it is freed, so each batch
/// faults those pages back in, zeroed by the kernel (bench/README.md has the counts). Buffers under 32 MB are taken
/// from the heap and up to 128 MB of free heap is kept, so an epoch reuses the same pages. The process keeps at most 128 MB it could
/// have returned. There is no managed API for this, so it calls <c>mallopt(3)</c>; on other C libraries it does nothing.</para>
/// <para>Memory touched for the first time still costs one fault per 4 KB page, and on some machines (virtual ones
/// especially) that runs at a fraction of a GB/s. libtorch's CPU allocator reads <c>THP_MEM_ALLOC_ENABLE</c> once, at
/// its first allocation; when it is <c>1</c> it <c>madvise</c>s every buffer of 2 MB or more with
/// <c>MADV_HUGEPAGE</c>, so the kernel maps it in 2 MB pages: one fault instead of 512. .NET's
/// <c>Environment.SetEnvironmentVariable</c> does not reach the native environment on Linux, so the variable is set
/// with libc's <c>setenv</c>.</para>
/// </remarks>
static partial class Allocator
{
    const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;

    /// <summary>Buffers smaller than this come from the heap, not from a mapping of their own.</summary>
    public const int MmapThresholdBytes = 32 << 20;

    /// <summary>How much free memory the heap keeps at its top before returning it.</summary>
    public const int TrimThresholdBytes = 128 << 20;

    /// <summary>True once <see cref="KeepFreedBuffers"/> has applied both settings in this process.</summary>
    public static bool KeepsFreedBuffers { get; private set; }

    /// <summary>Applies both settings; true when the C library took them (glibc on Linux).</summary>
    public static bool KeepFreedBuffers()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return KeepsFreedBuffers = mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes) == 1 && mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false; // musl and others have no mallopt
        }
    }

    /// <summary>
    /// Sets <see cref="MemorySettings.HugePagesVariable"/> in the native environment, before libtorch allocates
    /// anything: to the value the process's (managed) environment gives it, so <c>0</c> turns it off, else to <c>1</c>.
    /// Does nothing off Linux.
    /// </summary>
    public static void ChooseHugePages()
    {
        if (!OperatingSystem.IsLinux()) return;
        string? asked = Environment.GetEnvironmentVariable(MemorySettings.HugePagesVariable);
        SetNative(MemorySettings.HugePagesVariable, string.IsNullOrEmpty(asked) ? "1" : asked);
    }

    /// <summary>The variable's value in the native environment (what libtorch's <c>getenv</c> sees), or null.</summary>
    public static string? GetNative(string name) =>
        OperatingSystem.IsLinux() ? Marshal.PtrToStringUTF8(getenv(name)) : Environment.GetEnvironmentVariable(name);

    /// <summary>Sets a variable in the native environment (libc's <c>setenv</c>, overwriting).</summary>
    public static void SetNative(string name, string value)
    {
        if (setenv(name, value, 1) != 0)
            throw new InvalidOperationException($"setenv({name}) failed with errno {Marshal.GetLastPInvokeError()}.");
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int param, int value);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getenv(string name);
}
