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

    public LoopbackServer(byte[] content, int cutFirstResponseAfter = -1, bool supportRanges = true, TimeSpan? chunkDelay = null)
    {
        _content = content;
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
                if (SupportRanges && range is not null && range.StartsWith("bytes=", StringComparison.Ordinal))
                {
                    from = long.Parse(range["bytes=".Length..].TrimEnd('-').Split('-')[0]);
                    if (from >= _content.Length)
                    {
                        response.StatusCode = 416;
                        response.Close();
                        continue;
                    }
                    response.StatusCode = 206;
                    response.Headers["Content-Range"] = $"bytes {from}-{_content.Length - 1}/{_content.Length}";
                }
                response.ContentLength64 = _content.Length - from;
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
