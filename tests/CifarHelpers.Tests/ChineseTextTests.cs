using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tools.Shared;

namespace CifarHelpers.Tests;

/// <summary>
/// The Chinese text of the edition, as a reader sees it: the prose of the zh-CN notebooks' markdown cells (without inline
/// code, fenced code, <c>$...$</c> formulas and link targets) and the C# string literals that hold Chinese.
/// </summary>
internal static partial class ChineseText
{
    internal const string Edition = "zh-CN";

    /// <summary>One piece of Chinese text and where it is, for a failure message.</summary>
    internal sealed record Piece(string Where, string Text);

    /// <summary>What a code span, a formula or a string's interpolation hole is replaced with: neither CJK nor ASCII punctuation.</summary>
    internal const char Hidden = '\uFFFC';

    internal static bool IsCjk(char c) =>
        c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF'
            or >= '\u3000' and <= '\u303F' or >= '\uFF00' and <= '\uFFEF';

    /// <summary>The prose of a markdown cell, line by line: fenced blocks dropped, code spans, formulas and link targets hidden.</summary>
    internal static IEnumerable<(int Line, string Text)> Prose(string markdown)
    {
        // $$...$$ may span lines: hide it first, keeping the line breaks.
        markdown = DisplayFormula().Replace(markdown, m => new string('\n', m.Value.Count(c => c == '\n')) + Hidden);
        bool fenced = false;
        var lines = markdown.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { fenced = !fenced; continue; }
            if (fenced) continue;
            line = CodeSpan().Replace(line, Hidden.ToString());
            line = InlineFormula().Replace(line, Hidden.ToString());
            line = LinkTarget().Replace(line, "]");
            line = Url().Replace(line, Hidden.ToString());
            yield return (i + 1, line);
        }
    }

    static string NotebooksFolder => Path.Combine(RepoRoot.Find(), "notebooks", Edition);

    internal static IEnumerable<string> Notebooks() =>
        Directory.GetFiles(NotebooksFolder, "*.ipynb").Order(StringComparer.Ordinal);

    /// <summary>Every line of prose in the zh-CN notebooks' markdown cells.</summary>
    internal static IEnumerable<Piece> NotebookProse()
    {
        foreach (var file in Notebooks())
        {
            var cells = JsonNode.Parse(File.ReadAllText(file))!["cells"]!.AsArray();
            for (int c = 0; c < cells.Count; c++)
            {
                if ((string?)cells[c]!["cell_type"] != "markdown") continue;
                string source = cells[c]!["source"] is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)cells[c]!["source"] ?? "";
                foreach (var (line, text) in Prose(source))
                    yield return new Piece($"notebooks/{Edition}/{Path.GetFileName(file)}, cell {c}, line {line}", text);
            }
        }
    }

    /// <summary>The C# files under the given folders of the repository, without build outputs.</summary>
    internal static IEnumerable<string> CSharpFiles(params string[] folders)
    {
        string root = RepoRoot.Find();
        return folders.SelectMany(f => Directory.GetFiles(Path.Combine(root, f), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>Every string literal with a CJK character in the given C# files, holes of interpolated strings hidden.</summary>
    internal static IEnumerable<Piece> ChineseLiterals(params string[] folders)
    {
        string root = RepoRoot.Find();
        foreach (var file in CSharpFiles(folders))
            foreach (var (line, text) in StringLiterals(File.ReadAllText(file)))
                if (text.Any(c => c is >= '\u3400' and <= '\u9FFF'))
                    yield return new Piece($"{Path.GetRelativePath(root, file).Replace('\\', '/')}, line {line}", text);
    }

    /// <summary>
    /// The string literals of C# source with the line each starts on: regular, verbatim (@), interpolated ($, holes
    /// hidden) and raw ("""); comments and character literals skipped. Escapes are kept as written.
    /// </summary>
    internal static IEnumerable<(int Line, string Text)> StringLiterals(string source)
    {
        var found = new List<(int, string)>();
        int i = 0, line = 1;
        while (i < source.Length)
        {
            char c = source[i];
            if (c == '\n') { line++; i++; continue; }
            if (c == '/' && i + 1 < source.Length && source[i + 1] == '/') { while (i < source.Length && source[i] != '\n') i++; continue; }
            if (c == '/' && i + 1 < source.Length && source[i + 1] == '*')
            {
                int end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? source.Length : end + 2;
                line += source.AsSpan(i, end - i).Count('\n');
                i = end;
                continue;
            }
            if (c == '\'')
            {
                i++;
                while (i < source.Length && source[i] != '\'') i += source[i] == '\\' ? 2 : 1;
                i++;
                continue;
            }
            // A string starts with an optional $ and @ (in either order), then one quote or three or more.
            int start = i;
            bool interpolated = false, verbatim = false;
            while (i < source.Length && (source[i] == '$' || source[i] == '@'))
            {
                if (source[i] == '$') interpolated = true; else verbatim = true;
                i++;
            }
            if (i >= source.Length || source[i] != '"') { i = start + 1; continue; }
            int startLine = line;
            int quotes = 0;
            while (i + quotes < source.Length && source[i + quotes] == '"') quotes++;
            var text = new StringBuilder();
            int depth = 0;
            if (quotes >= 3)
            {
                // Raw string literal: ends at the same run of quotes.
                string fence = new('"', quotes);
                int end = source.IndexOf(fence, i + quotes, StringComparison.Ordinal);
                if (end < 0) end = source.Length;
                string body = source[(i + quotes)..end];
                line += body.Count(ch => ch == '\n');
                found.Add((startLine, interpolated ? RawHole().Replace(body, Hidden.ToString()) : body));
                i = Math.Min(source.Length, end + quotes);
                continue;
            }
            if (quotes == 2) { i += 2; continue; } // an empty string
            i++;
            while (i < source.Length)
            {
                char d = source[i];
                if (d == '\n') line++;
                if (depth > 0)
                {
                    if (d == '{') depth++;
                    else if (d == '}') { depth--; if (depth == 0) text.Append(Hidden); }
                    i++;
                    continue;
                }
                if (verbatim && d == '"')
                {
                    if (i + 1 < source.Length && source[i + 1] == '"') { text.Append('"'); i += 2; continue; }
                    break;
                }
                if (!verbatim && d == '\\') { text.Append(d).Append(source[i + 1]); i += 2; continue; }
                if (!verbatim && d == '"') break;
                if (interpolated && d == '{')
                {
                    if (i + 1 < source.Length && source[i + 1] == '{') { text.Append('{'); i += 2; continue; }
                    depth = 1;
                    i++;
                    continue;
                }
                if (interpolated && d == '}' && i + 1 < source.Length && source[i + 1] == '}') { text.Append('}'); i += 2; continue; }
                text.Append(d);
                i++;
            }
            found.Add((startLine, text.ToString()));
            i++;
        }
        return found;
    }

    /// <summary>The ASCII <c>,:;?!()</c> in <paramref name="text"/> that stand next to a CJK character (spaces between them skipped).</summary>
    internal static IEnumerable<string> AsciiPunctuationBesideCjk(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (",:;?!()".IndexOf(text[i]) < 0) continue;
            int before = i - 1, after = i + 1;
            while (before >= 0 && text[before] == ' ') before--;
            while (after < text.Length && text[after] == ' ') after++;
            if ((before >= 0 && IsCjk(text[before])) || (after < text.Length && IsCjk(text[after])))
            {
                int from = Math.Max(0, i - 8), to = Math.Min(text.Length, i + 9);
                yield return "…" + text[from..to].Replace(Hidden, '`') + "…";
            }
        }
    }

    [GeneratedRegex(@"\$\$.*?\$\$", RegexOptions.Singleline)] private static partial Regex DisplayFormula();
    [GeneratedRegex(@"(`+)(.+?)\1")] private static partial Regex CodeSpan();
    [GeneratedRegex(@"(?<![\\\w])\$[^$\n]+?\$")] private static partial Regex InlineFormula();
    [GeneratedRegex(@"\]\([^)\s]*\)")] private static partial Regex LinkTarget();
    [GeneratedRegex(@"<?https?://[^\s>)]+>?")] private static partial Regex Url();
    [GeneratedRegex(@"\{[^{}]*\}")] private static partial Regex RawHole();
}

/// <summary>
/// Chinese text uses full-width punctuation: no ASCII <c>,:;?!()</c> next to a Chinese character, outside code,
/// formulas and URLs, in the zh-CN markdown and in the library's and tools' Chinese strings.
/// </summary>
[Trait("Category", "Unit")]
public class ChinesePunctuationTests
{
    static string Report(IEnumerable<(ChineseText.Piece Piece, string Snippet)> hits) =>
        string.Join("\n", hits.Select(h => $"  {h.Piece.Where}: {h.Snippet}"));

    [Fact]
    public void TheChineseMarkdownUsesFullWidthPunctuation()
    {
        var prose = ChineseText.NotebookProse().ToList();
        Assert.True(prose.Count > 100, $"only {prose.Count} lines of prose found in notebooks/{ChineseText.Edition}/.");
        var hits = prose.SelectMany(p => ChineseText.AsciiPunctuationBesideCjk(p.Text).Select(s => (p, s))).ToList();
        Assert.True(hits.Count == 0,
            $"{hits.Count} ASCII ,:;?!() next to Chinese in the zh-CN markdown (use ，：；？！（）):\n{Report(hits)}");
    }

    [Fact]
    public void TheChineseStringsOfTheLibraryAndToolsUseFullWidthPunctuation()
    {
        var literals = ChineseText.ChineseLiterals(Path.Combine("lib", "CifarHelpers"), "tools").ToList();
        Assert.NotEmpty(literals);
        var hits = literals.SelectMany(p => ChineseText.AsciiPunctuationBesideCjk(p.Text).Select(s => (p, s))).ToList();
        Assert.True(hits.Count == 0,
            $"{hits.Count} ASCII ,:;?!() next to Chinese in C# string literals (use ，：；？！（）):\n{Report(hits)}");
    }

    [Fact]
    public void TheScannerSeesWhatItShould()
    {
        Assert.Single(ChineseText.AsciiPunctuationBesideCjk("张量,形状"));
        Assert.Single(ChineseText.AsciiPunctuationBesideCjk("数据集 (dataset）"));
        Assert.Empty(ChineseText.AsciiPunctuationBesideCjk("10,000张、[0, 1]之间"));
        Assert.Empty(ChineseText.AsciiPunctuationBesideCjk("张量，形状：（3）"));
        // Code spans, formulas, fenced code and link targets are not prose.
        var prose = string.Join("\n", ChineseText.Prose("调用`f(x, y)`。$(-1, 1)$区间\n```\n中文(代码)\n```\n见[术语表](glossary.md)。").Select(p => p.Text));
        Assert.Empty(ChineseText.AsciiPunctuationBesideCjk(prose));
        // String literals: regular, verbatim, interpolated (holes hidden), raw; comments and chars skipped.
        var literals = ChineseText.StringLiterals(""""
            var a = "第(1)轮"; // "注释(x)"
            var b = $"共{n}张:{(x ? "是" : "否")}"; char c = '"';
            var d = @"路径""(甲)""";
            """").ToList();
        Assert.Equal(["第(1)轮", "共\uFFFC张:\uFFFC", "路径\"(甲)\""], literals.Select(l => l.Text));
        Assert.Equal([1, 2, 3], literals.Select(l => l.Line));
    }
}

/// <summary>
/// One word for one concept: notebooks/zh-CN/glossary.md lists, for each term, the variants the edition does not use
/// (column 不用) and the longer words that may contain them (column 例外); none of those variants appears in the zh-CN
/// markdown's prose or in the library's Chinese strings.
/// </summary>
[Trait("Category", "Unit")]
public class GlossaryTests
{
    internal sealed record Term(string Chinese, string English, string[] Avoid, string[] Allowed);

    static string GlossaryPath => Path.Combine(RepoRoot.Find(), "notebooks", ChineseText.Edition, "glossary.md");

    static string[] Split(string cell) =>
        cell.Split('、', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal static List<Term> ReadGlossary()
    {
        var rows = File.ReadAllLines(GlossaryPath)
            .Where(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray())
            .ToList();
        var header = rows.First();
        int zh = Array.IndexOf(header, "中文"), en = Array.IndexOf(header, "English"),
            avoid = Array.IndexOf(header, "不用"), allowed = Array.IndexOf(header, "例外");
        Assert.True(zh >= 0 && en >= 0 && avoid >= 0 && allowed >= 0, "glossary.md: its table needs the columns 中文, English, 不用 and 例外.");
        return rows.Skip(1).Where(r => !r.All(c => c.Trim('-', ':').Length == 0))
            .Select(r => new Term(r[zh], r[en], Split(r[avoid]), Split(r[allowed]))).ToList();
    }

    /// <summary>The places in <paramref name="text"/> where <paramref name="variant"/> stands outside every allowed longer word.</summary>
    internal static IEnumerable<int> Uses(string text, string variant, IEnumerable<string> allowed)
    {
        var covered = new bool[text.Length];
        foreach (var word in allowed.Where(w => w.Contains(variant, StringComparison.Ordinal)))
            for (int at = text.IndexOf(word, StringComparison.Ordinal); at >= 0; at = text.IndexOf(word, at + 1, StringComparison.Ordinal))
                for (int k = at; k < at + word.Length; k++) covered[k] = true;
        for (int at = text.IndexOf(variant, StringComparison.Ordinal); at >= 0; at = text.IndexOf(variant, at + 1, StringComparison.Ordinal))
            if (!Enumerable.Range(at, variant.Length).All(k => covered[k]))
                yield return at;
    }

    static List<string> Hits(IEnumerable<ChineseText.Piece> pieces, List<Term> glossary) =>
        (from p in pieces
         from t in glossary
         from v in t.Avoid
         from at in Uses(p.Text, v, t.Allowed)
         select $"  {p.Where}: '{v}' (use '{t.Chinese}', {t.English}): …{p.Text[Math.Max(0, at - 8)..Math.Min(p.Text.Length, at + v.Length + 8)]}…")
        .ToList();

    [Fact]
    public void TheGlossaryListsTheTermsAndIsLinkedFromTheFirstNotebook()
    {
        var glossary = ReadGlossary();
        Assert.True(glossary.Count >= 30, $"glossary.md has only {glossary.Count} terms.");
        Assert.True(glossary.Select(t => t.Chinese).Distinct().Count() == glossary.Count, "glossary.md lists a Chinese term twice.");
        foreach (var term in new[] { "图像", "小批量", "批量大小", "轮", "验证集", "准确率", "真实类别", "检查点", "卷积神经网络", "全连接网络", "logit", "种子" })
            Assert.Contains(glossary, t => t.Chinese == term);
        // A preferred word is never also a variant to avoid.
        var avoided = glossary.SelectMany(t => t.Avoid).ToHashSet();
        Assert.DoesNotContain(glossary, t => avoided.Contains(t.Chinese));
        string first = ChineseText.Notebooks().First();
        var title = JsonNode.Parse(File.ReadAllText(first))!["cells"]![0]!["source"]!.AsArray();
        Assert.Contains("(glossary.md)", string.Concat(title.Select(l => (string?)l)));
    }

    [Fact]
    public void TheChineseMarkdownUsesTheGlossarysWords()
    {
        var hits = Hits(ChineseText.NotebookProse(), ReadGlossary());
        Assert.True(hits.Count == 0, $"{hits.Count} words the glossary avoids, in the zh-CN markdown:\n{string.Join("\n", hits)}");
    }

    [Fact]
    public void TheLibrarysChineseStringsUseTheGlossarysWords()
    {
        var hits = Hits(ChineseText.ChineseLiterals(Path.Combine("lib", "CifarHelpers")), ReadGlossary());
        Assert.True(hits.Count == 0, $"{hits.Count} words the glossary avoids, in the library's Chinese strings:\n{string.Join("\n", hits)}");
    }

    [Fact]
    public void AnAllowedLongerWordIsNotAUse()
    {
        Assert.Empty(Uses("原文§1：区分图片中的鸟和飞机", "图片", ["区分图片中的鸟和飞机"]));
        Assert.Equal([2], Uses("一张图片，区分图片中的鸟和飞机", "图片", ["区分图片中的鸟和飞机"]));
        Assert.Single(Uses("卷积网络和卷积神经网络", "卷积网络", []));
    }
}
