using CifarHelpers.Text;
using System.Globalization;
using CifarHelpers.Runtime;
using Microsoft.DotNet.Interactive.Formatting;
using XPlot.Plotly;
using static TorchSharp.torch;

namespace CifarHelpers.Notebook;

/// <summary>The one set-up call at the top of every notebook, and the notebook's <c>--epochs</c> switch in its app.</summary>
public static class Tutorial
{
    /// <summary>True when this process is a .NET Interactive kernel (a notebook).</summary>
    public static bool InKernel =>
        AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Microsoft.DotNet.Interactive");

    /// <summary>
    /// Prepares a notebook (or a file-based app) in one call, each step done by the type that owns it: the figures it
    /// prints become culture-invariant (<see cref="UseInvariantCulture"/>), the language is fixed
    /// (<see cref="Localization"/>), TorchSharp is loaded (<see cref="TorchRuntime"/>), the display formatters are
    /// registered in a kernel, and torch's generator is seeded. It prints one short line for the reader, for example
    /// <c>CPU, seed 42, 2 threads.</c>; <see cref="Diagnostics"/> tells how the runtime was loaded.
    /// </summary>
    /// <param name="seed">The seed for torch's global generator (model weights).</param>
    /// <param name="language">
    /// <c>en</c> or <c>zh-CN</c>, the language of the charts, the library's tables and progress lines; without it,
    /// <c>TUTORIAL_LANG</c>, else the edition's folder (see <see cref="Localization.Language"/>).
    /// </param>
    public static void Setup(long seed = 42, string? language = null)
    {
        UseInvariantCulture();
        if (language is not null) Localization.Use(language);
        TorchRuntime.Initialize();
        if (InKernel) RegisterFormatters();
        manual_seed(seed);
        // The lessons run on the CPU: TorchSharp-cpu has no CUDA, and every tensor the library makes is a CPU tensor.
        Console.WriteLine(Localization.Format($"CPU, seed {seed}, {get_num_threads()} threads."));
    }

    /// <summary>
    /// How the runtime was loaded, for a reader who wants to know or a bug report: the libtorch work-around on this
    /// system, where the native files came from, the allocator and huge-page settings, and the language.
    /// </summary>
    public static string Diagnostics() =>
        $"{TorchRuntime.Initialize()}; {MemorySettings.Summary}; language {Localization.Language}; culture '{CultureInfo.CurrentCulture.Name}' (invariant).";

    /// <summary>
    /// Makes the invariant culture this process's culture, for this thread and every thread started later, so every
    /// figure prints the same (<c>0.8175</c>, never <c>0,8175</c>) whatever <c>LANG</c>, <c>LC_ALL</c> or the system's
    /// culture is. <see cref="Setup"/> calls it; it is the one place the library decides this.
    /// </summary>
    public static void UseInvariantCulture()
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
    }

    /// <summary>
    /// How many epochs to train: <paramref name="defaultEpochs"/> in a notebook; in a file-based app the value of
    /// its <c>--epochs N</c> argument when there is one (<c>dotnet run notebooks/08-training.cs -- --epochs 2</c>).
    /// A bad value ends the app with one line on stderr and exit code 2.
    /// </summary>
    public static int Epochs(int defaultEpochs)
    {
        if (InKernel) return defaultEpochs;
        if (ParseEpochs(Environment.GetCommandLineArgs(), defaultEpochs, out string? error) is { } epochs) return epochs;
        Console.Error.WriteLine(error);
        Environment.Exit(2);
        return defaultEpochs;
    }

    /// <summary>The value after <c>--epochs</c> in <paramref name="args"/>, the default without one, or null and why.</summary>
    internal static int? ParseEpochs(IReadOnlyList<string> args, int defaultEpochs, out string? error)
    {
        error = null;
        int at = args.ToList().IndexOf("--epochs");
        if (at < 0) return defaultEpochs;
        string value = at + 1 < args.Count ? args[at + 1] : "";
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int epochs) && epochs > 0)
            return epochs;
        error = $"--epochs takes a whole number of epochs, 1 or more (for example `-- --epochs 2`); got `{value}`.";
        return null;
    }

    static void RegisterFormatters()
    {
        Formatter.Register<Html>(html => html.Content, "text/html");
        Formatter.Register<PlotlyChart>(chart => Charts.ToHtml(chart).Content, "text/html");
    }
}
