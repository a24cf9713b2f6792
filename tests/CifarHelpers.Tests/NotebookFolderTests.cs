using System.Text.Json.Nodes;
using NotebookRunner;
using Tools.Shared;

namespace CifarHelpers.Tests;

/// <summary>The committed notebooks, read as files: clean, on the .NET kernel, and each one listed in the README.</summary>
[Trait("Category", "Unit")]
public class NotebookFolderTests
{
    [Fact]
    public void EveryNotebookIsCommittedWithoutOutputsAndHasARowInTheReadmesTable()
    {
        string repo = RepoRoot.Find();
        string readme = File.ReadAllText(Path.Combine(repo, "README.md"));
        var notebooks = Directory.GetFiles(Path.Combine(repo, "notebooks", "en"), "*.ipynb");
        Assert.NotEmpty(notebooks);
        foreach (var notebook in notebooks)
        {
            string name = Path.GetFileName(notebook);
            var json = JsonNode.Parse(File.ReadAllText(notebook))!;
            Assert.Equal(".net-csharp", (string?)json["metadata"]?["kernelspec"]?["name"]);
            foreach (var cell in json["cells"]!.AsArray())
            {
                Assert.True(cell!["outputs"] is null || cell["outputs"]!.AsArray().Count == 0, $"{name} is committed with outputs");
                Assert.True(cell["execution_count"] is null, $"{name} is committed with execution counts");
            }
            Assert.Contains($"](notebooks/en/{name})", readme);
        }
    }
}
