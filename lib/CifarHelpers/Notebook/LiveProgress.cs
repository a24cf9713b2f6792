using CifarHelpers.Text;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;

namespace CifarHelpers.Notebook;

/// <summary>
/// One line of progress. In a notebook it is a single output that updates in place; anywhere else
/// (a console, a test) each update prints a plain line. The words are in the language in use (<see cref="Localization"/>).
/// </summary>
public sealed class LiveProgress
{
    // A DisplayedValue in a kernel, kept as object: a field of a .NET Interactive type would make loading this
    // class load the kernel's assemblies, which a console app does not have.
    readonly object? _displayed;

    LiveProgress(object? displayed) => _displayed = displayed;

    /// <summary>Starts a progress line showing <paramref name="text"/>, in the language in use.</summary>
    public static LiveProgress Start(string text) => Show(Localization.Text(text));

    /// <summary>Starts a progress line showing an interpolated <paramref name="text"/>, in the language in use.</summary>
    public static LiveProgress Start(LocalizedText text) => Show(Localization.Format(text));

    /// <summary>Replaces the line with <paramref name="text"/>, in the language in use.</summary>
    public void Update(string text) => Replace(Localization.Text(text));

    /// <summary>Replaces the line with an interpolated <paramref name="text"/>, in the language in use.</summary>
    public void Update(LocalizedText text) => Replace(Localization.Format(text));

    static LiveProgress Show(string text)
    {
        var displayed = Interactive.InNotebook ? Interactive.Display(text) : null;
        if (displayed is null) Console.WriteLine(text);
        return new LiveProgress(displayed);
    }

    void Replace(string text)
    {
        if (_displayed is not null) Interactive.Update(_displayed, text);
        else Console.WriteLine(text);
    }

    // Touches .NET Interactive only when the kernel's assemblies are loaded, so a console app never needs them.
    static class Interactive
    {
        public static bool InNotebook => Tutorial.InKernel && Context.HasCurrent;

        public static object? Display(string text) => Context.Display(text);

        public static void Update(object displayed, string text) => ((DisplayedValue)displayed).Update(text);

        static class Context
        {
            public static bool HasCurrent => KernelInvocationContext.Current is not null;

            public static DisplayedValue? Display(string text) =>
                Microsoft.DotNet.Interactive.Kernel.display(text, "text/plain");
        }
    }
}
