using Microsoft.Data.Analysis;

namespace CifarHelpers.Notebook;

/// <summary>A DataFrame as plain text, for a console: what a file-based app prints where a notebook shows a table.</summary>
public static class TextTable
{
    /// <summary>
    /// A DataFrame as a text table: a header, then one line per row, text columns aligned left and numbers right.
    /// Chinese characters count as two columns, as a terminal draws them, so the Chinese edition's headers line up.
    /// </summary>
    public static string Render(DataFrame frame)
    {
        var header = frame.Columns.Select(c => c.Name).ToList();
        var rows = Enumerable.Range(0, (int)frame.Rows.Count)
            .Select(r => frame.Columns.Select(c => Convert.ToString(c[r], System.Globalization.CultureInfo.InvariantCulture) ?? "").ToList())
            .ToList();
        var widths = header.Select((h, i) => rows.Select(r => Width(r[i])).Append(Width(h)).Max()).ToList();
        var text = frame.Columns.Select(c => c is StringDataFrameColumn).ToList();
        string Pad(string cell, int i) => new(' ', widths[i] - Width(cell));
        string Line(IReadOnlyList<string> cells) =>
            string.Join("  ", cells.Select((cell, i) => text[i] ? cell + Pad(cell, i) : Pad(cell, i) + cell)).TrimEnd();
        return string.Join(Environment.NewLine, rows.Select(Line).Prepend(Line(header)));
    }

    /// <summary>How many terminal columns <paramref name="text"/> takes: East Asian wide characters take two.</summary>
    internal static int Width(string text) => text.Sum(c => c is (>= '\u1100' and <= '\u115F') or (>= '\u2E80' and <= '\uA4CF')
        or (>= '\uAC00' and <= '\uD7A3') or (>= '\uF900' and <= '\uFAFF') or (>= '\uFE30' and <= '\uFE4F')
        or (>= '\uFF00' and <= '\uFF60') or (>= '\uFFE0' and <= '\uFFE6') ? 2 : 1);
}
