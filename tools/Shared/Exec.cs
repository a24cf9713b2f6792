using System.Globalization;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text;

namespace Tools.Shared;

/// <summary>What a child process did: its exit code and everything it printed.</summary>
/// <param name="ExitCode">The exit code; -1 when it was killed (at the time limit, or by <see cref="Exec.Kill"/>).</param>
/// <param name="Stdout">Its standard output.</param>
/// <param name="Stderr">Its standard error.</param>
/// <param name="TimedOut">True when it was still running at the time limit and was killed, with its children.</param>
/// <param name="PipesLeftOpen">
/// True when its pipes were still open <see cref="Exec.PipeDrainLimit"/> after it ended: a process outside its tree
/// (one that was re-parented, say) held them, and whatever that process printed later is not in the output.
/// </param>
public sealed record ExecResult(int ExitCode, string Stdout, string Stderr, bool TimedOut, bool PipesLeftOpen = false)
{
    /// <summary>Standard output, then standard error.</summary>
    public string Output => Stdout + Stderr;
}

/// <summary>
/// The one way this repository runs a child process (the runner, the tests and the benchmark alike): both pipes
/// are read at once, so a child that fills one while the other is read cannot deadlock; a time limit kills the
/// whole process tree; and the wait for the pipes after the child has ended is bounded (<see cref="PipeDrainLimit"/>).
/// Compiled into each tool from tools/Shared.
/// </summary>
/// <remarks>
/// Start one with <see cref="Start"/> (the caller waits, talks to it or kills it midway), or run one to its end with
/// <see cref="Run"/> or <see cref="Check"/>. Lines can be heard as they come (<c>onStdoutLine</c>, <c>onStderrLine</c>,
/// called on a reader thread, without the line's end), and an <c>interactive</c> child takes lines on
/// <see cref="Input"/> and gives them back through <see cref="ReadLine"/>.
/// </remarks>
public sealed class Exec : IDisposable
{
    /// <summary>
    /// How long, after the child has ended (by itself or killed), its pipes get to reach their end. A process that
    /// escaped the tree kill (a grandchild re-parented to init, a build server) can hold them open for as long as it
    /// lives; reading to their end would then hang the caller with it, so after this bound the reading is given up
    /// and what was read so far is returned (<see cref="ExecResult.PipesLeftOpen"/>).
    /// </summary>
    public static readonly TimeSpan PipeDrainLimit = TimeSpan.FromSeconds(5);

    /// <summary>How long a killed process gets to be reaped by the kernel before we stop waiting for it.</summary>
    static readonly TimeSpan KillWaitLimit = TimeSpan.FromSeconds(30);

    readonly Process _process;
    readonly string _file;
    readonly StringBuilder _stdoutText = new();
    readonly StringBuilder _stderrText = new();
    readonly Task _stdout;
    readonly Task _stderr;
    readonly BlockingCollection<string>? _lines;
    bool _killed;

    Exec(ProcessStartInfo start, Action<string>? onStdoutLine, Action<string>? onStderrLine, bool interactive)
    {
        _file = start.FileName;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        if (interactive) _lines = new BlockingCollection<string>();
        // Process.Start throws Win32Exception when the program is not there; callers that probe for a tool catch that.
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        if (!interactive) _process.StandardInput.Close();
        var lines = _lines;
        Action<string>? stdoutLine = lines is null ? onStdoutLine : line => { onStdoutLine?.Invoke(line); lines.Add(line); };
        _stdout = Task.Run(() => Pump(_process.StandardOutput, _stdoutText, stdoutLine, lines));
        _stderr = Task.Run(() => Pump(_process.StandardError, _stderrText, onStderrLine, null));
    }

    /// <summary>Reads <paramref name="reader"/> to its end into <paramref name="text"/>, as it came, telling each line to <paramref name="onLine"/>.</summary>
    /// <remarks>
    /// A listener that throws does not stop the reading (the child would block on a full pipe): the first exception
    /// is kept, the pipe read to its end, and <see cref="Finish"/> throws it.
    /// </remarks>
    static void Pump(StreamReader reader, StringBuilder text, Action<string>? onLine, BlockingCollection<string>? lines)
    {
        ExceptionDispatchInfo? failed = null;
        void Tell(string line)
        {
            if (failed is not null) return;
            try
            {
                onLine!(line);
            }
            catch (Exception e)
            {
                failed = ExceptionDispatchInfo.Capture(e);
            }
        }
        try
        {
            var buffer = new char[4096];
            var line = new StringBuilder();
            for (int read; (read = reader.Read(buffer, 0, buffer.Length)) > 0;)
            {
                lock (text) text.Append(buffer, 0, read);
                if (onLine is null) continue;
                foreach (char c in buffer.AsSpan(0, read))
                {
                    if (c != '\n')
                    {
                        line.Append(c);
                        continue;
                    }
                    if (line.Length > 0 && line[^1] == '\r') line.Length--;
                    Tell(line.ToString());
                    line.Clear();
                }
            }
            if (onLine is not null && line.Length > 0) Tell(line.ToString());
        }
        catch (ObjectDisposedException)
        {
            // Disposed while a process outside the tree still held the pipe: what was read is kept.
        }
        catch (IOException)
        {
        }
        finally
        {
            lines?.CompleteAdding();
        }
        failed?.Throw();
    }

    /// <summary>Starts <paramref name="file"/> with <paramref name="arguments"/>; read its result with <see cref="Finish"/>.</summary>
    /// <param name="file">The program.</param>
    /// <param name="arguments">Its arguments, passed as they are (no shell quoting).</param>
    /// <param name="workingDirectory">Its folder; the current one when null.</param>
    /// <param name="environment">Variables to set (a null value removes the variable).</param>
    /// <param name="onStdoutLine">Hears each line of standard output as it comes, on a reader thread.</param>
    /// <param name="onStderrLine">Hears each line of standard error as it comes, on a reader thread.</param>
    /// <param name="interactive">Keep its standard input open (<see cref="Input"/>) and queue its output lines for <see cref="ReadLine"/>.</param>
    public static Exec Start(string file, IEnumerable<string> arguments, string? workingDirectory = null,
                             IReadOnlyDictionary<string, string?>? environment = null, Action<string>? onStdoutLine = null,
                             Action<string>? onStderrLine = null, bool interactive = false)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory ?? "" };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        return new Exec(start, onStdoutLine, onStderrLine, interactive);
    }

    /// <summary>Runs a program to its end, or to <paramref name="timeout"/> (then kills its tree).</summary>
    public static ExecResult Run(string file, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null,
                                 IReadOnlyDictionary<string, string?>? environment = null, Action<string>? onStdoutLine = null,
                                 Action<string>? onStderrLine = null)
    {
        using var child = Start(file, arguments, workingDirectory, environment, onStdoutLine, onStderrLine);
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
            string why = result.TimedOut ? string.Create(CultureInfo.InvariantCulture, $"did not finish within {timeout.TotalSeconds:F0} s") : $"failed with exit code {result.ExitCode}";
            string output = result.Output.Trim();
            throw new InvalidOperationException($"{file} {string.Join(' ', list)} {why}{(output.Length > 0 ? ":\n" + Tail(output) : ".")}");
        }
        return result;
    }

    /// <summary>The process, for its id.</summary>
    public Process Process => _process;

    /// <summary>True once the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Its standard input, for a child started <c>interactive</c>.</summary>
    public StreamWriter Input => _lines is not null ? _process.StandardInput
        : throw new InvalidOperationException($"{_file} was not started interactive: its input is closed.");

    /// <summary>Closes its standard input (the child reads its end), for a child started <c>interactive</c>.</summary>
    public void CloseInput()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It has ended already: the pipe is broken.
        }
    }

    /// <summary>
    /// The next line of its standard output, for a child started <c>interactive</c>; null once the output has ended
    /// (or, with a <paramref name="timeout"/>, when no line came in time: check <see cref="HasExited"/>).
    /// </summary>
    public string? ReadLine(TimeSpan? timeout = null)
    {
        if (_lines is null) throw new InvalidOperationException($"{_file} was not started interactive.");
        try
        {
            return _lines.TryTake(out var line, timeout ?? Timeout.InfiniteTimeSpan) ? line : null;
        }
        catch (InvalidOperationException)
        {
            return null; // completed while we waited
        }
    }

    /// <summary>Kills the whole process tree now (SIGKILL) and waits, bounded, for the process to be gone.</summary>
    public void Kill()
    {
        try
        {
            _killed = !_process.HasExited;
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It ended between the check and the kill.
        }
        _process.WaitForExit(KillWaitLimit);
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/>, kills the tree if it is still running, and returns what it printed:
    /// its pipes get at most <see cref="PipeDrainLimit"/> after the process has ended to reach their end.
    /// </summary>
    public ExecResult Finish(TimeSpan timeout)
    {
        if (_lines is not null) CloseInput(); // a child that reads its input to the end would wait for us
        bool timedOut = !_process.WaitForExit(timeout);
        if (timedOut) Kill();
        // Not WaitForExit() without a limit, nor the readers' own end: either waits for every holder of the pipes,
        // and a grandchild that escaped the tree kill (or outlives its parent) may hold them for as long as it lives.
        // So the pipes get a bounded time to drain, then we return what was read.
        bool drained;
        try
        {
            drained = Task.WaitAll([_stdout, _stderr], PipeDrainLimit);
        }
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]); // a line listener threw
            throw;
        }
        if (!_process.HasExited) _process.WaitForExit(KillWaitLimit);
        int exitCode = timedOut || _killed || !_process.HasExited ? -1 : _process.ExitCode;
        string stdout, stderr;
        lock (_stdoutText) stdout = _stdoutText.ToString();
        lock (_stderrText) stderr = _stderrText.ToString();
        return new ExecResult(exitCode, stdout, stderr, timedOut, PipesLeftOpen: !drained);
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
