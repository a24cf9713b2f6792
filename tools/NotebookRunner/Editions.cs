namespace NotebookRunner;

/// <summary>The tutorial's two editions, side by side: English in <c>notebooks/en/</c>, Chinese in <c>notebooks/zh-CN/</c>.</summary>
public static class Editions
{
    /// <summary>The English edition (the default).</summary>
    public const string English = CifarHelpers.Text.Localization.English;

    /// <summary>The Chinese edition. Each edition's tag is also its folder's name, under <c>notebooks/</c> and the output folders.</summary>
    public const string Chinese = CifarHelpers.Text.Localization.Chinese;

    /// <summary>Both, in the order an index lists them.</summary>
    public static readonly IReadOnlyList<string> All = [English, Chinese];

    /// <summary>The edition a command-line value names (any case), or null.</summary>
    public static string? Parse(string value) =>
        All.FirstOrDefault(e => string.Equals(e, value.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The edition's notebooks: <c>notebooks/en/</c> or <c>notebooks/zh-CN/</c>.</summary>
    public static string NotebooksFolder(string repoRoot, string edition) => Subfolder(Path.Combine(repoRoot, "notebooks"), edition);

    /// <summary>The edition's subfolder of <paramref name="folder"/>: <c>en</c> or <c>zh-CN</c>, the same depth for both.</summary>
    public static string Subfolder(string folder, string edition) => Path.Combine(folder, edition);
}
