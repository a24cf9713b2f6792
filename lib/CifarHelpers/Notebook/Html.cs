namespace CifarHelpers.Notebook;

/// <summary>A piece of HTML. In a notebook it renders as <c>text/html</c>; elsewhere it prints as its markup.</summary>
/// <param name="Content">The markup.</param>
public sealed record Html(string Content)
{
    /// <summary>
    /// The same picture as one PNG, when the markup shows images: what a file-based app writes to a file instead
    /// of rendering the markup.
    /// </summary>
    public byte[]? Png { get; init; }

    /// <summary>A line of text that goes with <see cref="Png"/> in a console (for example the captions).</summary>
    public string? Text { get; init; }

    /// <summary>The markup.</summary>
    public override string ToString() => Content;
}
