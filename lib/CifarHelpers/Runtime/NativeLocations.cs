using System.Reflection;

namespace CifarHelpers.Runtime;

/// <summary>Where TorchSharp's and libtorch's Linux natives are: a build output, or the NuGet cache.</summary>
/// <param name="LibTorchDir">The folder that holds <c>libtorch_cpu.so</c>.</param>
/// <param name="LibTorchFiles">The libtorch libraries in load order, by absolute path.</param>
/// <param name="LibTorchSharp">The absolute path of the shipped <c>libLibTorchSharp.so</c>.</param>
internal sealed record NativeLocations(string LibTorchDir, IReadOnlyList<string> LibTorchFiles, string LibTorchSharp)
{
    const string Rid = "linux-x64";

    /// <summary>Finds the natives next to the app, or in the NuGet packages that TorchSharp came from.</summary>
    public static NativeLocations Find(Assembly torchSharp)
    {
        var searched = new List<string>();
        string? libTorchSharp = FirstWith("libLibTorchSharp.so", LibTorchSharpDirs(torchSharp), searched);
        string? libTorchDir = FirstWith("libtorch_cpu.so", LibTorchDirs(torchSharp), searched);
        if (libTorchSharp is null || libTorchDir is null)
        {
            string missing = libTorchSharp is null ? $"libLibTorchSharp.so (package TorchSharp {TorchRuntime.TorchSharpVersion})"
                                                   : $"libtorch_cpu.so (package libtorch-cpu-linux-x64 {TorchRuntime.LibTorchVersion})";
            throw new TorchLoadException(
                $"Cannot find {missing}. Searched: {string.Join(", ", searched.Distinct())}. " +
                $"Reference TorchSharp-cpu {TorchRuntime.TorchSharpVersion} (in a notebook: #r \"nuget: TorchSharp-cpu, " +
                $"{TorchRuntime.TorchSharpVersion}\" before the helper library).");
        }

        // Dependencies first: OpenMP, c10, then torch_cpu and the torch shim.
        var files = new List<string>();
        files.AddRange(Directory.GetFiles(libTorchDir, "libgomp*.so*").Order());
        files.AddRange(new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" }
            .Select(f => Path.Combine(libTorchDir, f)).Where(File.Exists));
        return new NativeLocations(libTorchDir, files, Path.Combine(libTorchSharp, "libLibTorchSharp.so"));
    }

    static IEnumerable<string> AppDirs(Assembly torchSharp)
    {
        foreach (string baseDir in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(torchSharp.Location) ?? "" })
        {
            if (baseDir.Length == 0) continue;
            yield return baseDir;
            yield return Path.Combine(baseDir, "runtimes", Rid, "native");
        }
    }

    static IEnumerable<string> LibTorchSharpDirs(Assembly torchSharp)
    {
        foreach (var dir in AppDirs(torchSharp)) yield return dir;
        // In the NuGet cache: <packages>/torchsharp/<version>/lib/net8.0/TorchSharp.dll
        string? lib = Path.GetDirectoryName(torchSharp.Location);
        if (lib is not null)
            yield return Path.GetFullPath(Path.Combine(lib, "..", "..", "runtimes", Rid, "native"));
    }

    static IEnumerable<string> LibTorchDirs(Assembly torchSharp)
    {
        foreach (var dir in AppDirs(torchSharp)) yield return dir;
        foreach (var packages in PackageRoots(torchSharp))
            foreach (var id in new[] { "libtorch-cpu-linux-x64" })
                yield return Path.Combine(packages, id, TorchRuntime.LibTorchVersion, "runtimes", Rid, "native");
    }

    static IEnumerable<string> PackageRoots(Assembly torchSharp)
    {
        string? lib = Path.GetDirectoryName(torchSharp.Location);
        if (lib is not null) yield return Path.GetFullPath(Path.Combine(lib, "..", "..", "..", ".."));
        string? env = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrEmpty(env)) yield return env;
        yield return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    }

    static string? FirstWith(string file, IEnumerable<string> dirs, List<string> searched)
    {
        foreach (var dir in dirs)
        {
            searched.Add(dir);
            if (File.Exists(Path.Combine(dir, file))) return dir;
        }
        return null;
    }
}
