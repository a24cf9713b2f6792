namespace CifarHelpers.Runtime;

/// <summary>
/// What <see cref="TorchRuntime.Initialize"/> set up for memory: glibc's malloc keeping freed buffers, and transparent
/// huge pages for libtorch's tensors of 2 MB or more (see the remarks of each member).
/// </summary>
/// <remarks>
/// Huge pages are on by default. To turn them off, set <c>THP_MEM_ALLOC_ENABLE=0</c> in the environment before the
/// process starts, or call <c>Environment.SetEnvironmentVariable("THP_MEM_ALLOC_ENABLE", "0")</c> before the first
/// <see cref="TorchRuntime.Initialize"/> (or <c>Tutorial.Setup</c>) in a notebook. The kernel must allow them too:
/// <c>/sys/kernel/mm/transparent_hugepage/enabled</c> set to <c>madvise</c> (the usual default) or <c>always</c>.
/// </remarks>
public static class MemorySettings
{
    /// <summary>The environment variable libtorch's CPU allocator reads: <c>1</c> for huge pages, <c>0</c> for none.</summary>
    public const string HugePagesVariable = "THP_MEM_ALLOC_ENABLE";

    /// <summary>True when libtorch sees <c>THP_MEM_ALLOC_ENABLE=1</c> in the native environment.</summary>
    public static bool HugePagesForTensors => Allocator.GetNative(HugePagesVariable) == "1";

    /// <summary>True when glibc's malloc was told to keep freed buffers of up to 32 MB.</summary>
    public static bool MallocKeepsFreedBuffers => Allocator.KeepsFreedBuffers;

    /// <summary>The kernel's transparent huge page mode (<c>always</c>, <c>madvise</c>, <c>never</c>), or <c>unknown</c>.</summary>
    public static string KernelHugePages
    {
        get
        {
            try
            {
                string modes = File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled");
                int open = modes.IndexOf('['), close = modes.IndexOf(']');
                return open >= 0 && close > open ? modes[(open + 1)..close] : "unknown";
            }
            catch (IOException) { return "unknown"; }
            catch (UnauthorizedAccessException) { return "unknown"; }
        }
    }

    /// <summary>One line for the runtime summary, e.g. <c>malloc keeps freed buffers under 32 MB; huge pages for tensors of 2 MB and more (THP_MEM_ALLOC_ENABLE=1, kernel THP madvise)</c>.</summary>
    public static string Summary
    {
        get
        {
            string malloc = MallocKeepsFreedBuffers ? $"malloc keeps freed buffers under {Allocator.MmapThresholdBytes >> 20} MB" : "malloc as it ships";
            string value = Allocator.GetNative(HugePagesVariable) ?? "unset";
            string pages = HugePagesForTensors ? "huge pages for tensors of 2 MB and more" : "no huge pages for tensors";
            return $"{malloc}; {pages} ({HugePagesVariable}={value}, kernel THP {KernelHugePages})";
        }
    }
}
