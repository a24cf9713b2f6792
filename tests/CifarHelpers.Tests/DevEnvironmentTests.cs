using System.Text.Json;
using NotebookRunner;
using Tools.Shared;

namespace CifarHelpers.Tests;

/// <summary>The editor and container files (.vscode/, .devcontainer/) and the set-up script they share.</summary>
[Trait("Category", "Unit")]
public class DevEnvironmentTests
{
    static readonly string[] EditorFiles =
    [
        ".vscode/extensions.json", ".vscode/settings.json", ".vscode/tasks.json", ".devcontainer/devcontainer.json",
    ];

    const string SetupScript = "tools/setup.sh";
    const string TestScript = "tools/test.sh";

    readonly string repo = RepoRoot.Find();

    // VS Code reads these files as JSON with comments and trailing commas.
    JsonDocument Read(string relative) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(repo, relative)),
                           new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });

    string Readme => File.ReadAllText(Path.Combine(repo, "README.md"));

    [Fact]
    public void EveryEditorAndContainerFileParsesAndIsCommitted()
    {
        // (The README's layout lists .vscode/ and .devcontainer/: ReadmeTests checks that.)
        foreach (var file in EditorFiles)
        {
            using var json = Read(file);
            Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
            Assert.False(IgnoredByGit(file), $"{file} is ignored by .gitignore");
        }
        foreach (var script in new[] { SetupScript, TestScript })
            Assert.False(IgnoredByGit(script), $"{script} is ignored by .gitignore");
    }

    [Fact]
    public void EachTaskRunsACommandTheReadmeNames()
    {
        using var json = Read(".vscode/tasks.json");
        var tasks = json.RootElement.GetProperty("tasks").EnumerateArray().ToList();
        Assert.NotEmpty(tasks);
        foreach (var task in tasks)
        {
            string command = task.GetProperty("command").GetString()!;
            if (task.TryGetProperty("args", out var args))
                command += " " + string.Join(' ', args.EnumerateArray().Select(a => a.GetString()));
            // In backticks, or as a line of a code block.
            Assert.True(Readme.Contains($"`{command}`", StringComparison.Ordinal) || Readme.Split('\n').Contains(command),
                        $"task \"{task.GetProperty("label").GetString()}\" runs `{command}`, which the README does not name");
        }
        // The README's two commands, the library build and the unit lane.
        var commands = tasks.Select(t => t.GetProperty("command").GetString()).ToList();
        Assert.Contains("dotnet build lib/CifarHelpers -c Release", commands);
        Assert.Contains("dotnet run --project tools/NotebookRunner -c Release", commands);
        Assert.Contains($"bash {TestScript}", commands);
        Assert.Contains("dotnet test tests/CifarHelpers.Tests --filter Category=Unit", commands);
    }

    [Fact]
    public void TheDevContainerAndTheTestCommandRunTheSetUpScriptThatExists()
    {
        using var container = Read(".devcontainer/devcontainer.json");
        Assert.Equal($"bash {SetupScript}", container.RootElement.GetProperty("postCreateCommand").GetString());
        foreach (var relative in new[] { SetupScript, TestScript })
        {
            string script = Path.Combine(repo, relative);
            Assert.True(File.Exists(script), $"{relative} is missing");
            Assert.StartsWith("#!/usr/bin/env bash\n", File.ReadAllText(script));
        }
        // CI runs the test command (ReadmeTests checks it is the README's), and the test command runs the set-up.
        Assert.Contains($"bash {TestScript}", File.ReadAllText(Path.Combine(repo, ".ci", "run")));
        Assert.Contains($"bash {SetupScript} ||", File.ReadAllText(Path.Combine(repo, TestScript)));
    }

    [Fact]
    public void TheContainerInstallsRecommendedExtensionsAndTheScriptRegistersTheNotebooksKernel()
    {
        using var recommended = Read(".vscode/extensions.json");
        var recommendations = recommended.RootElement.GetProperty("recommendations").EnumerateArray()
                                         .Select(e => e.GetString()).ToList();
        Assert.Contains("ms-toolsai.jupyter", recommendations);
        Assert.Contains("ms-dotnettools.csdevkit", recommendations);

        using var container = Read(".devcontainer/devcontainer.json");
        var installed = container.RootElement.GetProperty("customizations").GetProperty("vscode").GetProperty("extensions")
                                 .EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.NotEmpty(installed);
        Assert.All(installed, e => Assert.Contains(e, recommendations));

        // The kernel the notebooks' metadata names is the one the script registers.
        string script = File.ReadAllText(Path.Combine(repo, SetupScript));
        foreach (var notebook in Directory.GetFiles(Path.Combine(repo, "notebooks"), "*.ipynb", SearchOption.AllDirectories))
        {
            using var nb = JsonDocument.Parse(File.ReadAllText(notebook));
            string kernel = nb.RootElement.GetProperty("metadata").GetProperty("kernelspec").GetProperty("name").GetString()!;
            Assert.Contains($"--name {kernel} ", script);
        }
        // As the README says: the registered kernel, like the runner's own (JupyterKernel.cs), listens on 127.0.0.1 only.
        Assert.Contains("\"--http-local-only\"", script);
    }

    bool IgnoredByGit(string relative)
    {
        var git = Exec.Run("git", ["check-ignore", "--quiet", "--no-index", relative], TimeSpan.FromMinutes(1), repo);
        // 0: ignored; 1: not ignored; anything else: git itself failed.
        Assert.True(git.ExitCode is 0 or 1, $"git check-ignore exited {git.ExitCode}: {git.Stderr}");
        return git.ExitCode == 0;
    }
}
