using System.Globalization;
using static TorchSharp.torch;

namespace Bench;

/// <summary>The benchmark's figures as a Markdown table, headed by when and where they were measured (--markdown).</summary>
public static class MarkdownTable
{
    /// <summary>
    /// Writes a heading line (date, machine, runs), one row per figure and one per ratio, ready to paste into
    /// bench/README.md.
    /// </summary>
    public static void Write(TextWriter output, int runs,
                             IReadOnlyList<(string Name, double Value, string Unit, string What)> figures,
                             IReadOnlyList<(string Name, string Text)> ratios)
    {
        var invariant = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(invariant,
            $"Measured {DateTime.Now:yyyy-MM-dd HH:mm}: {Environment.ProcessorCount} cores, {get_num_threads()} torch threads, " +
            $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}; medians of {runs} runs after one warm-up."));
        output.WriteLine();
        output.WriteLine("| figure | value | what |");
        output.WriteLine("|---|---:|---|");
        foreach (var (name, value, unit, what) in figures)
            output.WriteLine(string.Create(invariant, $"| `{name}` | {Format(value, unit)} | {Escape(what)} |"));
        foreach (var (name, text) in ratios)
            output.WriteLine($"| {name} | | {Escape(text)} |");
    }

    /// <summary>A value with its unit, to a sensible precision: faults as whole numbers, seconds to three decimals.</summary>
    public static string Format(double value, string unit) => unit switch
    {
        "faults" => value.ToString("N0", CultureInfo.InvariantCulture),
        "MB" or "GFLOP/s" => value.ToString("0.0", CultureInfo.InvariantCulture) + " " + unit,
        _ => value.ToString("0.000", CultureInfo.InvariantCulture) + " " + unit,
    };

    static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
