using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tools.Shared;

namespace CifarHelpers.Tests;

/// <summary>
/// The README's promises, checked against the repository rather than against wording: the two commands on the first
/// screen are the ones CI and the runner really use; the layout lists every folder and notebook there is, and nothing
/// that is not there; the notebooks table names the sections each notebook claims; every relative link resolves.
/// </summary>
[Trait("Category", "Unit")]
public partial class ReadmeTests
{
    const int FirstScreen = 40;
    const int MostLines = 220;
    const string RunnerCommand = "dotnet run --project tools/NotebookRunner -c Release";
    const string TestCommand = "bash tools/test.sh";
    const string ArticleTitle = "pytorch深度学习实战:全连接神经网络图像识别";

    readonly string repo = RepoRoot.Find();

    string[] Lines => File.ReadAllLines(Path.Combine(repo, "README.md"));

    string Read(string relative) => File.ReadAllText(Path.Combine(repo, relative));

    /// <summary>The lines of the first fenced block that starts after the line matching <paramref name="after"/>.</summary>
    static (int Start, List<string> Lines) Block(string[] lines, Func<string, bool> after)
    {
        int i = Array.FindIndex(lines, l => after(l));
        Assert.True(i >= 0, "the README has no such section");
        int open = Array.FindIndex(lines, i, l => l.StartsWith("```", StringComparison.Ordinal));
        Assert.True(open >= 0, "no code block after it");
        int close = Array.FindIndex(lines, open + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        return (open, lines[(open + 1)..close].ToList());
    }

    [Fact]
    public void TheTwoCommandsAreOnTheFirstScreenAndAreTheOnesTheRunnerAndCiRun()
    {
        var lines = Lines;
        Assert.True(lines.Length <= MostLines, $"the README has {lines.Length} lines; it is for readers, keep it under {MostLines}");
        var (start, commands) = Block(lines, _ => true);
        Assert.True(start + commands.Count < FirstScreen, $"the first code block ends on line {start + commands.Count + 2}, past the first screen");
        Assert.Equal([RunnerCommand, TestCommand], commands);

        // The runner's project is there.
        Assert.True(File.Exists(Path.Combine(repo, "tools", "NotebookRunner", "NotebookRunner.csproj")));

        // CI runs exactly the README's test command (its output piped to the log it parses), and nothing else of dotnet test.
        var ci = Read(".ci/run").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Contains(ci, l => l == TestCommand || l.StartsWith(TestCommand + " 2>&1", StringComparison.Ordinal) || l.StartsWith(TestCommand + " |", StringComparison.Ordinal));
        Assert.DoesNotContain(ci, l => l.StartsWith("dotnet test", StringComparison.Ordinal));

        // The test command sets the machine up first (Jupyter, Chromium, plotly.js: what a fresh machine lacks), then
        // runs the whole test project, and stops when the set-up fails.
        var script = Read("tools/test.sh").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        int setup = script.FindIndex(l => l.StartsWith("bash tools/setup.sh ||", StringComparison.Ordinal));
        int test = script.FindIndex(l => l.Contains("dotnet test tests/CifarHelpers.Tests \"$@\"", StringComparison.Ordinal));
        Assert.True(setup >= 0 && test > setup, "tools/test.sh must run tools/setup.sh (stopping when it fails), then dotnet test tests/CifarHelpers.Tests");
        string setupScript = Read("tools/setup.sh");
        foreach (var what in new[] { "jupyter-nbconvert", "chromium", "npm ci --ignore-scripts --no-audit --no-fund" })
            Assert.Contains(what, setupScript);
    }

    [Fact]
    public void TheFirstScreenSaysWhatThisIsAndShowsTheLessonPicture()
    {
        string firstScreen = string.Join('\n', Lines.Take(FirstScreen));
        Assert.Contains(ArticleTitle, firstScreen);
        Assert.Contains("*Deep Learning with PyTorch*", firstScreen);
        var picture = PictureLink().Match(firstScreen);
        Assert.True(picture.Success, "no picture on the first screen");
        string path = picture.Groups[1].Value;
        Assert.False(path.Contains("://", StringComparison.Ordinal), "the picture must be in the repository, by a relative path");
        var bytes = File.ReadAllBytes(Path.Combine(repo, path));
        Assert.True(bytes.AsSpan().StartsWith((byte[])[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]), $"{path} is not a PNG");
        Assert.True(bytes.Length < 300_000, $"{path} has {bytes.Length:N0} bytes; keep it under 300 KB");
        // It is made by a command in the repository, which the README names.
        Assert.Contains("`bash tools/lesson-picture.sh`", firstScreen);
        Assert.Contains(path, Read("tools/lesson-picture.sh"));
    }

    [Fact]
    public void TheLayoutListsEveryFolderAndNotebookAndOnlyWhatIsThere()
    {
        var (_, block) = Block(Lines, l => l == "## Layout");
        string layout = string.Join('\n', block);
        // Each entry: an indented path at the start of a line, then its description. Indented entries are in the last
        // unindented folder.
        var entries = new List<string>();
        string parent = "";
        foreach (var line in block)
        {
            var entry = LayoutEntry().Match(line);
            if (!entry.Success) continue;
            string path = entry.Groups[2].Value;
            if (entry.Groups[1].Length == 0) parent = path.EndsWith('/') ? path : "";
            else path = parent + path;
            entries.Add(path);
        }
        var missing = new List<string>();
        // What is there must be in the layout: top-level folders (less build output and what git ignores)...
        foreach (var dir in Directory.GetDirectories(repo).Select(Path.GetFileName).Order(StringComparer.Ordinal))
            if (dir is not (".git" or "artifacts") && !IgnoredByGit(dir!) && !entries.Any(e => e.StartsWith(dir + "/", StringComparison.Ordinal)))
                missing.Add(dir + "/");
        // ...the folders of notebooks/, lib/CifarHelpers/ and tools/...
        foreach (var folder in new[] { "notebooks", "lib/CifarHelpers", "tools" })
            foreach (var dir in Directory.GetDirectories(Path.Combine(repo, folder)).Select(Path.GetFileName).Order(StringComparer.Ordinal))
                if (dir is not ("bin" or "obj" or "node_modules") && !IgnoredByGit($"{folder}/{dir}") && !entries.Contains($"{folder}/{dir}/"))
                    missing.Add($"{folder}/{dir}/");
        // ...each notebook and complete-code.cs, by name, and each library model.
        foreach (var notebook in Directory.GetFiles(Path.Combine(repo, "notebooks", "en"), "*.ipynb").Select(Path.GetFileNameWithoutExtension))
            if (!layout.Contains(notebook!, StringComparison.Ordinal)) missing.Add(notebook!);
        if (!layout.Contains("complete-code.cs", StringComparison.Ordinal)) missing.Add("complete-code.cs");
        foreach (var model in Directory.GetFiles(Path.Combine(repo, "lib", "CifarHelpers", "Models"), "*.cs").Select(Path.GetFileNameWithoutExtension))
            if (!layout.Contains(model!, StringComparison.Ordinal)) missing.Add($"lib/CifarHelpers/Models/{model}");
        Assert.True(missing.Count == 0, $"the README's layout misses {string.Join(", ", missing)}");

        // And what the layout lists must be there.
        var stale = entries.Where(e => !Directory.Exists(Path.Combine(repo, e)) && !File.Exists(Path.Combine(repo, e))).ToList();
        Assert.True(stale.Count == 0, $"the README's layout lists {string.Join(", ", stale)}, which is not there");
        Assert.Contains("notebooks/en/", entries);
    }

    [Fact]
    public void TheNotebooksTableGivesEachNotebookTheSectionsItsTitleClaims()
    {
        var lines = Lines;
        foreach (var notebook in Directory.GetFiles(Path.Combine(repo, "notebooks", "en"), "*.ipynb").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(notebook);
            string? row = lines.SingleOrDefault(l => l.StartsWith("| [", StringComparison.Ordinal) && l.Contains($"](notebooks/en/{name})", StringComparison.Ordinal));
            Assert.True(row is not null, $"the notebooks table has no row for {name}");
            var cells = JsonNode.Parse(File.ReadAllText(notebook))!["cells"]!.AsArray();
            string title = string.Concat(cells[0]!["source"]!.AsArray().Select(l => (string?)l));
            if (title.Contains("**Beyond the article.**", StringComparison.Ordinal))
            {
                Assert.Contains("beyond the article", row, StringComparison.OrdinalIgnoreCase);
                continue;
            }
            // Headings are compared in NFKC, so full-width and ASCII punctuation count alike; sub-sections of a claimed
            // section may be summarised ("with §3.1.1 to §3.1.6").
            var claimed = ClaimedSection().Matches(title).Select(m => (Number: m.Groups[1].Value, Heading: m.Groups[2].Value.Trim())).ToList();
            Assert.True(claimed.Count > 0, $"{name}: its title claims no section");
            string normalisedRow = row.Normalize(NormalizationForm.FormKC);
            foreach (var (number, heading) in claimed)
            {
                bool subsection = claimed.Any(c => number.StartsWith(c.Number + ".", StringComparison.Ordinal));
                string expected = subsection ? $"§{number}" : $"§{number} {heading}".Normalize(NormalizationForm.FormKC);
                Assert.True(normalisedRow.Contains(expected, StringComparison.Ordinal) || (subsection && normalisedRow.Contains(" to §", StringComparison.Ordinal)),
                            $"the README's row for {name} does not name {expected}");
            }
        }
        Assert.Contains(lines, l => l.StartsWith("| [complete-code.cs](notebooks/en/complete-code.cs)", StringComparison.Ordinal) && l.Contains("§5 ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("CONTRIBUTING.md")]
    [InlineData("bench/README.md")]
    public void EveryRelativeLinkResolves(string document)
    {
        // Links inside code spans are examples, not links.
        string text = CodeSpan().Replace(Read(document), "");
        string dir = Path.GetDirectoryName(Path.Combine(repo, document))!;
        var broken = MarkdownLink().Matches(text).Select(m => m.Groups[1].Value)
            .Where(target => !target.Contains("://", StringComparison.Ordinal) && !target.StartsWith('#') && !target.StartsWith("mailto:", StringComparison.Ordinal))
            .Select(target => target.Split('#')[0])
            .Where(target => !File.Exists(Path.Combine(dir, target)) && !Directory.Exists(Path.Combine(dir, target)))
            .ToList();
        Assert.True(broken.Count == 0, $"{document} links {string.Join(", ", broken)}, which is not there");
    }

    bool IgnoredByGit(string relative)
    {
        var start = new ProcessStartInfo("git", ["check-ignore", "--quiet", "--no-index", relative])
        {
            WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var git = Process.Start(start)!;
        git.WaitForExit();
        Assert.True(git.ExitCode is 0 or 1, $"git check-ignore exited {git.ExitCode}: {git.StandardError.ReadToEnd()}");
        return git.ExitCode == 0;
    }

    [GeneratedRegex(@"!\[[^\]]*\]\(([^)\s]+)\)")]
    private static partial Regex PictureLink();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"``.*?``|`[^`\n]*`")]
    private static partial Regex CodeSpan();

    // "notebooks/   text", "  en/   text", ".ci/   text": a path (ending in / for a folder) followed by two spaces or more.
    [GeneratedRegex(@"^( *)([A-Za-z0-9._-][A-Za-z0-9._/-]*/)(?:\s{2,}|$)")]
    private static partial Regex LayoutEntry();

    [GeneratedRegex(@"\*\*§([\d.]+) ([^*]+)\*\*")]
    private static partial Regex ClaimedSection();
}
