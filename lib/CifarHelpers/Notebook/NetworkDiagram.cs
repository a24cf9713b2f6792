using CifarHelpers.Text;
using System.Globalization;
using System.Net;
using System.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CifarHelpers.Notebook;

/// <summary>
/// Draws a model made of <c>Linear</c> layers as the usual picture of a fully connected network: a column of
/// units per layer, every unit joined to every unit of the next column. The picture is read from the model
/// itself (the weights' shapes and the modules between them), as an SVG.
/// </summary>
public static class NetworkDiagram
{
    const int ColumnGap = 230, Slot = 30, Radius = 10, Top = 56, Margin = 90;

    /// <summary>
    /// The diagram of <paramref name="model"/>'s children in order: the input column takes its size from the first
    /// <c>Linear</c> layer's weight <c>[out, in]</c>, each <c>Linear</c> adds a column of <c>out</c> units, and any
    /// other module (<c>Tanh</c>, <c>LogSoftmax</c>) is written under the column it acts on. Columns wider than
    /// <paramref name="maxShown"/> units show that many, with a "⋮" for the rest, and are labelled with their true size.
    /// </summary>
    public static Html Of(nn.Module model, int maxShown = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxShown, 3);
        var columns = new List<(long Units, List<string> Notes)>();
        var layers = new List<string>();
        foreach (var (_, child) in model.named_children())
        {
            if (child is Linear linear)
            {
                var shape = linear.weight!.shape;
                if (columns.Count == 0) columns.Add((shape[1], [Localization.Text("input")]));
                columns.Add((shape[0], []));
                layers.Add($"Linear({shape[1]}, {shape[0]})");
            }
            else if (columns.Count > 0)
            {
                columns[^1].Notes.Add(child.GetName());
            }
        }
        if (layers.Count == 0) throw new ArgumentException("The model has no Linear layer to draw.", nameof(model));
        return new Html(Svg(columns, layers, maxShown));
    }

    static string Svg(List<(long Units, List<string> Notes)> columns, List<string> layers, int maxShown)
    {
        int slots = columns.Max(c => (int)Math.Min(c.Units, maxShown));
        int width = 2 * Margin + ColumnGap * (columns.Count - 1);
        int height = Top + slots * Slot + 64;
        var centres = columns.Select((c, i) => Centres(c.Units, maxShown, slots, Margin + i * ColumnGap)).ToList();

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"network-diagram\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"13\">");
        for (int i = 0; i + 1 < columns.Count; i++)
        {
            foreach (var (x1, y1) in centres[i].Units)
                foreach (var (x2, y2) in centres[i + 1].Units)
                    svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" stroke=\"#9aa5b1\" stroke-width=\"0.6\"/>");
            int mid = Margin + i * ColumnGap + ColumnGap / 2;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{mid}\" y=\"22\" text-anchor=\"middle\" font-weight=\"bold\">{WebUtility.HtmlEncode(layers[i])}</text>");
        }
        for (int i = 0; i < columns.Count; i++)
        {
            int x = Margin + i * ColumnGap;
            foreach (var (cx, cy) in centres[i].Units)
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{cx}\" cy=\"{cy}\" r=\"{Radius}\" fill=\"{(i == 0 ? "#d9e8f5" : "#fde2c8")}\" stroke=\"#334\"/>");
            if (centres[i].Ellipsis is { } dots)
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{dots + 6}\" text-anchor=\"middle\" font-size=\"20\">⋮</text>");
            int below = Top + slots * Slot + 8;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{below}\" text-anchor=\"middle\" font-weight=\"bold\">{columns[i].Units}</text>");
            if (columns[i].Notes.Count > 0)
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{below + 18}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(string.Join(" + ", columns[i].Notes))}</text>");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>The centres of the drawn units of one column, and where its "⋮" goes when it has more units than slots.</summary>
    static (List<(int X, int Y)> Units, int? Ellipsis) Centres(long units, int maxShown, int slots, int x)
    {
        int shown = (int)Math.Min(units, maxShown);
        int offset = Top + (slots - shown) * Slot / 2 + Slot / 2;
        var ys = Enumerable.Range(0, shown).Select(k => offset + k * Slot).ToList();
        int? ellipsis = null;
        if (units > maxShown)
        {
            ellipsis = ys[^2];
            ys.RemoveAt(ys.Count - 2);
        }
        return (ys.Select(y => (x, y)).ToList(), ellipsis);
    }
}
