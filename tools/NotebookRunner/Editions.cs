namespace NotebookRunner;

/// <summary>The tutorial's two editions: English in <c>notebooks/</c>, Chinese in <c>notebooks/zh-CN/</c>.</summary>
public static class Editions
{
    /// <summary>The English edition (the default).</summary>
    public const string English = CifarHelpers.Notebook.Localization.English;

    /// <summary>The Chinese edition; also its folder's name, under <c>notebooks/</c> and under the output folders.</summary>
    public const string Chinese = CifarHelpers.Notebook.Localization.Chinese;

    /// <summary>Both, in the order an index lists them.</summary>
    public static readonly IReadOnlyList<string> All = [English, Chinese];

    /// <summary>The edition a command-line value names (any case), or null.</summary>
    public static string? Parse(string value) =>
        All.FirstOrDefault(e => string.Equals(e, value.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The edition's notebooks: <c>notebooks/</c> or <c>notebooks/zh-CN/</c>.</summary>
    public static string NotebooksFolder(string repoRoot, string edition) => Subfolder(Path.Combine(repoRoot, "notebooks"), edition);

    /// <summary><paramref name="folder"/> for English, its <c>zh-CN</c> subfolder for Chinese.</summary>
    public static string Subfolder(string folder, string edition) => edition == English ? folder : Path.Combine(folder, edition);
}
