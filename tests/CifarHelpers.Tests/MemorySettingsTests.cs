using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CifarHelpers.Runtime;
using Tools.Shared;
using static TorchSharp.torch;

namespace CifarHelpers.Tests;

/// <summary>
/// <see cref="TorchRuntime.Initialize"/> turns on libtorch's huge pages (THP_MEM_ALLOC_ENABLE) in the native
/// environment, and <c>THP_MEM_ALLOC_ENABLE=0</c> turns them off. Each case runs in a fresh process, because libtorch
/// reads the variable once, at its first allocation. The same for glibc's malloc settings (<see cref="Allocator"/>):
/// read back from glibc in a fresh process, with and without them.
/// </summary>
[Trait("Category", "Unit")]
public class MemorySettingsTests
{
    [Fact]
    public void InitializeTurnsOnHugePagesForLibTorch()
    {
        var child = Run(hugePages: null);
        Assert.Equal("1", child["native"]); // what libtorch's getenv sees, not the managed copy
        Assert.Equal("True", child["madvised"]); // libtorch took it: its 8 MB tensor lies in a MADV_HUGEPAGE region
        Assert.Contains("huge pages for tensors of 2 MB and more (THP_MEM_ALLOC_ENABLE=1", child["summary"]);
    }

    [Fact]
    public void ZeroInTheEnvironmentTurnsThemOff()
    {
        var child = Run(hugePages: "0");
        Assert.Equal("0", child["native"]);
        Assert.Equal("False", child["madvised"]);
        Assert.Contains("no huge pages for tensors (THP_MEM_ALLOC_ENABLE=0", child["summary"]);
    }

    [SkippableFact]
    public void InitializeTellsMallocToKeepFreedBuffersAndItDoes()
    {
        Requires.Linux("it reads glibc's malloc chunks and statistics");
        var child = RunChild("malloc", "keep");
        Assert.Equal("True", child["keeps_freed_buffers"]);
        // The control: over glibc's 32 MB ceiling for its threshold, a buffer always gets a mapping of its own.
        Assert.Equal("True", child["mmapped_48mb"]);
        // M_MMAP_THRESHOLD: a 16 MB buffer comes from the heap, not from a mapping of its own.
        Assert.Equal("False", child["mmapped_16mb"]);
        // M_TRIM_THRESHOLD: once freed, those 16 MB stay in the heap as free memory, not handed back to the kernel.
        Assert.True(double.Parse(child["freed_kept_mb"], CultureInfo.InvariantCulture) >= 15, $"{child["freed_kept_mb"]} MB kept of the 16 MB freed");
    }

    [SkippableFact]
    public void WithoutTheSettingsMallocIsLeftAsItShips()
    {
        Requires.Linux("it reads glibc's malloc chunks");
        var child = RunChild("malloc", "default");
        Assert.Equal("False", child["keeps_freed_buffers"]);
        Assert.StartsWith("malloc as it ships;", child["summary"]);
        // Where glibc's own heuristics put a 16 MB buffer and what they trim is theirs to choose (bench/ measures
        // the faults that follow); only the control is fixed.
        Assert.Equal("True", child["mmapped_48mb"]);
    }

    /// <summary>Runs <see cref="Child"/> in a new process, with the variable set to <paramref name="hugePages"/> or unset.</summary>
    static Dictionary<string, string> Run(string? hugePages)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("This test reads /proc/self/smaps.");
        return RunChild(new Dictionary<string, string?> { [MemorySettings.HugePagesVariable] = hugePages }, "hugepages");
    }

    /// <summary>Runs this assembly's <see cref="ChildProcess"/> with <paramref name="arguments"/>; its "name: value" lines.</summary>
    static Dictionary<string, string> RunChild(params string[] arguments) => RunChild(null, arguments);

    static Dictionary<string, string> RunChild(IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var child = Exec.Run("dotnet", [typeof(ChildProcess).Assembly.Location, .. arguments], TimeSpan.FromMinutes(2), environment: environment);
        Assert.True(child.ExitCode == 0, $"The child failed ({child.ExitCode}{(child.TimedOut ? ", timed out" : "")}): {child.Output}");
        return child.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(": ", 2))
                    .Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].TrimEnd('\r'));
    }

    /// <summary>
    /// In the child: initialises the runtime with or without the malloc settings and reads back from glibc, on this
    /// (the main) thread, whether a 16 MB and a 48 MB buffer got a mapping of their own (the IS_MMAPPED bit of the
    /// chunk's size word), and how much of the 16 MB stays free in the heap once freed (mallinfo2's fordblks).
    /// </summary>
    internal static int MallocChild(bool keepFreedBuffers)
    {
        TorchRuntime.Initialize(keepFreedBuffers);
        Console.WriteLine($"keeps_freed_buffers: {MemorySettings.MallocKeepsFreedBuffers}");
        Console.WriteLine($"summary: {MemorySettings.Summary}");

        nint big = Marshal.AllocHGlobal(48 << 20); // malloc
        Console.WriteLine($"mmapped_48mb: {IsMmapped(big)}");
        Marshal.FreeHGlobal(big);

        nint buffer = Marshal.AllocHGlobal(16 << 20);
        Console.WriteLine($"mmapped_16mb: {IsMmapped(buffer)}");
        long freeBefore = (long)mallinfo2().FreeBytes;
        Marshal.FreeHGlobal(buffer);
        long freeAfter = (long)mallinfo2().FreeBytes;
        Console.WriteLine(FormattableString.Invariant($"freed_kept_mb: {(freeAfter - freeBefore) / (double)(1 << 20)}"));
        return 0;
    }

    /// <summary>glibc's IS_MMAPPED flag (0x2) in the size word just before a chunk's user memory.</summary>
    static bool IsMmapped(nint pointer) => (Marshal.ReadInt64(pointer, -8) & 0x2) != 0;

    /// <summary>glibc's <c>struct mallinfo2</c>: ten size_t counters, summed over all arenas.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct MallInfo2
    {
        public nuint Arena, OrdBlks, SmBlks, HBlks, HBlkHd, UsmBlks, FsmBlks, UordBlks, FreeBytes, KeepCost;
    }

    [DllImport("libc")]
    static extern MallInfo2 mallinfo2();

    /// <summary>
    /// In the child: initialises the runtime, allocates an 8 MB tensor and prints the native value of the variable,
    /// whether the tensor's memory lies in a region marked for huge pages (<c>hg</c> in its smaps VmFlags), and the summary.
    /// </summary>
    internal static int Child()
    {
        TorchRuntime.Initialize();
        using var big = zeros(2 << 20); // 8 MB of floats
        // The address of the tensor's first byte: its offset from null.
        nint address = Unsafe.ByteOffset(ref Unsafe.NullRef<byte>(), ref MemoryMarshal.GetReference(big.bytes));
        Console.WriteLine($"native: {Allocator.GetNative(MemorySettings.HugePagesVariable) ?? "(unset)"}");
        Console.WriteLine($"madvised: {VmFlags(address).Contains("hg")}");
        Console.WriteLine($"summary: {MemorySettings.Summary}");
        return 0;
    }

    /// <summary>The VmFlags of the mapping that holds <paramref name="address"/>, from /proc/self/smaps.</summary>
    static string[] VmFlags(nint address)
    {
        bool inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-');
            int space = line.IndexOf(' ');
            if (dash > 0 && space > dash && ulong.TryParse(line[..dash], NumberStyles.HexNumber, null, out ulong from)
                && ulong.TryParse(line[(dash + 1)..space], NumberStyles.HexNumber, null, out ulong to))
                inside = (ulong)address >= from && (ulong)address < to;
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
                return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        throw new InvalidOperationException($"No mapping in /proc/self/smaps holds 0x{address:x}.");
    }
}
