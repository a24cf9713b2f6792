using CifarHelpers.Runtime;
using Microsoft.DotNet.Interactive.Formatting;
using XPlot.Plotly;
using static TorchSharp.torch;

namespace CifarHelpers.Notebook;

/// <summary>The one set-up call at the top of every notebook.</summary>
public static class Tutorial
{
    /// <summary>True when this process is a .NET Interactive kernel (a notebook).</summary>
    public static bool InKernel =>
        AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Microsoft.DotNet.Interactive");

    /// <summary>
    /// Loads TorchSharp, registers the display formatters (HTML, charts), seeds torch's generator and picks
    /// the device: CUDA when TorchSharp finds one, else the CPU. Prints one line saying what it did.
    /// </summary>
    /// <param name="seed">The seed for torch's global generator (model weights).</param>
    /// <param name="language">
    /// The language of the charts' and tables' words and of the progress line: <c>en</c> or <c>zh-CN</c>. Without it,
    /// <c>TUTORIAL_LANG</c>, else <c>zh-CN</c> when the notebook runs from a folder named <c>zh-CN</c>, else English
    /// (see <see cref="Localization.Language"/>).
    /// </param>
    public static Device Setup(long seed = 42, string? language = null)
    {
        if (language is not null) Localization.Language = language;
        string runtime = TorchRuntime.Initialize();
        if (InKernel) RegisterFormatters();
        manual_seed(seed);
        var device = cuda.is_available() ? CUDA : CPU;
        string deviceName = device.type.ToString().ToLowerInvariant();
        Console.WriteLine(Localization.IsChinese
            ? $"设备 {deviceName},随机种子 {seed},{get_num_threads()} 个线程。{runtime}; {MemorySettings.Summary}."
            : $"Device {deviceName}, seed {seed}, {get_num_threads()} threads. {runtime}; {MemorySettings.Summary}.");
        return device;
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
