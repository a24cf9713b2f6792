using System.Runtime.InteropServices;

namespace CifarHelpers.Tests;

/// <summary>
/// Skips a test, saying why, on a machine that cannot run it. CI runs on Linux as root, where nothing is skipped,
/// and .ci/run fails when any test was.
/// </summary>
static class Requires
{
    [DllImport("libc", EntryPoint = "geteuid")]
    static extern uint GetEuid();

    /// <summary>Linux: glibc's allocator, ELF files, /proc.</summary>
    public static void Linux(string why) =>
        Skip.IfNot(OperatingSystem.IsLinux(), $"Linux only: {why}");

    /// <summary>Root on Linux: the test mounts a small tmpfs.</summary>
    public static void Root(string why)
    {
        Linux(why);
        Skip.IfNot(GetEuid() == 0, $"needs root: {why}");
    }

    /// <summary>Linux x64, where the build takes the libtorch-cpu-linux-x64 natives.</summary>
    public static void LinuxX64(string why)
    {
        Linux(why);
        Skip.IfNot(RuntimeInformation.OSArchitecture == Architecture.X64, $"Linux x64 only: {why}");
    }
}
