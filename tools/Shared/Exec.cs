using System.Diagnostics;

namespace Tools.Shared;

/// <summary>What a child process did: its exit code and everything it printed.</summary>
/// <param name="ExitCode">The exit code; -1 when it was stopped at the time limit.</param>
/// <param name="Stdout">Its standard output.</param>
/// <param name="Stderr">Its standard error.</param>
/// <param name="TimedOut">True when it was still running at the time limit and was killed, with its children.</param>
public sealed record ExecResult(int ExitCode, string Stdout, string Stderr, bool TimedOut)
{
    /// <summary>Standard output, then standard error.</summary>
    public string Output => Stdout + Stderr;
}

/// <summary>
/// The one way this repository runs a child process (the runner, the tests and the benchmark alike): both pipes
/// are read at once, so a child that fills one while the other is read cannot deadlock, and a time limit kills the
/// whole process tree. Compiled into each tool from tools/Shared.
/// </summary>
public sealed class Exec : IDisposable
{
    readonly Process _process;
    readonly Task<string> _stdout;
    readonly Task<string> _stderr;

    Exec(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        _process.StandardInput.Close();
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    /// <summary>Starts <paramref name="file"/> with <paramref name="arguments"/>; read its result with <see cref="Finish"/>.</summary>
    /// <param name="file">The program.</param>
    /// <param name="arguments">Its arguments, passed as they are (no shell quoting).</param>
    /// <param name="workingDirectory">Its folder; the current one when null.</param>
    /// <param name="environment">Variables to set (a null value removes the variable).</param>
    public static Exec Start(string file, IEnumerable<string> arguments, string? workingDirectory = null,
                             IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory ?? "" };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        return new Exec(start);
    }

    /// <summary>Runs a program to its end, or to <paramref name="timeout"/> (then kills it).</summary>
    public static ExecResult Run(string file, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null,
                                 IReadOnlyDictionary<string, string?>? environment = null)
    {
        using var child = Start(file, arguments, workingDirectory, environment);
        return child.Finish(timeout);
    }

    /// <summary>Runs a program and throws, with what it printed, when it fails or outlives <paramref name="timeout"/>.</summary>
    public static ExecResult Check(string file, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null,
                                   IReadOnlyDictionary<string, string?>? environment = null)
    {
        var list = arguments.ToList();
        var result = Run(file, list, timeout, workingDirectory, environment);
        if (result.TimedOut || result.ExitCode != 0)
        {
            string why = result.TimedOut ? $"did not finish within {timeout.TotalSeconds:F0} s" : $"failed with exit code {result.ExitCode}";
            string output = result.Output.Trim();
            throw new InvalidOperationException($"{file} {string.Join(' ', list)} {why}{(output.Length > 0 ? ":\n" + Tail(output) : ".")}");
        }
        return result;
    }

    /// <summary>The process, for its id or to wait on it.</summary>
    public Process Process => _process;

    /// <summary>Waits up to <paramref name="timeout"/>, kills the tree if it is still running, and returns what it printed.</summary>
    public ExecResult Finish(TimeSpan timeout)
    {
        bool timedOut = !_process.WaitForExit(timeout);
        if (timedOut)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        else
        {
            _process.WaitForExit(); // the overload with a time limit does not wait for the pipes to drain
        }
        return new ExecResult(timedOut ? -1 : _process.ExitCode, _stdout.Result, _stderr.Result, timedOut);
    }

    /// <summary>The last 4,000 characters of <paramref name="text"/>: enough for a message, never a flood.</summary>
    public static string Tail(string text) => text.Length > 4000 ? "…" + text[^4000..] : text;

    /// <summary>Kills the process tree if it is still running.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It ended between the check and the kill.
        }
        _process.Dispose();
    }
}
