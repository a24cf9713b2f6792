using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace CifarHelpers.Text;

/// <summary>
/// The language of what the library prints and draws for a reader: chart titles, axes and legends, the tables it
/// builds, progress lines, the set-up line and a file-based app's announcements. Each text is one entry: its English
/// (a plain text, or the composite format of an interpolated string, such as <c>"{0}/{1} epochs: loss {2:F6}"</c>)
/// and its Chinese. Figures are filled in with the invariant culture in both languages, so <c>0.8175</c> prints the
/// same under any <c>LANG</c>. A text without an entry stays English.
/// </summary>
/// <remarks>
/// Code cells pass English; the notebooks' code is the same in both editions, and a line that a cell builds and
/// prints itself (<c>Console.WriteLine</c>) stays as the cell writes it.
/// </remarks>
public static class Localization
{
    /// <summary>The English edition's language tag (the default).</summary>
    public const string English = "en";

    /// <summary>The Chinese edition's language tag, also the name of its notebooks' folder, <c>notebooks/zh-CN</c>.</summary>
    public const string Chinese = "zh-CN";

    /// <summary>The environment variable that picks the language: <c>en</c> or <c>zh-CN</c> (the runner sets it).</summary>
    public const string Variable = "TUTORIAL_LANG";

    static readonly Lock Gate = new();
    static string? _language;

    /// <summary>
    /// The language of this process, decided once, at its first use: the one given to <see cref="Use"/> (which
    /// <c>Tutorial.Setup(language: ...)</c> calls); else <c>TUTORIAL_LANG</c>; else <c>zh-CN</c> when the current folder
    /// (a kernel's is the notebook's folder) is the Chinese edition's, <c>zh-CN</c>; else English.
    /// </summary>
    public static string Language
    {
        get
        {
            lock (Gate) return _language ??= Detect(Environment.GetEnvironmentVariable(Variable), Directory.GetCurrentDirectory());
        }
    }

    /// <summary>True when the Chinese edition's words are in use.</summary>
    public static bool IsChinese => Language == Chinese;

    /// <summary>
    /// Sets the language of this process: <c>en</c> or <c>zh-CN</c> (<c>zh</c> and <c>zh-Hans</c> too). Anything else
    /// throws an <see cref="ArgumentException"/> that says what to pass.
    /// </summary>
    public static void Use(string language)
    {
        string chosen = Normalize(language) ?? throw new ArgumentException(
            $"The language is `{English}` or `{Chinese}`, not `{language}`: for example Tutorial.Setup(language: \"{Chinese}\").", nameof(language));
        lock (Gate) _language = chosen;
    }

    /// <summary>The language for a <c>TUTORIAL_LANG</c> value and a current folder; a bad variable is ignored.</summary>
    internal static string Detect(string? variable, string currentDirectory) =>
        Normalize(variable) ?? (string.Equals(Path.GetFileName(Path.TrimEndingDirectorySeparator(currentDirectory)), Chinese,
                                              StringComparison.OrdinalIgnoreCase) ? Chinese : English);

    static string? Normalize(string? value) => value?.Trim() switch
    {
        null or "" => null,
        var v when v.Equals(English, StringComparison.OrdinalIgnoreCase) || v.StartsWith("en-", StringComparison.OrdinalIgnoreCase) => English,
        var v when v.Equals(Chinese, StringComparison.OrdinalIgnoreCase) || v.Equals("zh", StringComparison.OrdinalIgnoreCase)
                   || v.Equals("zh-Hans", StringComparison.OrdinalIgnoreCase) => Chinese,
        _ => null,
    };

    /// <summary><paramref name="english"/> in the language in use: itself in English, else its entry's Chinese when there is one.</summary>
    public static string Text(string english) => IsChinese && Entries.TryGetValue(english, out var chinese) ? chinese : english;

    /// <summary>
    /// An interpolated string in the language in use: its composite format looked up as one entry, its values
    /// filled in with the invariant culture.
    /// </summary>
    public static string Format(LocalizedText text) => text.ToString(IsChinese ? Chinese : English);

    /// <summary>True when <paramref name="english"/>, a text or a composite format, has a Chinese entry.</summary>
    public static bool Knows(string english) => Entries.ContainsKey(english);

    /// <summary>Every entry: the English text or composite format, and its Chinese.</summary>
    public static IReadOnlyDictionary<string, string> All => Entries;

    internal static string? ChineseOf(string english) => Entries.GetValueOrDefault(english);

    // Chinese after notebooks/zh-CN/glossary.md: 图像, 轮, 小批量, 真实类别, 卷积神经网络; no space between Chinese and
    // Latin letters or digits; full-width punctuation.
    static readonly Dictionary<string, string> Entries = new(StringComparer.Ordinal)
    {
        // Charts: 05
        ["Mean training loss per epoch, by batch size"] = "不同批量大小下每轮的平均训练损失",
        ["epoch"] = "轮",
        ["mean loss (NLL)"] = "平均损失（NLL）",
        // Charts: 07
        ["How hard each loss pushes the true class's logit (z = [-s, s], true class 0)"] = "两种损失推动真实类别logit的力度（z = [-s, s]，真实类别为0）",
        ["s (how confidently wrong the model is)"] = "s（模型错得有多自信）",
        ["p (probability of the true class)"] = "p（真实类别的概率）",
        // Charts: 08
        ["Training loss per epoch"] = "每轮的训练损失",
        ["NLL loss"] = "NLL损失",
        ["last batch"] = "最后一个小批量",
        ["mean over the epoch"] = "整轮的平均值",
        // Charts: 11
        ["Accuracy per epoch"] = "每轮的准确率",
        ["accuracy"] = "准确率",
        ["CNN, train"] = "卷积神经网络，训练集",
        ["CNN, validation"] = "卷积神经网络，验证集",
        ["fully connected, train"] = "全连接网络，训练集",
        ["fully connected, validation"] = "全连接网络，验证集",
        ["Validation accuracy on shifted images"] = "平移后图像的验证准确率",
        ["shift (pixels to the right)"] = "平移（向右的像素数）",
        ["CNN"] = "卷积神经网络（CNN）",
        ["fully connected"] = "全连接网络",
        // The tables the library builds
        ["label"] = "标签",
        ["class"] = "类别",
        ["images"] = "图像数",
        ["loss"] = "损失",
        ["mean loss"] = "平均损失",
        ["seconds"] = "秒",
        ["true \\ predicted"] = "真实 \\ 预测",
        // The network diagram
        ["input"] = "输入",
        // A file-based app's announcements
        ["Picture"] = "图像",
        ["Chart"] = "图表",
        ["Page"] = "页面",
        // The set-up line
        ["CPU, seed {0}, {1} threads."] = "CPU，随机种子{0}，{1}个线程。",
        // Progress lines: 08 to 11
        ["Looking for the checkpoint..."] = "正在查找检查点……",
        ["0/{0} epochs"] = "0/{0}轮",
        ["{0}/{1} epochs: loss {2:F6}"] = "{0}/{1}轮：损失{2:F6}",
        ["{0}/{1} epochs: loss {2:F6}, mean loss {3:F6}, {4:F1} s"] = "{0}/{1}轮：损失{2:F6}，平均损失{3:F6}，{4:F1}秒",
        ["Training on original pixels..."] = "正在用原始像素训练……",
        ["Original pixels, {0}/{1} epochs: loss {2:F4}"] = "原始像素，{0}/{1}轮：损失{2:F4}",
        ["Permuted pixels, {0}/{1} epochs: loss {2:F4}"] = "打乱的像素，{0}/{1}轮：损失{2:F4}",
        ["Both models trained for {0} epochs."] = "两个模型都已训练{0}轮。",
        ["CNN, 0/{0} epochs"] = "卷积神经网络，0/{0}轮",
        ["CNN, {0}/{1} epochs: loss {2:F4}, train {3:F4}, val {4:F4}, {5:F0} s"] = "卷积神经网络，{0}/{1}轮：损失{2:F4}，训练集{3:F4}，验证集{4:F4}，{5:F0}秒",
        ["Fully connected, {0}/{1} epochs: loss {2:F4}, train {3:F4}, val {4:F4}"] = "全连接网络，{0}/{1}轮：损失{2:F4}，训练集{3:F4}，验证集{4:F4}",
        ["CNN: {0} epochs in {1:F0} s ({2:F1} s per epoch, with its two evaluations)"] = "卷积神经网络：{0}轮用时{1:F0}秒（每轮{2:F1}秒，含两次评估）",
        // ArticleRecipe.LoadOrTrain
        ["Loaded {0}.bin: {1} epochs, seed {2}, validation accuracy {3:F4}"] = "已加载{0}.bin：{1}轮，种子{2}，验证准确率{3:F4}",
        ["Not using {0}.bin: {1}"] = "不使用{0}.bin：{1}",
        ["There is no checkpoint at {0}.bin (notebook 08 writes it)"] = "{0}.bin不存在（笔记本08会写入这个检查点）",
        ["The checkpoint cannot be used ({0})"] = "检查点无法使用（{0}）",
        ["{0}; training a model here instead ({1} epochs)."] = "{0}；改为在这里训练一个模型（{1}轮）。",
        ["Trained here for {0} epochs, seed {1}"] = "在这里训练了{0}轮，种子{1}",
        ["it holds another model ({0})"] = "其中是另一个模型（{0}）",
        ["it was trained for {0} epochs, not {1}"] = "它训练了{0}轮，而不是{1}轮",
        ["it was trained from seed {0}, not {1}"] = "它的种子是{0}，而不是{1}",
        ["it does not record the data it was trained on"] = "它没有记录训练所用的数据",
        ["it was trained on {0} images of {1}, not {2} of {3}"] = "它是在{0}张图像（{1}）上训练的，而不是{2}张（{3}）",
        ["its images were normalised with mean ({0}) and std ({1}), not ({2}) and ({3})"] = "它的图像按均值（{0}）和标准差（{1}）归一化，而不是（{2}）和（{3}）",
        // PyTorchStateDict (issue 29, notebook 14): PyTorch's state_dict files
        ["{0} has no key {1}"] = "{0}里没有键{1}",
        ["{0} has a key {1} that the model does not have"] = "{0}里有模型没有的键{1}",
        ["{0} has shape {1} in {2}, the model wants {3}"] = "{0}在{2}里的形状是{1}，模型要的是{3}",
        ["There is no file {0}."] = "文件{0}不存在。",
        ["{0} is not a PyTorch state_dict file: {1}"] = "{0}不是PyTorch的state_dict文件：{1}",
        ["; "] = "；",
        // Issue 28, notebook 13 (using the model): its chart
        ["Share of validation images the model is at least this sure about"] = "模型至少有这么大把握的验证图像所占的比例",
        ["probability of the chosen class"] = "所选类别的概率",
        ["share of images"] = "图像所占的比例",
        ["fully connected: airplanes and birds"] = "全连接网络：飞机和鸟",
        ["fully connected: the other eight classes"] = "全连接网络：其他八个类别",
        ["CNN: airplanes and birds"] = "卷积神经网络：飞机和鸟",
        ["CNN: the other eight classes"] = "卷积神经网络：其他八个类别",
    };
}

/// <summary>
/// An interpolated string kept as its composite format and its values, so that <see cref="Localization"/> can look the
/// format up as one entry and fill the values in with the invariant culture. C# builds it from an interpolated string
/// passed where one is expected: <c>progress.Update($"{n}/{total} epochs: loss {loss:F6}")</c>.
/// </summary>
[InterpolatedStringHandler]
public readonly struct LocalizedText
{
    readonly StringBuilder _format;
    readonly List<object?> _values;

    /// <summary>Called by the compiler.</summary>
    public LocalizedText(int literalLength, int formattedCount)
    {
        _format = new StringBuilder(literalLength + 6 * formattedCount);
        _values = new List<object?>(formattedCount);
    }

    /// <summary>Called by the compiler for the literal parts.</summary>
    public void AppendLiteral(string value) => _format.Append(value.Replace("{", "{{").Replace("}", "}}"));

    /// <summary>Called by the compiler for a hole.</summary>
    public void AppendFormatted<T>(T value) => Hole(value, null, null);

    /// <summary>Called by the compiler for a hole with a format.</summary>
    public void AppendFormatted<T>(T value, string? format) => Hole(value, null, format);

    /// <summary>Called by the compiler for a hole with an alignment.</summary>
    public void AppendFormatted<T>(T value, int alignment, string? format = null) => Hole(value, alignment, format);

    void Hole(object? value, int? alignment, string? format)
    {
        _format.Append('{').Append(_values.Count.ToString(CultureInfo.InvariantCulture));
        if (alignment is { } a) _format.Append(',').Append(a.ToString(CultureInfo.InvariantCulture));
        if (format is not null) _format.Append(':').Append(format);
        _format.Append('}');
        _values.Add(value);
    }

    /// <summary>The composite format, for example <c>"{0}/{1} epochs: loss {2:F6}"</c>.</summary>
    public string Format => _format?.ToString() ?? "";

    /// <summary>The text in <paramref name="language"/>, its values formatted with the invariant culture.</summary>
    public string ToString(string language)
    {
        string format = Format;
        if (language == Localization.Chinese && Localization.ChineseOf(format) is { } chinese) format = chinese;
        return string.Format(CultureInfo.InvariantCulture, format, _values?.ToArray() ?? []);
    }

    /// <summary>The English text, with invariant-culture figures.</summary>
    public override string ToString() => ToString(Localization.English);
}
