using System.Text.Json;
using CifarHelpers.Notebook;
using CifarHelpers.Runtime;
using Microsoft.Data.Analysis;
using NotebookRunner;
using NotebookToApp;
using SkiaSharp;
using Tools.Shared;
using static TorchSharp.torch;

namespace CifarHelpers.Tests;

/// <summary>The file-based apps beside the notebooks, and the pieces that make them work without a kernel.</summary>
[Trait("Category", "Unit")]
public class AppGeneratorTests
{
    [Fact]
    public void EveryCommittedAppIsWhatTheGeneratorWritesFromItsNotebook()
    {
        string repo = RepoRoot.Find();
        var apps = Apps.Plan(repo, Apps.DefaultFolders(repo));
        Assert.True(apps.Count >= 10, $"only {apps.Count} notebooks found");
        foreach (var (notebook, app, text) in apps)
        {
            Assert.True(File.Exists(app), $"{Path.GetFileName(notebook)} has no app: run `{AppGenerator.Command}`.");
            Assert.True(File.ReadAllText(app) == text,
                $"{Path.GetRelativePath(repo, app)} differs from what {Path.GetFileName(notebook)} gives: run `{AppGenerator.Command}`.");
        }
    }

    static string NotebookOf(params (string Type, string[] Lines)[] cells) => JsonSerializer.Serialize(new
    {
        cells = cells.Select(c => new { cell_type = c.Type, metadata = new { }, source = c.Lines }),
    });

    [Fact]
    public void PackagesUsingsMarkdownAndTheTrailingValueBecomeAnApp()
    {
        string json = NotebookOf(
            ("markdown", ["# 99 · A lesson\n", "\n", "Some *text*."]),
            ("code", ["#r \"nuget: TorchSharp-cpu, 0.107.0\"\n", "#r \"nuget: XPlot.Plotly, 4.1.0\"\n",
                      "#r \"../artifacts/notebook-lib/CifarHelpers.dll\"\n", "\n", "using TorchSharp;\n", "using static TorchSharp.torch;\n", "\n",
                      "var x = 1;"]),
            ("markdown", ["## Two"]),
            ("code", ["using System.Diagnostics;\n", "var s = \"not the end\";\n", "display(s);\n", "x + 2 // the value"]),
            ("code", ["x = 3"]),
            ("code", ["Console.WriteLine(x);"]));
        string app = AppGenerator.Generate(json, "99-lesson.ipynb", "../lib/CifarHelpers/CifarHelpers.csproj");

        string[] expectedStart =
        [
            "#:property ManagePackageVersionsCentrally=false",
            "#:property Nullable=disable",
            "#:property PublishAot=false",
            "#:package TorchSharp@0.107.0",
            "#:package XPlot.Plotly@4.1.0",
            "#:project ../lib/CifarHelpers/CifarHelpers.csproj",
            "",
            "using TorchSharp;",
            "using static TorchSharp.torch;",
            "using System.Diagnostics;",
            "using static CifarHelpers.Notebook.NotebookApp;",
            "",
            "CifarHelpers.Notebook.NotebookApp.Start();",
            "",
            "// # 99 · A lesson",
            "//",
            "// Some *text*.",
            "var x = 1;",
            "",
            "// ## Two",
            "var s = \"not the end\";",
            "display(s);",
            "display(x + 2); // the value",
            "",
            "x = 3;",
            "",
            "Console.WriteLine(x);",
        ];
        var lines = app.Split('\n').SkipWhile(l => l.StartsWith("// ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(expectedStart, lines.Take(expectedStart.Length));
        Assert.Contains("// Generated from 99-lesson.ipynb by tools/NotebookToApp", app);
    }

    [Fact]
    public void AMagicCommandWithoutAnAppEquivalentIsAClearError()
    {
        string json = NotebookOf(("code", ["#!time\n", "var x = 1;"]));
        var error = Assert.Throws<FormatException>(() => AppGenerator.Generate(json, "99-lesson.ipynb", "lib.csproj"));
        Assert.Equal("99-lesson.ipynb, code cell 1: `#!time` has no file-based-app equivalent here; " +
                     "only `#r \"nuget: Name, Version\"` and the #r of CifarHelpers.dll are converted.", error.Message);
    }

    [Fact]
    public void ACellThatDoesNotParseIsAClearError()
    {
        string json = NotebookOf(("code", ["var x = ;\n", "x"]));
        var error = Assert.Throws<FormatException>(() => AppGenerator.Generate(json, "99-lesson.ipynb", "lib.csproj"));
        Assert.StartsWith("99-lesson.ipynb, code cell 1 does not parse: ", error.Message);
    }

    [Theory]
    [InlineData(new string[0], 100)]
    [InlineData(new[] { "app.dll" }, 100)]
    [InlineData(new[] { "app.dll", "--epochs", "2" }, 2)]
    public void EpochsComeFromTheCommandLineOrTheDefault(string[] args, int expected) =>
        Assert.Equal(expected, Tutorial.ParseEpochs(args, 100, out _));

    [Theory]
    [InlineData("x")]
    [InlineData("0")]
    [InlineData("-3")]
    public void BadEpochsSayWhatToDo(string value)
    {
        Assert.Null(Tutorial.ParseEpochs(["app.dll", "--epochs", value], 100, out string? error));
        Assert.Equal($"--epochs takes a whole number of epochs, 1 or more (for example `-- --epochs 2`); got `{value}`.", error);
    }

    [Fact]
    public void ATablePrintsAsTextWithAlignedColumns()
    {
        var frame = new DataFrame(new Int32DataFrameColumn("label", [0, 2]), new StringDataFrameColumn("class", ["airplane", "bird"]),
                                  new Int64DataFrameColumn("images", [5000, 123]));
        Assert.Equal(string.Join(Environment.NewLine, "label  class     images", "    0  airplane    5000", "    2  bird         123"),
                     TextTable.Render(frame));
    }

    [Fact]
    public void ImagesCarryOnePngForTheConsole()
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        var red = zeros(32, 32, 3, ScalarType.Byte);
        red[.., .., 0] = tensor((byte)255);
        var blue = zeros(32, 32, 3, ScalarType.Float32);
        blue[.., .., 2] = tensor(1f);

        var one = Images.Show(red, zoom: 2, caption: "red");
        using (var bitmap = SKBitmap.Decode(one.Png))
        {
            Assert.Equal((64, 64), (bitmap.Width, bitmap.Height));
            Assert.Equal(new SKColor(255, 0, 0), bitmap.GetPixel(10, 10));
        }
        Assert.Equal("red", one.Text);

        var grid = Images.Grid([(red, "r"), (blue, "b"), (red, "r2")], columns: 2, zoom: 3);
        using (var bitmap = SKBitmap.Decode(grid.Png))
        {
            Assert.Equal((96 + 6 + 96, 96 + 6 + 96), (bitmap.Width, bitmap.Height));
            Assert.Equal(new SKColor(0, 0, 255), bitmap.GetPixel(96 + 6 + 50, 50));
            Assert.Equal(new SKColor(255, 255, 255), bitmap.GetPixel(96 + 3, 50));      // the gap
            Assert.Equal(new SKColor(255, 0, 0), bitmap.GetPixel(50, 96 + 6 + 50));    // the third image, second row
        }
        Assert.Equal("3 images, 2 to a row: r, b, r2", grid.Text);
    }
}

[Trait("Category", "Unit")]
[Collection("console")]
public class ConsoleProgressTests
{
    [Fact]
    public void ProgressPrintsLinesWithoutTheKernelsAssemblies()
    {
        // This process has no .NET Interactive assemblies, as a file-based app has none.
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name!.StartsWith("Microsoft.DotNet.Interactive", StringComparison.Ordinal));
        var original = Console.Out;
        var output = new StringWriter();
        Console.SetOut(output);
        try
        {
            var progress = LiveProgress.Start("Epoch 0/2");
            progress.Update("Epoch 1/2");
        }
        finally
        {
            Console.SetOut(original);
        }
        Assert.Equal(["Epoch 0/2", "Epoch 1/2"], output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
