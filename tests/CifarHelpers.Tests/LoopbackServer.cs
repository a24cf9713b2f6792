using System.Net;
using System.Net.Sockets;

namespace CifarHelpers.Tests;

/// <summary>
/// A real HTTP server on 127.0.0.1 that serves one file and honours Range requests. It can cut the
/// connection after a number of bytes on the first request, as a flaky network would.
/// </summary>
sealed class LoopbackServer : IDisposable
{
    readonly HttpListener _listener = new();
    readonly byte[] _content;
    readonly Task _loop;
    int _cutAfter;
    readonly TimeSpan? _chunkDelay;

    int _stallAfter;

    /// <param name="content">The file served.</param>
    /// <param name="cutFirstResponseAfter">Drop the first response's connection after this many bytes (-1: never).</param>
    /// <param name="supportRanges">Honour Range (206); otherwise answer 200 with the whole file.</param>
    /// <param name="chunkDelay">Send 16 KB at a time with this pause.</param>
    /// <param name="stallFirstResponseAfter">Send this many bytes of the first response, then nothing more, connection open (-1: never).</param>
    /// <param name="wrongContentRange">Answer a Range request with 206 and the whole file, labelled as starting at 0.</param>
    public LoopbackServer(byte[] content, int cutFirstResponseAfter = -1, bool supportRanges = true, TimeSpan? chunkDelay = null,
                          int stallFirstResponseAfter = -1, bool wrongContentRange = false)
    {
        _content = content;
        _stallAfter = stallFirstResponseAfter;
        WrongContentRange = wrongContentRange;
        _cutAfter = cutFirstResponseAfter;
        SupportRanges = supportRanges;
        _chunkDelay = chunkDelay;
        int port = FreePort();
        Url = $"http://127.0.0.1:{port}/cifar-10-binary.tar.gz";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public string Url { get; }
    public bool SupportRanges { get; }
    public bool WrongContentRange { get; }
    public List<string?> RangesSeen { get; } = [];

    static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            var response = context.Response;
            try
            {
                string? range = context.Request.Headers["Range"];
                lock (RangesSeen) RangesSeen.Add(range);
                long from = 0;
                if (WrongContentRange && range is not null)
                {
                    response.StatusCode = 206;
                    response.Headers["Content-Range"] = $"bytes 0-{_content.Length - 1}/{_content.Length}";
                }
                else if (SupportRanges && range is not null && range.StartsWith("bytes=", StringComparison.Ordinal))
                {
                    from = long.Parse(range["bytes=".Length..].TrimEnd('-').Split('-')[0]);
                    if (from >= _content.Length)
                    {
                        response.StatusCode = 416;
                        response.Headers["Content-Range"] = $"bytes */{_content.Length}";
                        response.Close();
                        continue;
                    }
                    response.StatusCode = 206;
                    response.Headers["Content-Range"] = $"bytes {from}-{_content.Length - 1}/{_content.Length}";
                }
                response.ContentLength64 = _content.Length - from;
                int stall = Interlocked.Exchange(ref _stallAfter, -1);
                if (stall >= 0)
                {
                    await response.OutputStream.WriteAsync(_content.AsMemory((int)from, stall));
                    await response.OutputStream.FlushAsync();
                    _ = Task.Delay(TimeSpan.FromMinutes(2)).ContinueWith(_ => response.Abort()); // a stalled server, connection open
                    continue;
                }
                int cut = Interlocked.Exchange(ref _cutAfter, -1);
                if (cut >= 0)
                {
                    await response.OutputStream.WriteAsync(_content.AsMemory((int)from, cut));
                    await response.OutputStream.FlushAsync();
                    response.Abort(); // Drop the connection midway.
                    continue;
                }
                if (_chunkDelay is { } delay)
                {
                    // A slow network: 16 KB at a time.
                    for (long at = from; at < _content.Length; at += 16384)
                    {
                        await response.OutputStream.WriteAsync(_content.AsMemory((int)at, (int)Math.Min(16384, _content.Length - at)));
                        await response.OutputStream.FlushAsync();
                        await Task.Delay(delay);
                    }
                }
                else
                {
                    await response.OutputStream.WriteAsync(_content.AsMemory((int)from));
                }
                response.Close();
            }
            catch (Exception)
            {
                response.Abort();
            }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
