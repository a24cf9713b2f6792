using CifarHelpers.Text;

namespace CifarHelpers.Exercises;

/// <summary>
/// A checker's verdict on one exercise: solved or not, and the one line it printed, for example
/// <c>Exercise 2: solved — …</c> or <c>Exercise 2: not yet — …</c> (in Chinese <c>练习2：已完成——…</c> /
/// <c>练习2：还没有——…</c>).
/// </summary>
/// <param name="Number">The exercise's number.</param>
/// <param name="Solved">True when the reader's answer behaved as asked on every input the checker tried.</param>
/// <param name="Detail">What the checker measured (solved), or a hint naming the first thing that is wrong.</param>
public sealed record Verdict(int Number, bool Solved, string Detail)
{
    /// <summary>The line the checker prints, in the language in use.</summary>
    public string Line => Solved
        ? Localization.Format($"Exercise {Number}: solved — {Detail}")
        : Localization.Format($"Exercise {Number}: not yet — {Detail}");

    /// <summary>The line.</summary>
    public override string ToString() => Line;

    internal static Verdict Pass(int number, string measured) => new(number, true, OneLine(measured));

    internal static Verdict Hint(int number, string hint) => new(number, false, OneLine(hint));

    /// <summary>A reader's exception as a hint: its type and the first line of its message, never a stack trace.</summary>
    internal static Verdict Threw(int number, Exception e)
    {
        if (e is NotImplementedException)
            return Hint(number, Localization.Text("write the function: it still throws NotImplementedException"));
        string message = e.Message.Split('\n', 2)[0].Trim();
        if (message.Length > 160) message = message[..160] + "…";
        return Hint(number, Localization.Format($"your code threw {e.GetType().Name}: {message}"));
    }

    static string OneLine(string text) => text.Replace("\r", " ").Replace("\n", " ");
}
