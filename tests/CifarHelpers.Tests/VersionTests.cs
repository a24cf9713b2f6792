using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CifarHelpers.Runtime;
using NotebookRunner;
using Tools.Shared;

namespace CifarHelpers.Tests;

/// <summary>Each version is written once: Directory.Packages.props and .config/dotnet-tools.json; the rest follows.</summary>
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

    public static TheoryData<string> Notebooks() =>
        [.. Directory.GetFiles(Path.Combine(Repo, "notebooks"), "*.ipynb", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Path.Combine(Repo, "notebooks"), f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void EveryNuGetReferenceOfANotebookHasThePinnedVersion(string notebook)
    {
        var props = Props();
        string text = File.ReadAllText(Path.Combine(Repo, "notebooks", notebook));
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
    public void TheCodesVersionsComeFromThePropsAndTheToolManifest()
    {
        var props = Props();
        Same(props["TorchSharp"], TorchRuntime.TorchSharpVersion);
        Same(props["libtorch-cpu-linux-x64"], TorchRuntime.LibTorchVersion);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo, ".config", "dotnet-tools.json")));
        Same(manifest.RootElement.GetProperty("tools").GetProperty("microsoft.dotnet-interactive").GetProperty("version").GetString(),
             JupyterKernel.ToolVersion);
    }

    static void Same(string? pinned, string inCode)
    {
        Assert.NotNull(pinned);
        Assert.True(pinned == inCode, $"pinned {pinned}, the code says {inCode}");
    }

    [GeneratedRegex(@"\$\((\w+)\)")]
    private static partial Regex Property();

    [GeneratedRegex(@"#r \\""nuget:\s*([^,\\]+),\s*([^\\""]+)\\""")]
    private static partial Regex NuGetReference();
}
