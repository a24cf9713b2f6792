using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using TorchSharp;

namespace CifarHelpers.Runtime;

/// <summary>
/// Makes TorchSharp's native libraries load. Call <see cref="Initialize"/> before any use of <c>torch</c>.
/// </summary>
/// <remarks>
/// On Linux the libtorch libraries are loaded first by absolute path, so that another libtorch on the
/// system (Debian's libtorch-dev, say) is never picked up by name. TorchSharp 0.107.0's
/// <c>libLibTorchSharp.so</c> needs <c>GLIBCXX_3.4.32</c> (GCC 13) only for the marker symbol
/// <c>std::ios_base_library_init()</c>, which none of its relocations uses. Where the system's libstdc++
/// is older (Debian 12, Ubuntu 22.04), a private copy of the file with that one need flagged weak is
/// loaded instead. The NuGet cache is never changed. Everywhere else TorchSharp loads as it ships.
/// It also tells glibc's malloc to keep freed buffers of up to 32 MB (see <see cref="Allocator"/>), so that a
/// training loop does not fault its gradient buffers back in, page by page, every batch.
/// </remarks>
public static partial class TorchRuntime
{
    /// <summary>The libtorch version that TorchSharp is built against, as pinned in Directory.Packages.props.</summary>
    public static string LibTorchVersion { get; } = Pinned("LibTorchVersion");

    /// <summary>The TorchSharp version this library is built against, as pinned in Directory.Packages.props.</summary>
    public static string TorchSharpVersion { get; } = Pinned("TorchSharpVersion");

    // Written into the assembly at build time from Directory.Packages.props (CifarHelpers.csproj).
    static string Pinned(string key) =>
        typeof(TorchRuntime).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>The one symbol that binds <see cref="MarkerVersion"/> in TorchSharp's shim, used by no relocation.</summary>
    public const string MarkerSymbol = "_ZSt21ios_base_library_initv";

    /// <summary>The only libstdc++ version need that may safely be made weak.</summary>
    public const string MarkerVersion = "GLIBCXX_3.4.32";

    static readonly Lock Gate = new();
    static string? _summary;

    /// <summary>
    /// Loads the native libraries once per process and returns one line saying what was done.
    /// Later calls return the same line and do nothing.
    /// </summary>
    /// <param name="keepFreedBuffers">
    /// Tell glibc's malloc to keep freed buffers (see <see cref="Allocator"/>). Pass false to leave malloc as it is,
    /// for example to measure a loop the way it runs without this library.
    /// </param>
    /// <exception cref="TorchLoadException">The natives cannot be loaded; the message names the cause and the remedy.</exception>
    public static string Initialize(bool keepFreedBuffers = true)
    {
        lock (Gate)
        {
            if (_summary is not null) return _summary;
            Allocator.ChooseHugePages(); // before libtorch's first allocation; see MemorySettings
            string summary = OperatingSystem.IsLinux() ? LoadOnLinux() : "TorchSharp loaded as it ships";
            if (keepFreedBuffers) Allocator.KeepFreedBuffers();
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (TypeInitializationException e)
            {
                throw new TorchLoadException(
                    "TorchSharp was used before TorchRuntime.Initialize() and failed to load; that failure " +
                    "sticks for the life of the process. Restart the kernel (or process) and call " +
                    "TorchRuntime.Initialize() first.", e);
            }
            catch (NotSupportedException e)
            {
                throw new TorchLoadException($"TorchSharp could not load its native backend after set-up: {e.Message}", e);
            }
            return _summary = summary;
        }
    }

    static string LoadOnLinux()
    {
        var locations = NativeLocations.Find(typeof(torch).Assembly);

        // Load libtorch by absolute path, dependencies first, so no other libtorch can be found by name.
        nint torchCpu = 0;
        foreach (var file in locations.LibTorchFiles)
        {
            nint handle = LoadOrExplain(file);
            if (Path.GetFileName(file) == "libtorch_cpu.so") torchCpu = handle;
        }

        string shipped = locations.LibTorchSharp;
        string summary;
        nint libTorchSharp;
        try
        {
            libTorchSharp = NativeLibrary.Load(shipped);
            summary = $"TorchSharp loaded as it ships (libtorch {LibTorchVersion} from {locations.LibTorchDir})";
        }
        catch (DllNotFoundException e) when (MissingVersion(e.Message) == MarkerVersion)
        {
            string copy = PatchedCopy(shipped);
            libTorchSharp = LoadOrExplain(copy);
            summary = $"TorchSharp: this libstdc++ lacks {MarkerVersion}; loaded a copy of libLibTorchSharp.so " +
                      $"with that one need flagged weak ({copy})";
        }
        catch (DllNotFoundException e)
        {
            throw Explain(shipped, e);
        }

        Register(typeof(torch).Assembly, libTorchSharp, torchCpu);
        return summary;
    }

    static void Register(Assembly torchSharp, nint libTorchSharp, nint torchCpu)
    {
        try
        {
            NativeLibrary.SetDllImportResolver(torchSharp, (name, _, _) => name switch
            {
                "LibTorchSharp" or "libLibTorchSharp" or "libLibTorchSharp.so" => libTorchSharp,
                "torch_cpu" or "libtorch_cpu" or "libtorch_cpu.so" => torchCpu,
                _ => 0,
            });
        }
        catch (InvalidOperationException e)
        {
            throw new TorchLoadException(
                "Another component has already set a native library resolver for TorchSharp in this process. " +
                "Restart the kernel (or process) and call TorchRuntime.Initialize() before anything else.", e);
        }
    }

    /// <summary>
    /// Returns a private copy of the file with the marker need flagged weak, written to a temporary name and renamed
    /// into place. An existing copy is used only when its SHA-256 is that of the patch made from the shipped file now
    /// (the folder is named by the shipped file's hash); a torn or altered copy is written again.
    /// </summary>
    /// <exception cref="TorchLoadException">A symbol other than the marker binds the marker version: the library really
    /// uses GCC 13's libstdc++, and flagging the need weak would break it.</exception>
    internal static string PatchedCopy(string shipped, string? cacheRoot = null)
    {
        byte[] original = File.ReadAllBytes(shipped);
        var bound = ElfVersionNeeds.SymbolsBoundTo(original, MarkerVersion, shipped).Where(s => s != MarkerSymbol).ToList();
        if (bound.Count > 0)
            throw new TorchLoadException(
                $"{shipped} uses {string.Join(", ", bound.Take(3))}{(bound.Count > 3 ? $" and {bound.Count - 3} more" : "")} " +
                $"from {MarkerVersion}, which this system's libstdc++ lacks; it cannot be patched to load. Install a newer " +
                "libstdc++ (GCC 13 or later: Debian 13, Ubuntu 24.04) or use a machine that has one.");

        byte[] patched = ElfVersionNeeds.MarkWeak(original, MarkerVersion, shipped);
        byte[] expected = SHA256.HashData(patched);
        string key = Convert.ToHexStringLower(SHA256.HashData(original))[..16];
        string dir = Path.Combine(cacheRoot ?? CacheRoot(), "natives", $"libtorchsharp-{key}");
        string target = Path.Combine(dir, "libLibTorchSharp.so");
        if (File.Exists(target))
        {
            using var stream = File.OpenRead(target);
            if (SHA256.HashData(stream).AsSpan().SequenceEqual(expected)) return target;
        }

        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".libLibTorchSharp.so.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, patched);
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
        return target;
    }

    static string CacheRoot()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrEmpty(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "cifar-helpers");
    }

    static nint LoadOrExplain(string path)
    {
        try
        {
            return NativeLibrary.Load(path);
        }
        catch (DllNotFoundException e)
        {
            throw Explain(path, e);
        }
    }

    internal static string? MissingVersion(string dlerror)
    {
        var m = MissingVersionPattern().Match(dlerror);
        return m.Success ? m.Groups[1].Value : null;
    }

    static TorchLoadException Explain(string path, DllNotFoundException e)
    {
        string? version = MissingVersion(e.Message);
        string remedy = version is not null
            ? $"The system's C++ runtime lacks {version}. Install a newer libstdc++ (GCC 13 or later: " +
              "Debian 13, Ubuntu 24.04) or use a machine that has one."
            : "Check that the file exists and that its dependencies resolve (run `ldd` on it).";
        return new TorchLoadException($"Cannot load {path}: {e.Message.Trim()}. {remedy}", e);
    }

    [GeneratedRegex(@"version `([^']+)' not found")]
    private static partial Regex MissingVersionPattern();
}

/// <summary>TorchSharp's native libraries could not be loaded; the message says why and what to do.</summary>
public sealed class TorchLoadException(string message, Exception? inner = null) : Exception(message, inner);
