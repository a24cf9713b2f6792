using CifarHelpers.Text;
using System.Net;
using System.Text.RegularExpressions;
using XPlot.Plotly;

namespace CifarHelpers.Notebook;

/// <summary>Line charts with XPlot.Plotly, rendered as HTML that loads plotly.js.</summary>
public static partial class Charts
{
    /// <summary>
    /// Where plotly.js is loaded from. Set <c>PLOTLY_SRC</c> to a local copy (for example a page's
    /// <c>plotly.min.js</c>) to draw charts offline.
    /// </summary>
    public static string PlotlySrc { get; set; } =
        Environment.GetEnvironmentVariable("PLOTLY_SRC") is { Length: > 0 } src ? src : "https://cdn.plot.ly/plotly-2.35.2.min.js";

    /// <summary>
    /// One line chart with a trace per series. The title, the axis titles and the series' names are shown in the
    /// language in use (<see cref="Localization"/>): in the Chinese edition, from its table.
    /// </summary>
    public static PlotlyChart Lines(string title, string xTitle, string yTitle,
                                    params (string Name, IEnumerable<double> X, IEnumerable<double> Y)[] series)
    {
        var traces = series.Select(s => new Scatter { name = Localization.Text(s.Name), x = s.X.ToArray(), y = s.Y.ToArray(), mode = "lines" });
        var chart = Chart.Plot(traces);
        chart.WithTitle(Localization.Text(title));
        chart.WithXTitle(Localization.Text(xTitle));
        chart.WithYTitle(Localization.Text(yTitle));
        chart.WithSize(720, 400);
        return chart;
    }

    /// <summary>
    /// The chart as HTML: a div, and a script that draws it once plotly.js is there, loading it first if needed.
    /// </summary>
    public static Html ToHtml(PlotlyChart chart)
    {
        string src = WebUtility.HtmlEncode(PlotlySrc);
        // XPlot.Plotly 4.1.0 writes titles as strings; plotly.js 3 and later read only {"text": ...}.
        string js = StringTitle().Replace(chart.GetPlottingJS(), "\"title\":{\"text\":$1}");
        return new Html(
            $"<div id=\"{chart.Id}\" class=\"plotly-chart\" style=\"width:{chart.Width}px;height:{chart.Height}px\"></div>\n" +
            "<script>\n(function () {\n" +
            $"  var draw = function () {{ {js} }};\n" +
            "  if (window.Plotly) { draw(); return; }\n" +
            $"  var s = document.querySelector('script[data-plotly-src]') || (function () {{ var e = document.createElement('script'); e.src = '{src}'; e.setAttribute('data-plotly-src', ''); document.head.appendChild(e); return e; }})();\n" +
            "  s.addEventListener('load', draw);\n" +
            "})();\n</script>");
    }

    [GeneratedRegex("\"title\":(\"(?:[^\"\\\\]|\\\\.)*\")")]
    private static partial Regex StringTitle();
}
