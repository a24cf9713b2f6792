using System.Reflection;
using System.Text.Json;

namespace NotebookRunner;

/// <summary>
/// A Jupyter kernelspec for the .NET (C#) kernel, owned by the project: it runs the pinned
/// Microsoft.dotnet-interactive local tool from the NuGet cache, listening on 127.0.0.1 only.
/// Point <c>JUPYTER_PATH</c> at the returned folder; it wins over the user's own kernels.
/// </summary>
public static class JupyterKernel
{
    /// <summary>The tool version, as pinned in .config/dotnet-tools.json (read at build time into the assembly metadata).</summary>
    public static string ToolVersion { get; } = typeof(JupyterKernel).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "DotnetInteractiveVersion").Value!;

    /// <summary>Writes <c>&lt;folder&gt;/kernels/.net-csharp/kernel.json</c> and returns the folder.</summary>
    public static string Install(string folder)
    {
        string app = LocalTools.App("microsoft.dotnet-interactive", ToolVersion, "Microsoft.DotNet.Interactive.App.dll");

        string kernelDir = Path.Combine(folder, "kernels", ".net-csharp");
        Directory.CreateDirectory(kernelDir);
        var spec = new
        {
            argv = new[] { "dotnet", app, "jupyter", "--default-kernel", "csharp", "{connection_file}",
                           "--http-local-only", "--http-port-range", "2048-3000" },
            display_name = ".NET (C#)",
            language = "C#",
        };
        File.WriteAllText(Path.Combine(kernelDir, "kernel.json"), JsonSerializer.Serialize(spec, new JsonSerializerOptions { WriteIndented = true }));
        return Path.GetFullPath(folder);
    }
}

/// <summary>The pinned local tools (.config/dotnet-tools.json), run from the NuGet cache where `dotnet tool restore` put them.</summary>
public static class LocalTools
{
    /// <summary>The dotnet-repl version, as pinned in .config/dotnet-tools.json (read at build time).</summary>
    public static string ReplVersion { get; } = typeof(LocalTools).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "DotnetReplVersion").Value!;

    /// <summary>
    /// dotnet-repl's entry assembly, to run as <c>dotnet &lt;it&gt;</c>. Unlike <c>dotnet tool run</c>, this works from
    /// any folder, so a notebook outside the repository runs from its own folder too.
    /// </summary>
    public static string Repl => App("dotnet-repl", ReplVersion, "dotnet-repl.dll");

    /// <summary>A restored tool's entry assembly in the NuGet cache; a one-line error when it is not there.</summary>
    public static string App(string package, string version, string dll)
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string app = Path.Combine(packages, package, version, "tools", "net10.0", "any", dll);
        if (!File.Exists(app))
            throw new FileNotFoundException($"{app} is missing: run `dotnet tool restore` in the repository first.", app);
        return app;
    }
}
