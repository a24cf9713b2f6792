using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CifarHelpers.Runtime;
using static TorchSharp.torch;

namespace CifarHelpers.Tests;

/// <summary>
/// <see cref="TorchRuntime.Initialize"/> turns on libtorch's huge pages (THP_MEM_ALLOC_ENABLE) in the native
/// environment, and <c>THP_MEM_ALLOC_ENABLE=0</c> turns them off. Each case runs in a fresh process, because libtorch
/// reads the variable once, at its first allocation.
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

    /// <summary>Runs <see cref="Child"/> in a new process, with the variable set to <paramref name="hugePages"/> or unset.</summary>
    static Dictionary<string, string> Run(string? hugePages)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("This test reads /proc/self/smaps.");
        var start = new ProcessStartInfo("dotnet", [typeof(ChildProcess).Assembly.Location, "hugepages"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove(MemorySettings.HugePagesVariable);
        if (hugePages is not null) start.Environment[MemorySettings.HugePagesVariable] = hugePages;
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        string stdout = child.StandardOutput.ReadToEnd();
        if (!child.WaitForExit(120_000)) child.Kill();
        Assert.True(child.ExitCode == 0, $"The child failed ({child.ExitCode}): {stdout}{stderr.Result}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(": ", 2))
                     .Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
    }

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
