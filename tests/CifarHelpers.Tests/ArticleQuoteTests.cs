using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tools.Shared;

namespace CifarHelpers.Tests;

/// <summary>
/// Issue 25: a backtick quote that the markdown presents as the article's is the article's, character for character.
/// Each notebook's list below holds the code spans its markdown presents as the article's; every one must be in that
/// notebook's markdown and be one of the article's forms. A span written right after a marker ("the article's `…`",
/// "原文的`…`") must be in the list, so a new quote cannot slip past unchecked.
/// </summary>
[Trait("Category", "Unit")]
public partial class ArticleQuoteTests
{
    /// <summary>
    /// The article's code and printouts, copied exactly from ../shared/docs/article.md, and the two forms issue 25
    /// quotes from the article (<c>3 * 32 * 32</c>, <c>n_out</c>, for its first and last Linear layers). article.md's
    /// summaries are not listed whole (its <c>Sequential(Linear(3072, 512), …)</c>, <c>optim.SGD(lr=1e-2)</c>, the two
    /// <c>DataLoader(…)</c> signatures, <c>datasets.CIFAR10(…, train=True/False, …)</c>); <see cref="ArticleWords"/> holds
    /// their parts. The book's (<c>dir(transforms)</c>, <c>type(cifar10).__mro__</c>, <c>plt.imshow(img)</c>) are not here.
    /// A quote may be a form or a contiguous part of one.
    /// </summary>
    internal static readonly string[] ArticleForms =
    [
        "data_path = './data/CIFAR-10/'",
        "datasets.CIFAR10",
        "ToTensor()",
        "transform=ToTensor()",
        "permute(1, 2, 0)",
        "plt.imshow",
        "torch.Size([3, 32, 32])",
        "[3, 32, 32, 50000]",
        "view(3, -1).mean(dim=1)",
        ".std(dim=1)",
        "Compose([ToTensor(), Normalize(mean, std)])",
        "tensor([0.4914, 0.4822, 0.4465])",
        "tensor([0.2470, 0.2435, 0.2616])",
        "label_map = {0: 0, 2: 1}",
        "class_names = ['airplane', 'bird']",
        "cifar2_val",
        "for batch in train_loader: imgs, labels = batch",
        "for img, label in train_loader",
        "NLLLoss()",
        "cifar2[0]",
        "img.view(-1).unsqueeze(0)",
        "(1, 3072)",
        "tensor([[0.4481, 0.5519]], grad_fn=<SoftmaxBackward0>)",
        "nn.CrossEntropyLoss()",
        "img.view(batch_size, -1)",
        "zero_grad",
        "epoch % 10 == 0",
        "Epoch: 0, Loss: 0.6439802646636963",
        "Epoch: 10, Loss: 0.3364253044128418",
        "Epoch: 20, Loss: 0.2660796046257019",
        "Epoch: 30, Loss: 0.3763981759548187",
        "Epoch: 40, Loss: 0.24415557086467743",
        "Epoch: 50, Loss: 0.1775331050157547",
        "Epoch: 60, Loss: 0.03261692821979523",
        "Epoch: 70, Loss: 0.04219042509794235",
        "Epoch: 80, Loss: 0.020144721493124962",
        "Epoch: 90, Loss: 0.02759580872952938",
        "torch.no_grad()",
        "_, predicted = torch.max(out, dim=1)",
        "val_loader",
        "Accuracy: 0.813",
        "numlist = [p.numel() for p in model.parameters() if p.requires_grad]",
        "print(sum(numlist), numlist)",
        "1574402 [1572864, 512, 1024, 2]",
        "seq_model.parameters()",
        "loss_fn",
        "optim.SGD",
        "SoftmaxBackward0",
        "LogSoftmax",
        "CrossEntropyLoss",
        // Issue 25: "the article: `3 * 32 * 32` and `n_out`".
        "3 * 32 * 32",
        "n_out",
    ];

    /// <summary>Parts of article.md's summarised forms, each quotable on its own but not as a whole call.</summary>
    internal static readonly string[] ArticleWords =
    [
        "train=True", "train=False", "download=True", "batch_size=64", "shuffle=True", "shuffle=False", "lr=1e-2",
        "DataLoader", "Sequential", "Linear", "Tanh()", "LogSoftmax(dim=1)", "Softmax", "model", "backward", "step",
    ];

    /// <summary>The code spans each notebook's markdown presents as the article's, by edition and notebook number.</summary>
    internal static readonly Dictionary<(string Edition, string Notebook), string[]> Quotes = new()
    {
        [("en", "01")] = ["datasets.CIFAR10", "data_path", "train=True", "download=True", "train=False", "data_path = './data/CIFAR-10/'", "class_names = ['airplane', 'bird']"],
        [("en", "02")] = ["ToTensor", "ToTensor()", "imshow", "transform=ToTensor()", "permute(1, 2, 0)", "torch.Size([3, 32, 32])", "plt.imshow"],
        [("en", "03")] = ["[3, 32, 32, 50000]", "view(3, -1)", "dim=1", "Compose([ToTensor(), Normalize(mean, std)])", "plt.imshow", "permute(1, 2, 0)"],
        [("en", "04")] = ["label_map = {0: 0, 2: 1}", "label_map", "class_names = ['airplane', 'bird']", "DataLoader", "batch_size=64", "shuffle=True", "shuffle=False"],
        [("en", "05")] = ["optim.SGD", "DataLoader", "batch_size=64", "shuffle=True", "for batch in train_loader:", "imgs, labels = batch", "for img, label in train_loader"],
        [("en", "06")] = ["imshow", "Sequential", "Linear", "3 * 32 * 32", "Tanh()", "n_out", "LogSoftmax(dim=1)", "cifar2[0]", "img.view(-1).unsqueeze(0)", "SoftmaxBackward0", "Softmax", "LogSoftmax"],
        [("en", "07")] = ["nn.CrossEntropyLoss()", "LogSoftmax", "CrossEntropyLoss"],
        [("en", "08")] = ["Sequential", "epoch % 10 == 0", "Epoch: 0, Loss: 0.6439802646636963", "Epoch: 90", "seq_model", "seq_model.parameters()", "model", "LogSoftmax", "CrossEntropyLoss"],
        [("en", "09")] = ["torch.max", "_, predicted = torch.max(out, dim=1)", "Accuracy: 0.813"],
        [("en", "10")] = ["numlist = [p.numel() for p in model.parameters() if p.requires_grad]", "print(sum(numlist), numlist)"],
        [("en", "11")] = ["print(sum(numlist), numlist)"],
        [("en", "12-exercises")] = ["[3, 32, 32, 50000]", "view(3, -1).mean(dim=1)", ".std(dim=1)", "torch.no_grad()", "LogSoftmax"],
        [("en", "12-exercises-solutions")] = ["[3, 32, 32, 50000]", "view(3, -1).mean(dim=1)", ".std(dim=1)", "torch.no_grad()", "LogSoftmax"],
        [("en", "13")] = [],
        [("en", "14")] = ["img.view(batch_size, -1)"],

        [("zh-CN", "01")] = ["ToTensor", "train=True", "train=False", "data_path = './data/CIFAR-10/'", "class_names = ['airplane', 'bird']"],
        [("zh-CN", "02")] = ["imshow", "ToTensor", "transform=ToTensor()", "permute(1, 2, 0)"],
        [("zh-CN", "03")] = ["[3, 32, 32, 50000]", "view(3, -1)", "dim=1"],
        [("zh-CN", "04")] = ["label_map = {0: 0, 2: 1}", "label_map", "class_names = ['airplane', 'bird']", "DataLoader"],
        [("zh-CN", "05")] = ["optim.SGD", "DataLoader", "batch_size=64", "shuffle=True", "for batch in train_loader:", "imgs, labels = batch", "for img, label in train_loader"],
        [("zh-CN", "06")] = ["imshow", "n_out", "cifar2[0]", "img.view(-1).unsqueeze(0)", "SoftmaxBackward0", "Softmax", "LogSoftmax"],
        [("zh-CN", "07")] = ["nn.CrossEntropyLoss()", "LogSoftmax", "CrossEntropyLoss"],
        [("zh-CN", "08")] = ["Sequential", "Epoch: N, Loss: …", "Epoch: N", "Epoch: 0, Loss: 0.6439802646636963", "Epoch: 90", "seq_model", "seq_model.parameters()", "model", "epoch % 10 == 0"],
        [("zh-CN", "09")] = ["torch.max", "Accuracy: 0.813", "_, predicted = torch.max(out, dim=1)"],
        [("zh-CN", "10")] = ["numlist = [p.numel() for p in model.parameters() if p.requires_grad]", "print(sum(numlist), numlist)"],
        [("zh-CN", "11")] = ["print(sum(numlist), numlist)"],
        [("zh-CN", "12-exercises")] = ["[3, 32, 32, 50000]", "view(3, -1).mean(dim=1)", ".std(dim=1)", "torch.no_grad()", "LogSoftmax"],
        [("zh-CN", "12-exercises-solutions")] = ["[3, 32, 32, 50000]", "view(3, -1).mean(dim=1)", ".std(dim=1)", "torch.no_grad()", "LogSoftmax"],
        [("zh-CN", "13")] = [],
        [("zh-CN", "14")] = ["img.view(batch_size, -1)"],
    };

    /// <summary>
    /// Quotes the Chinese edition presents as the article's that article.md does not give (it abbreviates the code):
    /// they may be the article's, but cannot be checked here. Issue 25 leaves them to the Chinese side; each must still
    /// be in its notebook, so this list shrinks as they are rewritten or confirmed (then moved into the forms).
    /// </summary>
    internal static readonly Dictionary<(string Edition, string Notebook), string[]> Unverified = new()
    {
        [("zh-CN", "01")] = ["datasets.CIFAR10(data_path, train=True, download=True)"],
        [("zh-CN", "02")] = ["img_t.shape", "plt.imshow(img_t.permute(1, 2, 0))"],
        [("zh-CN", "03")] = ["transforms.Compose([...])", "plt.imshow(img_t.permute(1, 2, 0))"],
        [("zh-CN", "04")] = ["(img, label)"],
        [("zh-CN", "06")] = ["nn.Sequential", "nn.Linear(3 * 32 * 32, 512)", "nn.Tanh()", "nn.Linear(512, n_out)", "nn.LogSoftmax(dim=1)", "img, label = cifar2[0]"],
    };

    static string Normalize(string text) => WhiteSpace().Replace(text, " ").Trim();

    /// <summary>
    /// Whether <paramref name="quote"/> is the article's: one of <see cref="ArticleWords"/>, or a contiguous part of one of
    /// <see cref="ArticleForms"/>. In a quote, "…" and "[...]" stand for any text and a lone N for a number.
    /// </summary>
    internal static bool IsArticles(string quote)
    {
        quote = Normalize(quote);
        if (quote.Length < 2) return false;
        if (ArticleWords.Contains(quote, StringComparer.Ordinal)) return true;
        if (ArticleForms.Any(form => ContainsAsWhole(form, quote))) return true;
        if (!quote.Contains('…') && !quote.Contains("[...]") && !PlaceholderN().IsMatch(quote)) return false;
        string pattern = string.Concat(Placeholder().Split(quote).Select((part, i) => i % 2 == 1
            ? (part == "N" ? @"\d+" : ".*")
            : Regex.Escape(part)));
        return ArticleForms.Any(form => Regex.IsMatch(form, pattern));
    }

    /// <summary>
    /// Whether <paramref name="part"/> occurs in <paramref name="form"/> without cutting a name or a number in two:
    /// <c>Epoch: 9</c> is not a part of <c>Epoch: 90, …</c>, nor <c>train_load</c> of <c>train_loader</c>.
    /// </summary>
    static bool ContainsAsWhole(string form, string part)
    {
        static bool Word(char c) => char.IsLetterOrDigit(c) || c == '_';
        for (int at = form.IndexOf(part, StringComparison.Ordinal); at >= 0; at = form.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            int end = at + part.Length;
            bool cleanStart = at == 0 || !Word(part[0]) || !Word(form[at - 1]);
            bool cleanEnd = end == form.Length || !Word(part[^1]) || !Word(form[end]);
            if (cleanStart && cleanEnd) return true;
        }
        return false;
    }

    static readonly string Root = RepoRoot.Find();

    /// <summary>A notebook's markdown cells, joined, with fenced code blocks left out and white space collapsed.</summary>
    static string Markdown(string edition, string number)
    {
        string folder = Path.Combine(Root, "notebooks", edition);
        // A notebook is named by its number, or by its whole name where two share a number (12-exercises, 12-exercises-solutions).
        string path = File.Exists(Path.Combine(folder, number + ".ipynb")) ? Path.Combine(folder, number + ".ipynb")
            : Directory.GetFiles(folder, $"{number}-*.ipynb").Single();
        var cells = JsonNode.Parse(File.ReadAllText(path))!["cells"]!.AsArray();
        string text = string.Join("\n\n", cells.Where(c => (string?)c!["cell_type"] == "markdown")
            .Select(c => string.Concat(c!["source"]!.AsArray().Select(l => (string?)l))));
        return Fence().Replace(text, "");
    }

    static IEnumerable<string> Spans(string markdown) => CodeSpan().Matches(markdown).Select(m => Normalize(m.Groups[1].Value));

    public static TheoryData<string, string> Notebooks()
    {
        var data = new TheoryData<string, string>();
        foreach (var edition in new[] { "en", "zh-CN" })
        {
            var names = Directory.GetFiles(Path.Combine(RepoRoot.Find(), "notebooks", edition), "*.ipynb").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList();
            foreach (var name in names)
                data.Add(edition, names.Count(n => n![..2] == name![..2]) > 1 ? name! : name![..2]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void EveryQuoteANotebookPresentsAsTheArticlesIsTheArticles(string edition, string number)
    {
        Assert.True(Quotes.ContainsKey((edition, number)), $"{edition}/{number}: no list of its article quotes in ArticleQuoteTests.Quotes");
        var spans = Spans(Markdown(edition, number)).ToHashSet(StringComparer.Ordinal);
        foreach (var quote in Quotes[(edition, number)])
        {
            Assert.True(IsArticles(quote), $"{edition}/{number}: `{quote}` is presented as the article's but is not in article.md's forms");
            Assert.True(spans.Contains(Normalize(quote)), $"{edition}/{number}: `{quote}` is listed but not in its markdown; update the list");
        }
        foreach (var quote in Unverified.GetValueOrDefault((edition, number), []))
            Assert.True(spans.Contains(Normalize(quote)), $"{edition}/{number}: `{quote}` is no longer in its markdown; take it off the Unverified list");
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void ASpanRightAfterTheArticleIsAListedQuote(string edition, string number)
    {
        var listed = Quotes.GetValueOrDefault((edition, number), []).Concat(Unverified.GetValueOrDefault((edition, number), []))
                           .Select(Normalize).ToHashSet(StringComparer.Ordinal);
        var marker = edition == "en" ? EnglishMarker() : ChineseMarker();
        foreach (Match m in marker.Matches(Markdown(edition, number)))
        {
            string span = Normalize(m.Groups[1].Value);
            Assert.True(listed.Contains(span),
                $"{edition}/{number}: \"{Normalize(m.Value)}\" presents `{span}` as the article's; if it is, add it to ArticleQuoteTests.Quotes, else reword");
        }
    }

    [Fact]
    public void TheFormsAreCopiedFromArticleMdAndKnownMisquotesFail()
    {
        // The forms come from the article's description, where it is present (the lead's shared docs, outside the repository).
        string articleMd = Path.Combine(Root, "..", "shared", "docs", "article.md");
        if (File.Exists(articleMd))
        {
            string text = File.ReadAllText(articleMd);
            // Not in article.md: issue 25's two forms, and train=False, which article.md writes as train=True/False.
            foreach (var form in ArticleForms.Concat(ArticleWords).Where(f => f is not "3 * 32 * 32" and not "n_out" and not "train=False"))
                Assert.True(text.Contains(form, StringComparison.Ordinal), $"`{form}` is not in article.md");
        }
        // Issue 25's two misquotes, and two more of the same kind.
        Assert.False(IsArticles("for imgs, labels in train_loader"));
        Assert.False(IsArticles("nn.Linear(3072, 512)"));
        Assert.False(IsArticles("nn.Linear(512, 2)"));
        Assert.False(IsArticles("_, predicted = torch.max(outputs, dim=1)"));
        Assert.False(IsArticles("Epoch: 9"));
        Assert.False(IsArticles("train_load"));
        Assert.True(IsArticles("Epoch: N, Loss: …"));
        Assert.True(IsArticles("for batch in train_loader:"));
        Assert.True(IsArticles("class_names = ['airplane',\n'bird']"));
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    [GeneratedRegex(@"```.*?```", RegexOptions.Singleline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"(…|\[\.\.\.\]|(?<![\w.])N(?![\w.]))")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"(?<![\w.])N(?![\w.])")]
    private static partial Regex PlaceholderN();

    /// <summary>"the article's `x`", "the article writes `x`", "The article prints the converted tensor's `x`": up to three words between.</summary>
    [GeneratedRegex(@"\b(?:the article(?:'s(?: own)?| writes| prints| counts with| uses| shows this tensor with)?|article's)\s+(?:[\w-]+\s+){0,3}`([^`]+)`", RegexOptions.IgnoreCase)]
    private static partial Regex EnglishMarker();

    /// <summary>原文的`x`, 原文写的是`x`, 原文用`x`, 原文打印的是`x`, with up to four Chinese characters between.</summary>
    [GeneratedRegex(@"原文(?:的|写的是|写作|用|打印的是|打印)?[\u4e00-\u9fff]{0,4}`([^`]+)`")]
    private static partial Regex ChineseMarker();
}
