using System.Diagnostics;

namespace Bench;

/// <summary>
/// What the benchmark shows while it works, on standard error so that standard output keeps only the figures: a line
/// when each phase starts, the memory run's epochs every ten, and, whatever the phase, a line at least every
/// <see cref="Every"/> (<c>bench: 95 s, epochs: round 3 of 5…</c>). Plain lines only, no control characters, on a
/// terminal and in a CI log alike.
/// </summary>
public sealed class Progress : IDisposable
{
    /// <summary>The longest the benchmark stays silent.</summary>
    public static readonly TimeSpan DefaultEvery = TimeSpan.FromSeconds(30);

    readonly TextWriter _out;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    // A thread of its own, not a thread-pool timer: a timer's callbacks wait for a free pool thread, and on a busy
    // process (the test lane runs many tests at once) a beat came a second late.
    readonly Thread _heart;
    readonly ManualResetEventSlim _stop = new();
    bool _stopped;
    readonly object _gate = new();
    string _phase = "starting";
    TimeSpan _lastLine;

    /// <summary>Starts reporting to <paramref name="output"/> (standard error when null).</summary>
    public Progress(TextWriter? output = null, TimeSpan? every = null)
    {
        _out = output ?? Console.Error;
        Every = every ?? DefaultEvery;
        var tick = TimeSpan.FromTicks(Math.Max(Every.Ticks / 30, TimeSpan.FromMilliseconds(10).Ticks));
        _heart = new Thread(() => { while (!_stop.Wait(tick)) Beat(); }) { IsBackground = true, Name = "bench heartbeat" };
        _heart.Start();
    }

    /// <summary>The longest the benchmark stays silent.</summary>
    public TimeSpan Every { get; }

    /// <summary>A new phase: printed at once, and named by the heartbeat until the next one.</summary>
    public void Phase(string phase)
    {
        lock (_gate)
        {
            _phase = phase;
            Write(phase);
        }
    }

    /// <summary>Where the current phase has got to, printed by the next heartbeat only (for example the round).</summary>
    public void Note(string phase)
    {
        lock (_gate) _phase = phase;
    }

    void Beat()
    {
        lock (_gate)
            if (_clock.Elapsed - _lastLine >= Every) Write(_phase + "…");
    }

    void Write(string text)
    {
        _lastLine = _clock.Elapsed;
        _out.WriteLine($"bench: {_clock.Elapsed.TotalSeconds:F0} s, {text}");
        _out.Flush();
    }

    /// <summary>Stops the heartbeat.</summary>
    public void Dispose()
    {
        if (_stopped) return; // the benchmark stops it before its table, and again at the end of its scope
        _stopped = true;
        _stop.Set();
        _heart.Join(); // a beat that was running has finished
        _stop.Dispose();
    }
}
