using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NotebookToApp;

/// <summary>
/// Turns a C# notebook (.ipynb) into a .NET 10 file-based app: the notebook's <c>#r "nuget: ..."</c> lines become
/// <c>#:package</c> lines, its <c>#r</c> of the helper library a <c>#:project</c> line, each markdown cell comments
/// before the code cell that follows it, and a cell's trailing expression (its displayed value in a kernel) a
/// <c>display(...)</c> call, which <c>CifarHelpers.Notebook.NotebookApp</c> carries out in a console.
/// </summary>
public static partial class AppGenerator
{
    /// <summary>The command that regenerates the apps, as the generated files name it.</summary>
    public const string Command = "dotnet run --project tools/NotebookToApp";

    static readonly CSharpParseOptions Script = new(LanguageVersion.Latest, kind: SourceCodeKind.Script);

    /// <summary>
    /// The app for one notebook.
    /// </summary>
    /// <param name="notebookJson">The notebook file's text.</param>
    /// <param name="notebookName">The notebook's file name, for the header and error messages.</param>
    /// <param name="libraryProject">The helper library's project, relative to the folder the app is written to.</param>
    public static string Generate(string notebookJson, string notebookName, string libraryProject)
    {
        var cells = ReadCells(notebookJson, notebookName);
        var packages = new List<string>();
        var usings = new List<string>();
        var body = new StringBuilder();
        var markdown = new List<string>();
        var types = new List<string>();
        int codeCell = 0;

        foreach (var (type, source) in cells)
        {
            if (type == "markdown")
            {
                markdown.Add(source);
                continue;
            }
            if (type != "code") continue;
            codeCell++;
            string code = TakeDirectives(source, notebookName, codeCell, packages);
            code = TakeUsings(code, usings, out string rest);
            rest = DisplayTrailingExpression(rest, notebookName, codeCell);
            rest = TakeTypes(rest, types);

            body.Append('\n').Append(string.Join("\n", markdown.Select(Comment)));
            markdown.Clear();
            if (rest.Length > 0) body.Append(rest).Append('\n');
        }
        if (markdown.Count > 0)
        {
            body.Append('\n').Append(string.Join("\n", markdown.Select(Comment)));
        }
        if (types.Count > 0)
        {
            body.Append("\n// Types declared in the notebook's cells: a file-based app declares them after its statements.\n");
            foreach (var type in types) body.Append('\n').Append(type).Append('\n');
        }

        string app = Path.ChangeExtension(notebookName, ".cs");
        bool trains = body.ToString().Contains("Tutorial.Epochs(", StringComparison.Ordinal);
        var header = new StringBuilder();
        header.Append($"// Generated from {notebookName} by tools/NotebookToApp: edit the notebook, then run `{Command}`.\n");
        header.Append($"// The lesson with no notebook kernel: `dotnet run {app}` in this folder, or with its path from anywhere");
        header.Append(trains ? "; add `-- --epochs N` for a short run.\n" : ".\n");
        header.Append("// Pictures and charts go to artifacts/apps/; offline, set CIFAR10_ARCHIVE to a local cifar-10-binary.tar.gz.\n");
        // Versions come from the #:package lines, as in the notebook; and a kernel compiles cells without nullable checks.
        header.Append("#:property ManagePackageVersionsCentrally=false\n");
        header.Append("#:property Nullable=disable\n");
        // File-based apps default to native AOT, which turns reflection-based JSON off (checkpoints use it).
        header.Append("#:property PublishAot=false\n");
        foreach (var package in packages) header.Append(package).Append('\n');
        header.Append($"#:project {libraryProject.Replace('\\', '/')}\n\n");
        foreach (var line in usings) header.Append(line).Append('\n');
        header.Append("using static CifarHelpers.Notebook.NotebookApp;\n\n");
        header.Append("CifarHelpers.Notebook.NotebookApp.Start();\n");
        return header.Append(body).ToString();
    }

    /// <summary>The cells of a notebook: their type and their source as one string with \n line ends.</summary>
    public static List<(string Type, string Source)> ReadCells(string notebookJson, string notebookName)
    {
        using var document = JsonDocument.Parse(notebookJson);
        if (!document.RootElement.TryGetProperty("cells", out var cells) || cells.ValueKind != JsonValueKind.Array)
            throw new FormatException($"{notebookName} is not a notebook: it has no \"cells\" array.");
        var result = new List<(string, string)>();
        foreach (var cell in cells.EnumerateArray())
        {
            string type = cell.GetProperty("cell_type").GetString() ?? "";
            var source = cell.GetProperty("source");
            string text = source.ValueKind == JsonValueKind.Array
                ? string.Concat(source.EnumerateArray().Select(s => s.GetString()))
                : source.GetString() ?? "";
            result.Add((type, text.Replace("\r\n", "\n").Trim('\n')));
        }
        return result;
    }

    // Takes the #r lines out of a cell: NuGet packages become #:package lines, the helper library's dll the #:project.
    static string TakeDirectives(string source, string notebookName, int cell, List<string> packages)
    {
        var kept = new List<string>();
        foreach (var line in source.Split('\n'))
        {
            string trimmed = line.Trim();
            if (NuGetReference().Match(trimmed) is { Success: true } nuget)
            {
                string name = nuget.Groups["name"].Value, version = nuget.Groups["version"].Value;
                // TorchSharp-cpu carries libtorch for every platform; the helper library adds this platform's.
                string directive = name == "TorchSharp-cpu" ? $"#:package TorchSharp@{version}" : $"#:package {name}@{version}";
                if (!packages.Contains(directive)) packages.Add(directive);
            }
            else if (LibraryReference().IsMatch(trimmed))
            {
                // The notebook's #r of the built library: the app builds the library project itself.
            }
            else if (trimmed.StartsWith("#r ", StringComparison.Ordinal) || trimmed.StartsWith("#!", StringComparison.Ordinal) ||
                     trimmed.StartsWith("#i ", StringComparison.Ordinal))
            {
                throw new FormatException($"{notebookName}, code cell {cell}: `{trimmed}` has no file-based-app equivalent here; " +
                                          "only `#r \"nuget: Name, Version\"` and the #r of CifarHelpers.dll are converted.");
            }
            else kept.Add(line);
        }
        return string.Join('\n', kept).Trim('\n');
    }

    // Moves the cell's using directives to the list (a file-based app needs them before its first statement).
    static string TakeUsings(string code, List<string> usings, out string rest)
    {
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(code, Script).GetRoot();
        foreach (var directive in root.Usings)
        {
            string line = directive.WithoutTrivia().ToFullString();
            if (!usings.Contains(line)) usings.Add(line);
        }
        rest = root.Usings.Count == 0 ? code : code[root.Usings.Last().FullSpan.End..];
        rest = rest.Trim('\n', ' ');
        return code;
    }

    // In a kernel, a cell that ends with an expression and no semicolon displays its value; the app says display(...).
    static string DisplayTrailingExpression(string code, string notebookName, int cell)
    {
        if (code.Length == 0) return code;
        var tree = CSharpSyntaxTree.ParseText(code, Script);
        var errors = tree.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
            throw new FormatException($"{notebookName}, code cell {cell} does not parse: {errors[0]}");
        var root = (CompilationUnitSyntax)tree.GetRoot();
        if (root.Members.LastOrDefault() is not GlobalStatementSyntax { Statement: ExpressionStatementSyntax statement } ||
            !statement.SemicolonToken.IsMissing)
            return code;
        var expression = statement.Expression;
        string replacement = expression is AssignmentExpressionSyntax or PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax
            ? expression.ToString() + ";"
            : $"display({expression});";
        return code[..expression.SpanStart] + replacement + code[expression.Span.End..];
    }

    // Moves the cell's type declarations to the list, leaving a line that says where they went: a kernel takes a class
    // between statements, a file-based app only after its last top-level statement.
    static string TakeTypes(string code, List<string> types)
    {
        if (code.Length == 0) return code;
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(code, Script).GetRoot();
        var declarations = root.Members.Where(m => m is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax).ToList();
        foreach (var declaration in declarations.AsEnumerable().Reverse())
        {
            string name = declaration is BaseTypeDeclarationSyntax t ? t.Identifier.Text : ((DelegateDeclarationSyntax)declaration).Identifier.Text;
            code = code[..declaration.SpanStart] + $"// ({name} is declared at the end of this file.)" + code[declaration.Span.End..];
        }
        types.AddRange(declarations.Select(d => d.ToString()));
        return code;
    }

    // A markdown cell as line comments, blank lines kept.
    static string Comment(string markdown)
    {
        var text = new StringBuilder();
        foreach (var line in markdown.Split('\n'))
            text.Append(line.Length == 0 ? "//" : "// " + line.TrimEnd()).Append('\n');
        return text.ToString();
    }

    [GeneratedRegex("""^#r\s+"nuget:\s*(?<name>[A-Za-z0-9_.\-]+)\s*,\s*(?<version>[^"\s]+)\s*"$""")]
    private static partial Regex NuGetReference();

    [GeneratedRegex("""^#r\s+"[^"]*CifarHelpers\.dll"$""")]
    private static partial Regex LibraryReference();
}
