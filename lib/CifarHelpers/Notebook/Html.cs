namespace CifarHelpers.Notebook;

/// <summary>A piece of HTML. In a notebook it renders as <c>text/html</c>; elsewhere it prints as its markup.</summary>
/// <param name="Content">The markup.</param>
public sealed record Html(string Content)
{
    /// <summary>The markup.</summary>
    public override string ToString() => Content;
}
