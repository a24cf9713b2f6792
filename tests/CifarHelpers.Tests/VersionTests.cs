using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CifarHelpers.Runtime;
using Tools.Shared;

namespace CifarHelpers.Tests;

/// <summary>
/// Each version is written once, in Directory.Packages.props and .config/dotnet-tools.json. What can drift from them
/// is checked here: the notebooks' <c>#r</c> lines, the apps' <c>#:package</c> lines, the versions the docs promise,
/// and the packages the library really loads at run time (a mirror that lacks a pinned version hands out the next).
/// </summary>
[Trait("Category", "Unit")]
public partial class VersionTests
{
    static readonly string Repo = RepoRoot.Find();

    /// <summary>Each package's pinned version, with the props file's own $(Property) references expanded.</summary>
    static Dictionary<string, string> Props()
    {
        var props = XDocument.Load(Path.Combine(Repo, "Directory.Packages.props"));
        var properties = props.Descendants("PropertyGroup").Elements().ToDictionary(e => e.Name.LocalName, e => e.Value.Trim());
        return props.Descendants("PackageVersion").ToDictionary(
            e => (string)e.Attribute("Include")!,
            e => Property().Replace((string)e.Attribute("Version")!, m => properties[m.Groups[1].Value]));
    }

    /// <summary>Each local tool's pinned version, from .config/dotnet-tools.json.</summary>
    static Dictionary<string, string> ToolManifest()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo, ".config", "dotnet-tools.json")));
        return manifest.RootElement.GetProperty("tools").EnumerateObject()
                       .ToDictionary(t => t.Name, t => t.Value.GetProperty("version").GetString()!);
    }

    static string Relative(string path) => Path.GetRelativePath(Repo, path);

    /// <summary>Every notebook of both editions (notebooks/en, notebooks/zh-CN), relative to the repository.</summary>
    public static TheoryData<string> Notebooks() => [.. NotebookPaths()];

    static List<string> NotebookPaths() =>
        [.. Directory.GetFiles(Path.Combine(Repo, "notebooks"), "*.ipynb", SearchOption.AllDirectories).Select(Relative).Order(StringComparer.Ordinal)];

    /// <summary>Every file-based app in the notebooks' folders (the generated lessons and complete-code.cs).</summary>
    public static TheoryData<string> Apps() =>
        [.. Directory.GetFiles(Path.Combine(Repo, "notebooks"), "*.cs", SearchOption.AllDirectories)
                     .Where(f => File.ReadLines(f).Any(l => l.StartsWith("#:", StringComparison.Ordinal)))
                     .Select(Relative).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void EveryNuGetReferenceOfANotebookHasThePinnedVersion(string notebook)
    {
        var props = Props();
        string text = File.ReadAllText(Path.Combine(Repo, notebook));
        var references = NuGetReference().Matches(text);
        Assert.NotEmpty(references);
        foreach (Match r in references)
        {
            string id = r.Groups[1].Value, version = r.Groups[2].Value;
            Assert.True(props.TryGetValue(id, out var pinned), $"{notebook}: {id} is not in Directory.Packages.props");
            Assert.True(pinned == version, $"{notebook}: #r \"nuget: {id}, {version}\", but Directory.Packages.props pins {pinned}");
        }
    }

    [Fact]
    public void BothEditionsHaveNotebooksToCheck()
    {
        var notebooks = NotebookPaths();
        foreach (var edition in new[] { "en", "zh-CN" })
            Assert.Contains(notebooks, n => n.StartsWith(Path.Combine("notebooks", edition) + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        Assert.NotEmpty(Apps());
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public void EveryPackageOfAnAppHasThePinnedVersion(string app)
    {
        var props = Props();
        var packages = File.ReadLines(Path.Combine(Repo, app)).Where(l => l.StartsWith("#:package", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(packages);
        bool centralOff = File.ReadLines(Path.Combine(Repo, app)).Any(l => l.Trim() == "#:property ManagePackageVersionsCentrally=false");
        foreach (var line in packages)
        {
            var m = AppPackage().Match(line);
            Assert.True(m.Success, $"{app}: '{line}' is not #:package Name[@Version]");
            string id = m.Groups[1].Value;
            Assert.True(props.TryGetValue(id, out var pinned), $"{app}: {id} is not in Directory.Packages.props");
            if (!m.Groups[2].Success)
            {
                // No version: central package management gives it the pinned one, unless the app turned that off.
                Assert.False(centralOff, $"{app}: #:package {id} has no version, and the app sets ManagePackageVersionsCentrally=false");
                continue;
            }
            string version = m.Groups[2].Value;
            Assert.True(pinned == version, $"{app}: #:package {id}@{version}, but Directory.Packages.props pins {pinned}");
        }
    }

    [Fact]
    public void TheToolManifestPinsTheVersionsTheDocsPromise()
    {
        var tools = ToolManifest();
        // The promise: dotnet-repl 0.3.259 (README, Repository layout), run by the runner and the notebook tests.
        Assert.Equal("0.3.259", tools["dotnet-repl"]);
        var docs = new[] { "README.md", "DEVELOPERS.md" }.Select(f => Path.Combine(Repo, f)).Where(File.Exists).ToList();
        var promises = docs.SelectMany(f => ToolMention().Matches(File.ReadAllText(f)).Select(m => (Doc: Relative(f), Tool: m.Groups[1].Value, Version: m.Groups[2].Value)))
                           .ToList();
        Assert.Contains(promises, p => p.Tool == "dotnet-repl");
        foreach (var (doc, tool, version) in promises)
        {
            string id = tool == "dotnet-interactive" ? "microsoft.dotnet-interactive" : tool;
            Assert.True(tools.TryGetValue(id, out var pinned), $"{doc} names {tool} {version}, which .config/dotnet-tools.json does not pin");
            Assert.True(pinned == version, $"{doc} promises {tool} {version}; .config/dotnet-tools.json pins {pinned}");
        }
    }

    /// <summary>This test host's deps.json: the package and version the host resolved each of its files from.</summary>
    static Dictionary<string, (string Id, string Version)> FilesByPackage()
    {
        string deps = Path.Combine(AppContext.BaseDirectory, Path.GetFileNameWithoutExtension(typeof(VersionTests).Assembly.Location) + ".deps.json");
        using var json = JsonDocument.Parse(File.ReadAllText(deps));
        var files = new Dictionary<string, (string, string)>();
        foreach (var target in json.RootElement.GetProperty("targets").EnumerateObject())
            foreach (var library in target.Value.EnumerateObject())
            {
                var (id, version) = (library.Name.Split('/')[0], library.Name.Split('/')[1]);
                foreach (var kind in new[] { "runtime", "native", "runtimeTargets" })
                    if (library.Value.TryGetProperty(kind, out var assets))
                        foreach (var asset in assets.EnumerateObject())
                            files.TryAdd(Path.GetFileName(asset.Name), (id, version));
            }
        return files;
    }

    [SkippableFact]
    public void TheLibraryLoadsThePinnedPackagesAtRunTime()
    {
        Requires.LinuxX64("the build takes libtorch-cpu-linux-x64 there, whose libtorch_cpu.so this test finds");
        TorchRuntime.Initialize();
        var props = Props();
        var files = FilesByPackage();

        // Every assembly the library references from a pinned package: loaded, and resolved from the pinned version.
        var loaded = new List<string>();
        foreach (var reference in typeof(TorchRuntime).Assembly.GetReferencedAssemblies())
        {
            // The notebook kernel carries these; the library compiles against them only (ExcludeAssets="runtime").
            if (reference.Name!.StartsWith("Microsoft.DotNet.Interactive", StringComparison.Ordinal)) continue;
            if (!props.ContainsKey(reference.Name)) continue;
            var assembly = AssemblyLoadContext.Default.LoadFromAssemblyName(reference);
            string file = Path.GetFileName(assembly.Location);
            Assert.True(files.TryGetValue(file, out var package), $"{file} is not in the test host's deps.json");
            Assert.True(package.Version == props[package.Id],
                        $"{file} is loaded from {package.Id} {package.Version}; Directory.Packages.props pins {props[package.Id]}");
            loaded.Add(reference.Name);
        }
        Assert.Contains("TorchSharp", loaded);
        // TorchSharp says its own version too.
        var torchSharp = typeof(TorchSharp.torch).Assembly;
        Assert.Equal(props["TorchSharp"], torchSharp.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                                          ?? torchSharp.GetName().Version!.ToString(3));

        // The natives this process mapped: libtorch from the pinned libtorch package, the shim from the pinned TorchSharp.
        var mapped = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                         .Where(p => p.Length >= 6).Select(p => p[5]).Distinct().ToList();
        foreach (var (native, id) in new[] { ("libtorch_cpu.so", "libtorch-cpu-linux-x64"), ("libLibTorchSharp.so", "TorchSharp") })
        {
            Assert.Contains(mapped, m => Path.GetFileName(m).StartsWith(Path.GetFileNameWithoutExtension(native), StringComparison.Ordinal));
            Assert.True(files.TryGetValue(native, out var package), $"{native} is not in the test host's deps.json");
            Assert.Equal((id, props[id]), package);
        }
        // The libtorch_cpu.so mapped is that package's file (their sizes agree), not another libtorch on the system.
        string libTorch = mapped.First(m => Path.GetFileName(m) == "libtorch_cpu.so");
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string shipped = Path.Combine(packages, "libtorch-cpu-linux-x64", props["libtorch-cpu-linux-x64"], "runtimes", "linux-x64", "native", "libtorch_cpu.so");
        Assert.True(File.Exists(shipped), $"{shipped} is missing: restore the solution first");
        Assert.Equal(new FileInfo(shipped).Length, new FileInfo(libTorch).Length);
    }

    [GeneratedRegex(@"\$\((\w+)\)")]
    private static partial Regex Property();

    [GeneratedRegex(@"#r \\""nuget:\s*([^,\\]+),\s*([^\\""]+)\\""")]
    private static partial Regex NuGetReference();

    [GeneratedRegex(@"^#:package\s+([A-Za-z0-9_.\-]+)(?:@(\S+))?\s*$")]
    private static partial Regex AppPackage();

    /// <summary>A tool named with a version in a doc: <c>dotnet-repl 0.3.259</c>, <c>dotnet-interactive 1.0.712001</c>.</summary>
    [GeneratedRegex(@"\b((?:microsoft\.)?dotnet-(?:repl|interactive))\s+v?(\d+\.\d+\.\d+\S*?)(?=[\s,;:)`]|\.?$|\.\s)", RegexOptions.Multiline)]
    private static partial Regex ToolMention();
}
