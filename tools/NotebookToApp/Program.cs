using System.Text.RegularExpressions;
using NotebookToApp;

// Writes notebooks/NN-name.cs from every notebooks/NN-name.ipynb (and the same in each subfolder of notebooks/, such
// as zh-CN/). Arguments: folders or notebooks to convert instead; --out DIR to write there instead of beside each
// notebook; --check to write nothing and exit 1 when a committed app differs from what the notebook gives.
try
{
    string root = Apps.FindRoot(Directory.GetCurrentDirectory());
    string? outDir = null;
    bool check = false;
    var inputs = new List<string>();
    for (int i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--out" when i + 1 < args.Length: outDir = Path.GetFullPath(args[++i]); break;
            case "--check": check = true; break;
            case var a when a.StartsWith("--", StringComparison.Ordinal):
                Console.Error.WriteLine($"Unknown option {a}. Usage: {AppGenerator.Command} [-- [FOLDER|NOTEBOOK ...] [--out DIR] [--check]]");
                return 2;
            default: inputs.Add(Path.GetFullPath(args[i])); break;
        }
    }

    var apps = Apps.Plan(root, inputs.Count > 0 ? inputs : Apps.DefaultFolders(root), outDir);
    int stale = 0;
    foreach (var (notebook, app, text) in apps)
    {
        string shown = Path.GetRelativePath(Directory.GetCurrentDirectory(), app);
        bool same = File.Exists(app) && File.ReadAllText(app) == text;
        if (check)
        {
            if (!same) { stale++; Console.WriteLine($"stale: {shown} (regenerate with {AppGenerator.Command})"); }
            continue;
        }
        if (same) { Console.WriteLine($"unchanged {shown}"); continue; }
        Directory.CreateDirectory(Path.GetDirectoryName(app)!);
        File.WriteAllText(app + ".tmp", text);
        File.Move(app + ".tmp", app, overwrite: true);
        Console.WriteLine($"wrote {shown}");
    }
    if (apps.Count == 0) { Console.Error.WriteLine("No NN-name.ipynb notebooks found."); return 1; }
    Console.WriteLine(check ? $"{apps.Count - stale} up to date, {stale} stale" : $"{apps.Count} apps");
    return stale == 0 ? 0 : 1;
}
catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

namespace NotebookToApp
{
    /// <summary>Which notebooks become which apps.</summary>
    public static partial class Apps
    {
        /// <summary>The repository root: the nearest folder up with global.json and lib/CifarHelpers.</summary>
        public static string FindRoot(string start)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "global.json")) && File.Exists(Path.Combine(dir.FullName, LibraryProject)))
                    return dir.FullName;
            throw new DirectoryNotFoundException($"Run this inside the repository: no folder above {start} has global.json and {LibraryProject}.");
        }

        /// <summary>The helper library's project, from the repository root.</summary>
        public const string LibraryProject = "lib/CifarHelpers/CifarHelpers.csproj";

        /// <summary>notebooks/ and each of its subfolders.</summary>
        public static List<string> DefaultFolders(string root)
        {
            string notebooks = Path.Combine(root, "notebooks");
            return [notebooks, .. Directory.GetDirectories(notebooks).Order(StringComparer.Ordinal)];
        }

        /// <summary>
        /// For each NN-name.ipynb in <paramref name="inputs"/> (folders or notebooks): the notebook, its app's path
        /// (beside it, or in <paramref name="outDir"/>) and the app's text.
        /// </summary>
        public static List<(string Notebook, string App, string Text)> Plan(string root, IEnumerable<string> inputs, string? outDir = null)
        {
            var notebooks = inputs.SelectMany<string, string>(input =>
                    Directory.Exists(input) ? Directory.GetFiles(input, "*.ipynb").Where(f => Numbered().IsMatch(Path.GetFileName(f))).Order(StringComparer.Ordinal)
                    : File.Exists(input) ? new[] { input }
                    : throw new FileNotFoundException($"There is no notebook or folder {input}."))
                .ToList();
            return notebooks.Select(notebook =>
            {
                string dir = outDir ?? Path.GetDirectoryName(notebook)!;
                string app = Path.Combine(dir, Path.ChangeExtension(Path.GetFileName(notebook), ".cs"));
                string project = Path.GetRelativePath(dir, Path.Combine(root, LibraryProject));
                return (notebook, app, AppGenerator.Generate(File.ReadAllText(notebook), Path.GetFileName(notebook), project));
            }).ToList();
        }

        [GeneratedRegex(@"^\d\d-.+\.ipynb$")]
        private static partial Regex Numbered();
    }
}
