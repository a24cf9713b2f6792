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
    public static Device Setup(long seed = 42)
    {
        string runtime = TorchRuntime.Initialize();
        if (InKernel) RegisterFormatters();
        manual_seed(seed);
        var device = cuda.is_available() ? CUDA : CPU;
        Console.WriteLine($"Device {device.type.ToString().ToLowerInvariant()}, seed {seed}, {get_num_threads()} threads. {runtime}; {MemorySettings.Summary}.");
        return device;
    }

    static void RegisterFormatters()
    {
        Formatter.Register<Html>(html => html.Content, "text/html");
        Formatter.Register<PlotlyChart>(chart => Charts.ToHtml(chart).Content, "text/html");
    }
}
