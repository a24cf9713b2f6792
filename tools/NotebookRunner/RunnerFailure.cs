namespace NotebookRunner;

/// <summary>
/// A known failure of the run (no data, a bad archive, a folder that cannot be written or is locked, a missing
/// tool): the runner prints its message, which says what to do, on one line and exits 1, with no stack trace.
/// </summary>
/// <param name="message">What went wrong and what to do about it.</param>
/// <param name="inner">The exception it stands for, if any.</param>
public sealed class RunnerFailure(string message, Exception? inner = null) : Exception(OneLine(message), inner)
{
    /// <summary><paramref name="text"/> with its line breaks and tabs folded into single spaces.</summary>
    public static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
