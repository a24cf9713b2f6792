using System.Diagnostics;
using System.Globalization;
using CifarHelpers.Data;
using NotebookRunner;

// Runs the tutorial headless: gets the data, then executes every notebook in order with dotnet-repl.
// Usage: dotnet run --project tools/NotebookRunner -c Release -- [--client repl|jupyter] [--pages] [--notebooks DIR]
//        [--out DIR] [--timeout SECONDS] [--only TEXT]... [--no-data]
string repoRoot = RepoRoot.Find();
string notebooks = Path.Combine(repoRoot, "notebooks");
string? output = null;
var timeout = TimeSpan.FromMinutes(10);
var only = new List<string>();
bool prepareData = true;
var client = Client.Repl;
bool pages = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--notebooks": notebooks = Path.GetFullPath(args[++i]); break;
        case "--out": output = Path.GetFullPath(args[++i]); break;
        case "--timeout": timeout = TimeSpan.FromSeconds(double.Parse(args[++i], CultureInfo.InvariantCulture)); break;
        case "--only": only.Add(args[++i]); break;
        case "--no-data": prepareData = false; break;
        case "--client": client = Enum.Parse<Client>(args[++i], ignoreCase: true); break;
        case "--pages": pages = true; break;
        default:
            Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: [--client repl|jupyter] [--pages] [--notebooks DIR] [--out DIR] [--timeout SECONDS] [--only TEXT]... [--no-data]");
            return 2;
    }
}

if (prepareData)
{
    // Offline when CIFAR10_ARCHIVE names a local archive; otherwise the official download.
    new Cifar10Store(Path.Combine(repoRoot, Cifar10Format.DefaultRoot)).Prepare(download: true);
}

Run(repoRoot, "dotnet", "tool", "restore");
output ??= Path.Combine(repoRoot, "artifacts", client == Client.Repl ? "executed" : "executed-jupyter");
string? jupyterPath = client == Client.Jupyter ? JupyterKernel.Install(Path.Combine(repoRoot, "artifacts", "jupyter")) : null;
var files = Directory.GetFiles(notebooks, "*.ipynb").Order(StringComparer.Ordinal)
                     .Where(f => only.Count == 0 || only.Any(o => Path.GetFileName(f).Contains(o, StringComparison.Ordinal)))
                     .ToList();
var run = new NotebookRun(output, timeout, client, jupyterPath);
var results = new List<NotebookResult>();
var total = Stopwatch.StartNew();
foreach (var file in files)
{
    Console.WriteLine($"{Path.GetFileName(file)} ...");
    var result = run.Execute(file);
    results.Add(result);
    Console.WriteLine($"{(result.Passed ? "PASS" : "FAIL")} {result.Name} {result.Elapsed.TotalSeconds,6:F1} s");
    foreach (var line in result.KeyFigures) Console.WriteLine($"     {line}");
    foreach (var error in result.Errors) Console.WriteLine($"     error: {error}");
}
Console.WriteLine($"Executed copies ({client}) in {output}; total {total.Elapsed.TotalSeconds:F1} s");
if (pages)
{
    string pagesDir = Path.Combine(repoRoot, "artifacts", "pages");
    var rendered = Pages.Render(repoRoot, results.Where(r => File.Exists(r.ExecutedPath)).Select(r => r.ExecutedPath).ToList(), pagesDir);
    Console.WriteLine($"Pages: {rendered[0]} ({rendered.Count - 1} notebooks)");
}
int failed = results.Count(r => !r.Passed);
Console.WriteLine($"{results.Count - failed} passed, {failed} failed");
return failed == 0 && results.Count > 0 ? 0 : 1;

static void Run(string dir, string file, params string[] arguments)
{
    using var process = Process.Start(new ProcessStartInfo(file, arguments) { WorkingDirectory = dir, RedirectStandardOutput = true })!;
    process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed with {process.ExitCode}");
}
