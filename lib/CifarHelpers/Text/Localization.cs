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
        // Issue 27: notebook 12's exercise checkers (lib/CifarHelpers/Exercises/). Code inside Chinese hints is set off
        // with backticks, so no ASCII parenthesis stands beside a Chinese character.
        ["Mean loss per epoch, relative to the first epoch"] = "每轮的平均损失（相对于第一轮）",
        ["loss / first epoch's loss"] = "损失 / 第一轮的损失",
        ["Exercise {0}: solved — {1}"] = "练习{0}：已完成——{1}",
        ["Exercise {0}: not yet — {1}"] = "练习{0}：还没有——{1}",
        ["write the function: it still throws NotImplementedException"] = "请写出这个函数：它仍然抛出`NotImplementedException`",
        ["your code threw {0}: {1}"] = "你的代码抛出了{0}：{1}",
        ["return two tensors, the mean and the std"] = "请返回两个张量：均值和标准差",
        ["for images {0} your mean has shape {1} and your std {2}; expected [3] each, one value per channel"] = "对图像{0}，你的均值形状是{1}，标准差形状是{2}；两者都应是[3]，每个通道一个值",
        ["for images {0} your means mix the channels: view(3, -1) on [N, 3, H, W] cuts the memory into 3 blocks of whole images; put the channel dimension first (transpose(0, 1)), then reshape(3, -1)"] = "对图像{0}，你的均值把通道混在了一起：在[N, 3, H, W]上调用`view(3, -1)`，是把内存切成3块整张的图像；请先把通道维放到最前面（`transpose(0, 1)`），再`reshape(3, -1)`",
        ["for images {0} your mean is [{1}], the channels' mean is [{2}]"] = "对图像{0}，你的均值是[{1}]，各通道的均值是[{2}]",
        ["for images {0} your std divides by n; torch's std (and the article's) divides by n - 1 (unbiased)"] = "对图像{0}，你的标准差除以n；torch的`std`（原文用的也是它）除以n - 1（无偏估计）",
        ["for images {0} your std is [{1}], the channels' std is [{2}]"] = "对图像{0}，你的标准差是[{1}]，各通道的标准差是[{2}]",
        ["mean and std agree with ChannelStats.Of on 3 test batches (largest difference {0:G2})"] = "在3组测试图像上，均值和标准差与`ChannelStats.Of`一致（最大差值{0:G2}）",
        ["view needs a tensor whose memory is in order; after transpose or permute use reshape(3, -1)"] = "`view`要求张量在内存中按顺序存放；在`transpose`或`permute`之后请用`reshape(3, -1)`",
        ["return the tensor of log-probabilities"] = "请返回对数概率张量",
        ["for logits [5, 3] your result has shape {0}; keep one log-probability per class, [5, 3]"] = "对形状为[5, 3]的logit，你的结果形状是{0}；每个类别应有一个对数概率，即[5, 3]",
        ["you normalised over dim 0, the batch; each row (dim 1) holds one image's classes"] = "你在第0维（批量维度）上做了归一化；每一行（第1维）才是一张图像的各个类别",
        ["on ordinary logits your result is {0:F4} away from log_softmax: exp() of each row must sum to 1 (subtract the log of the row's sum of exp)"] = "在普通的logit上，你的结果与`log_softmax`相差{0:F4}：每一行取`exp()`后之和必须为1（减去该行`exp`之和的对数）",
        ["for logits [3, 3] your result has shape {0}; keep one log-probability per class"] = "对形状为[3, 3]的logit，你的结果形状是{0}；每个类别应有一个对数概率",
        ["at logits like [1000, 0, -1000] or [-1000, -1001, -1002] your result has inf or NaN: subtract each row's largest logit before exp()"] = "在[1000, 0, -1000]或[-1000, -1001, -1002]这样的logit上，你的结果出现了inf或NaN：请在`exp()`之前减去每一行最大的logit",
        ["at logits like [1000, 0, -1000] your result is finite but {0:F4} away from log_softmax"] = "在[1000, 0, -1000]这样的logit上，你的结果是有限值，但与`log_softmax`相差{0:F4}",
        ["within {0:G2} of log_softmax, and finite at logits of ±1000, where log(softmax(x)) gives -inf"] = "与`log_softmax`相差不超过{0:G2}，并且在±1000的logit上保持有限，而`log(softmax(x))`在那里给出-inf",
        ["the model ran in training mode, so its Dropout layer dropped units: call model.eval() before the loop"] = "模型在训练模式下运行，它的`Dropout`层随机丢弃了单元：请在循环之前调用`model.eval()`",
        ["the model ran with gradients on: wrap the loop in using (no_grad()) { ... }"] = "模型在计算梯度的状态下运行：请把循环放进`using (no_grad()) { ... }`",
        ["the model saw {0} of the 250 images: go through every batch of the loader once"] = "模型只看到了250张图像中的{0}张：请把加载器的每个小批量都过一遍",
        ["your accuracy is {0:F4}, Evaluator.Evaluate gives {1:F4} on the same 250 images: count the hits (argmax(1) equal to the label) in every batch and divide by the number of images"] = "你的准确率是{0:F4}，在同样的250张图像上`Evaluator.Evaluate`给出{1:F4}：请统计每个小批量中预测正确的数量（`argmax(1)`等于标签），再除以图像总数",
        ["accuracy {0:F4} on the checker's 250 images, the same as Evaluator.Evaluate, in eval mode and without gradients"] = "在检查器的250张图像上准确率为{0:F4}，与`Evaluator.Evaluate`相同，且在评估模式下、不计算梯度",
        ["the model takes flat images: reshape each batch with imgs.view(imgs.shape[0], -1)"] = "模型接受展平的图像：请用`imgs.view(imgs.shape[0], -1)`改变每个小批量的形状",
        ["return the cropped image"] = "请返回裁剪出的图像",
        ["your crop has shape {0}; expected [3, 32, 32], the size of the image"] = "你裁剪出的形状是{0}；应为[3, 32, 32]，即图像的大小",
        ["your function changed the image it was given: crop a copy"] = "你的函数修改了传入的图像：请裁剪一个副本",
        ["your crop is not a 32 × 32 window of the image padded with 4 zeros on each side: pad first (nn.functional.pad(img, [4, 4, 4, 4])), then cut with narrow"] = "你裁剪出的不是四周各填充4个零之后的图像中的一个32 × 32窗口：请先填充（`nn.functional.pad(img, [4, 4, 4, 4])`），再用`narrow`裁剪",
        ["40 calls gave the same window every time (offset {0}, {1}): draw the offset at random in each call"] = "40次调用每次都给出同一个窗口（偏移{0}, {1}）：请在每次调用时随机抽取偏移",
        ["your windows move only left and right: draw the vertical offset at random too"] = "你的窗口只左右移动：请把竖直方向的偏移也随机抽取",
        ["your windows move only up and down: draw the horizontal offset at random too"] = "你的窗口只上下移动：请把水平方向的偏移也随机抽取",
        ["40 calls gave 40 windows of the padded image, at {0} different offsets of the 81 possible"] = "40次调用给出填充后图像的40个窗口，在81个可能的偏移中用到了{0}个",
        ["your loss works with 2 classes but threw {0} with 3: take the number of classes from logProbs.shape[1]"] = "你的损失在2个类别时可用，在3个类别时却抛出了{0}：请从`logProbs.shape[1]`得到类别数",
        ["return the loss tensor"] = "请返回损失张量",
        ["your loss has shape {0}: MSELoss averages over the batch and the classes to one value"] = "你的损失形状是{0}：`MSELoss`在批量和类别上取平均，得到一个值",
        ["you compared the log-probabilities with the one-hot targets: take exp() of the model's output first"] = "你拿对数概率和独热目标比较：请先对模型的输出取`exp()`",
        ["you summed the squared errors: MSELoss takes their mean over all B × C values"] = "你把平方误差加在了一起：`MSELoss`对全部B × C个值取平均",
        ["your loss is right with 2 classes but {0:F4} with 3, not {1:F4}: take the number of classes from logProbs.shape[1]"] = "你的损失在2个类别时正确，在3个类别时却是{0:F4}而不是{1:F4}：请从`logProbs.shape[1]`得到类别数",
        ["your loss is {0:F4}, the mean squared error between the probabilities and the one-hot targets is {1:F4}"] = "你的损失是{0:F4}，而概率与独热目标之间的均方误差是{1:F4}",
        ["no gradient reaches the model's output: compute the loss from logProbs with tensor operations, without .item() or detach()"] = "没有梯度传到模型的输出：请用张量运算从`logProbs`计算损失，不要用`.item()`或`detach()`",
        ["your loss has the right value but not the right gradient: compute it from logProbs itself"] = "你的损失值正确，梯度却不对：请直接从`logProbs`计算它",
        ["the same value and gradient as MSELoss on the probabilities and the one-hot targets, with 2 classes and with 3"] = "在2个和3个类别时，值和梯度都与概率对独热目标的`MSELoss`相同",
        ["return the model"] = "请返回模型",
        ["Net({0}) has {1} parameters, expected {2}: Linear(3072, hidden), Tanh, Linear(hidden, 2), LogSoftmax(dim: 1)"] = "`Net({0})`有{1}个参数，应为{2}个：`Linear(3072, hidden)`、`Tanh`、`Linear(hidden, 2)`、`LogSoftmax(dim: 1)`",
        ["for 4 flat images Net({0}) returns shape {1}, expected [4, 2]"] = "对4张展平的图像，`Net({0})`返回的形状是{1}，应为[4, 2]",
        ["the net's outputs are not log-probabilities: end it with LogSoftmax(dim: 1)"] = "网络的输出不是对数概率：请以`LogSoftmax(dim: 1)`结尾",
        ["set largestHidden to the largest hidden size whose gap in the sweep is at most {0:F2}"] = "请把`largestHidden`设为扫描中差距不超过{0:F2}的最大隐藏单元数",
        ["largestHidden is at most 512, the article's size: the exercise is to shrink the net"] = "`largestHidden`最大为512，即原文的大小：这个练习是要缩小网络",
        ["with {0} hidden units the gap is {1:F4}, above {2:F2}: it still overfits, try a smaller size"] = "有{0}个隐藏单元时差距是{1:F4}，高于{2:F2}：仍然过拟合，请试更小的大小",
        ["gap {0:F4} with {1} hidden units, at most {2:F2}"] = "有{1}个隐藏单元时差距为{0:F4}，不超过{2:F2}",
        ["{0} hidden units do not overfit either (gap {1:F4}): a larger size passes, look for the largest"] = "{0}个隐藏单元也不过拟合（差距{1:F4}）：更大的大小也能通过，请找最大的那个",
        ["gap {0:F4} with {1} hidden units, at most {2:F2}; {3:F4} with {4}, which still overfits"] = "有{1}个隐藏单元时差距为{0:F4}，不超过{2:F2}；有{4}个时为{3:F4}，仍然过拟合",
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
