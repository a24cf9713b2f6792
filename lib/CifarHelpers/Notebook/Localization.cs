using System.Text.RegularExpressions;

namespace CifarHelpers.Notebook;

/// <summary>
/// The language of what the library prints and draws as words: chart titles, axis labels and legends, table headers,
/// the live progress line, the set-up line and a file-based app's announcements. The notebooks' code cells are the
/// same in both editions and pass English strings; in the Chinese edition (<c>zh-CN</c>) the library shows them in
/// Chinese through a table here. Printed figures (<c>Epoch: N, Loss: …</c>, <c>Accuracy: …</c>, tensors, shapes) are
/// never translated.
/// </summary>
public static partial class Localization
{
    /// <summary>The English edition's language tag (the default).</summary>
    public const string English = "en";

    /// <summary>The Chinese edition's language tag, also the name of its notebooks' folder, <c>notebooks/zh-CN</c>.</summary>
    public const string Chinese = "zh-CN";

    /// <summary>The environment variable that picks the language: <c>en</c> or <c>zh-CN</c> (the runner sets it).</summary>
    public const string Variable = "TUTORIAL_LANG";

    static string? _language;

    /// <summary>
    /// The language in use: the one set here or by <c>Tutorial.Setup(language: ...)</c>; else <c>TUTORIAL_LANG</c>;
    /// else <c>zh-CN</c> when the current folder (a kernel's is the notebook's folder; an app's, after
    /// <c>NotebookApp.Start</c>, the app's) is named <c>zh-CN</c>; else English. Setting null goes back to detecting it;
    /// setting anything but <c>en</c> or <c>zh-CN</c> throws an <see cref="ArgumentException"/> that says what to pass.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.AllowNull]
    public static string Language
    {
        get => _language ?? Detect(Environment.GetEnvironmentVariable(Variable), Directory.GetCurrentDirectory());
        set => _language = value is null ? null : Normalize(value) ?? throw new ArgumentException(
            $"The language is `{English}` or `{Chinese}`, not `{value}`: for example Tutorial.Setup(language: \"{Chinese}\").", nameof(value));
    }

    /// <summary>True when the Chinese edition's words are in use.</summary>
    public static bool IsChinese => Language == Chinese;

    /// <summary>The language for a <c>TUTORIAL_LANG</c> value and a current folder; a bad variable is ignored.</summary>
    internal static string Detect(string? variable, string currentDirectory) =>
        Normalize(variable) ?? (IsChineseFolder(currentDirectory) ? Chinese : English);

    /// <summary>True when <paramref name="directory"/> is named <c>zh-CN</c>, as the Chinese edition's notebooks folder is.</summary>
    internal static bool IsChineseFolder(string directory) =>
        string.Equals(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), Chinese, StringComparison.OrdinalIgnoreCase);

    static string? Normalize(string? value) => value?.Trim() switch
    {
        null or "" => null,
        var v when v.Equals(English, StringComparison.OrdinalIgnoreCase) || v.StartsWith("en-", StringComparison.OrdinalIgnoreCase) => English,
        var v when v.Equals(Chinese, StringComparison.OrdinalIgnoreCase) || v.Equals("zh", StringComparison.OrdinalIgnoreCase)
                   || v.Equals("zh-Hans", StringComparison.OrdinalIgnoreCase) => Chinese,
        _ => null,
    };

    /// <summary><paramref name="english"/> in the language in use: itself in English, or its Chinese from the table.</summary>
    public static string Text(string english) => IsChinese ? ToChinese(english) ?? english : english;

    /// <summary>True when the table knows <paramref name="english"/> (words or a pattern); formulas map to themselves.</summary>
    public static bool Knows(string english) => ToChinese(english) is not null;

    /// <summary>The Chinese of <paramref name="english"/>, or null when the table does not have it.</summary>
    public static string? ToChinese(string english)
    {
        if (Words.TryGetValue(english, out var chinese)) return chinese;
        foreach (var (pattern, replacement) in Patterns)
            if (pattern.Match(english) is { Success: true } match)
                return match.Result(replacement);
        return null;
    }

    /// <summary>Every string a notebook passes to a chart, a table header or a progress line, in English and Chinese.</summary>
    static readonly Dictionary<string, string> Words = new(StringComparer.Ordinal)
    {
        // Charts: 05
        ["Mean training loss per epoch"] = "每轮的平均训练损失",
        ["epoch"] = "轮次 (epoch)",
        ["mean loss (NLL)"] = "平均损失 (NLL)",
        // Charts: 07
        ["How hard each loss pushes the true class's logit (z = [-s, s], true class 0)"] = "两种损失推动正确类别 logit 的力度 (z = [-s, s],正确类别为 0)",
        ["s (how confidently wrong the model is)"] = "s (模型错得有多自信)",
        ["|dL/dz0|"] = "|dL/dz0|",
        ["MSE(softmax(z), one-hot)"] = "MSE(softmax(z), one-hot)",
        ["NLL(log_softmax(z))"] = "NLL(log_softmax(z))",
        ["NLL = -log p"] = "NLL = -log p",
        ["p (probability of the true class)"] = "p (正确类别的概率)",
        ["NLL"] = "NLL",
        ["-log p"] = "-log p",
        // Charts: 08
        ["Training loss per epoch"] = "每轮的训练损失",
        ["NLL loss"] = "NLL 损失",
        ["last batch"] = "最后一个小批量",
        ["mean over the epoch"] = "整轮的平均值",
        // Table headers
        ["label"] = "标签",
        ["class"] = "类别",
        ["images"] = "图像数",
        ["loss"] = "损失",
        ["mean loss"] = "平均损失",
        ["seconds"] = "秒",
        ["true \\ predicted"] = "真实 \\ 预测",
        // Progress lines
        ["Looking for the checkpoint..."] = "正在查找检查点……",
        // Charts: 11
        ["Accuracy per epoch"] = "每轮的准确率",
        ["accuracy"] = "准确率",
        ["CNN, train"] = "卷积网络,训练集",
        ["CNN, validation"] = "卷积网络,验证集",
        ["fully connected, train"] = "全连接网络,训练集",
        ["fully connected, validation"] = "全连接网络,验证集",
        ["Validation accuracy on shifted images"] = "平移后图像的验证准确率",
        ["shift (pixels to the right)"] = "平移 (向右的像素数)",
        ["CNN"] = "卷积网络 (CNN)",
        ["fully connected"] = "全连接网络",
        ["Training on original pixels..."] = "正在用原始像素训练……",
        // The network diagram
        ["input"] = "输入 (input)",
        // A file-based app's announcements
        ["Picture"] = "图片",
        ["Chart"] = "图表",
        ["Page"] = "页面",
    };

    /// <summary>Words around numbers: the numbers are kept as printed.</summary>
    static readonly (Regex Pattern, string Replacement)[] Patterns =
    [
        (new(@"^batch size (\d+)$"), "批量大小 $1"),
        (new(@"^Epoch (\d+)/(\d+)$"), "第 $1/$2 轮"),
        (new(@"^Epoch (\d+)/(\d+): loss ([^,]+), mean loss ([^,]+), ([0-9.]+) s$"), "第 $1/$2 轮:损失 $3,平均损失 $4,$5 秒"),
        (new(@"^Epoch (\d+)/(\d+): loss ([^,]+)$"), "第 $1/$2 轮:损失 $3"),
        (new(@"^Original pixels, epoch (\d+)/(\d+): loss ([^,]+)$"), "原始像素,第 $1/$2 轮:损失 $3"),
        (new(@"^Permuted pixels, epoch (\d+)/(\d+): loss ([^,]+)$"), "打乱的像素,第 $1/$2 轮:损失 $3"),
        (new(@"^Both models trained for (\d+) epochs\.$"), "两个模型都已训练 $1 轮。"),
        (new(@"^Loaded (.+): (\d+) epochs, seed (\d+), validation accuracy ([0-9.]+)$"), "已加载 $1:$2 轮,种子 $3,验证准确率 $4"),
        (new(@"^Loaded (.+): (\d+) epochs, seed (\d+)$"), "已加载 $1:$2 轮,种子 $3"),
        (new(@"^Trained here for (\d+) epochs, seed (\d+)$"), "在这里训练了 $1 轮,种子 $2"),
        (new(@"^CNN epoch (\d+)/(\d+)$"), "卷积网络,第 $1/$2 轮"),
        (new(@"^CNN epoch (\d+)/(\d+): loss ([^,]+), train ([^,]+), val ([^,]+), ([0-9.]+) s$"), "卷积网络,第 $1/$2 轮:损失 $3,训练集 $4,验证集 $5,$6 秒"),
        (new(@"^FC epoch (\d+)/(\d+): loss ([^,]+), train ([^,]+), val ([^,]+)$"), "全连接网络,第 $1/$2 轮:损失 $3,训练集 $4,验证集 $5"),
        (new(@"^CNN: (\d+) epochs in ([0-9.]+) s \(([0-9.]+) s per epoch, with its two evaluations\)$"), "卷积网络:$1 轮用时 $2 秒 (每轮 $3 秒,含两次评估)"),
    ];
}
