using System.Globalization;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace CifarHelpers.Data;

/// <summary>
/// Downloads one file to <c>destination + ".part"</c>, resuming where the server supports ranges,
/// verifies its MD5 and only then renames it into place.
/// </summary>
/// <param name="http">The client to use.</param>
/// <param name="log">Where the one updating progress line goes; null for none.</param>
public sealed class Downloader(HttpClient http, TextWriter? log)
{
    /// <summary>How many times a dropped connection is resumed before giving up.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>An attempt fails when no byte arrives for this long.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The pause before a resumed attempt; it doubles each time.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Downloads <paramref name="url"/> to <paramref name="destination"/>.</summary>
    /// <exception cref="HttpRequestException">The server cannot be reached, or answers with an error.</exception>
    /// <exception cref="IOException">Every attempt was cut off or stalled; the partial file is kept for the next run.</exception>
    /// <exception cref="DataFolderException">The disk is full; not retried.</exception>
    /// <exception cref="InvalidDataException">The downloaded file's MD5 is wrong; it is deleted.</exception>
    public async Task DownloadAsync(string url, string destination, string? md5, CancellationToken cancel = default)
    {
        string part = destination + ".part";
        string folder = Path.GetDirectoryName(Path.GetFullPath(destination))!;
        Directory.CreateDirectory(folder);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await FetchAsync(url, part, cancel).ConfigureAwait(false);
                break;
            }
            catch (IOException e) when (IsDiskFull(e))
            {
                log?.WriteLine();
                throw new DataFolderException(
                    $"No space left on {folder} to download {Path.GetFileName(destination)}: free some space (CIFAR-10 needs " +
                    "about 350 MB while downloading) or choose another root. The partial file is kept.", e);
            }
            catch (Exception e) when (IsCutOff(e) && attempt < MaxAttempts)
            {
                log?.WriteLine();
                long kept = File.Exists(part) ? new FileInfo(part).Length : 0;
                log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Download cut off ({e.Message}); resuming from {kept:N0} bytes."));
                await Task.Delay(RetryDelay * Math.Pow(2, attempt - 1), cancel).ConfigureAwait(false);
            }
        }

        if (md5 is not null)
        {
            string actual = Md5.OfFile(part);
            if (!string.Equals(actual, md5, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(part);
                throw new InvalidDataException($"{url} downloaded with MD5 {actual}, expected {md5}; the file was deleted. Try again.");
            }
        }
        File.Move(part, destination, overwrite: true);
    }

    async Task FetchAsync(string url, string part, CancellationToken cancel)
    {
        long have = File.Exists(part) ? new FileInfo(part).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);

        // Every wait (the headers, each read) ends after IdleTimeout without a byte: a stalled server fails the attempt.
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        idle.CancelAfter(IdleTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
            {
                if (response.Content.Headers.ContentRange is { Length: { } length } && length != have)
                {
                    File.Delete(part); // the file on the server is not what the part was kept from
                    throw new IOException(string.Create(CultureInfo.InvariantCulture, $"the server holds {length:N0} bytes, not the {have:N0} kept; starting again"));
                }
                return; // The part file is already whole; the checksum decides.
            }
            response.EnsureSuccessStatusCode();

            bool resumed = response.StatusCode == HttpStatusCode.PartialContent && have > 0;
            if (resumed && response.Content.Headers.ContentRange?.From != have)
            {
                File.Delete(part);
                throw new IOException(
                    string.Create(CultureInfo.InvariantCulture, $"the server answered the request for bytes {have:N0}- with Content-Range ") +
                    $"'{response.Content.Headers.ContentRange}'; starting again from 0");
            }
            if (!resumed) have = 0; // The server ignored the range: start again.
            long? total = response.Content.Headers.ContentLength is { } contentLength ? contentLength + have : null;

            await using var output = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
            await using var input = await response.Content.ReadAsStreamAsync(idle.Token).ConfigureAwait(false);
            var progress = new ProgressLine(log, Path.GetFileName(url), total);
            var buffer = new byte[1 << 18];
            long done = have;
            while (true)
            {
                idle.CancelAfter(IdleTimeout);
                int read = await input.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
                if (read == 0) break;
                await output.WriteAsync(buffer.AsMemory(0, read), cancel).ConfigureAwait(false);
                done += read;
                progress.Report(done);
            }
            await output.FlushAsync(cancel).ConfigureAwait(false);
            if (total is { } expected && done < expected)
                throw new IOException(string.Create(CultureInfo.InvariantCulture, $"the connection closed after {done:N0} of {expected:N0} bytes"));
            progress.Finish(done);
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture, $"no byte for {IdleTimeout.TotalSeconds:0.#} s"));
        }
    }

    // ENOSPC (28), EDQUOT (122) on Linux; ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL on Windows.
    static bool IsDiskFull(IOException e) =>
        e is not DataFolderException
        && (e.HResult is 28 or 122 || (e.HResult & 0xFFFF) is 112 or 39 && OperatingSystem.IsWindows()
            || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase));

    static bool IsCutOff(Exception e) =>
        e is (IOException and not DataFolderException) or HttpIOException
        || (e is HttpRequestException { StatusCode: null } && e.InnerException is IOException);

    sealed class ProgressLine(TextWriter? log, string name, long? total)
    {
        readonly Stopwatch _clock = Stopwatch.StartNew();
        TimeSpan _last = TimeSpan.FromDays(-1);

        public void Report(long done)
        {
            if (log is null || _clock.Elapsed - _last < TimeSpan.FromMilliseconds(250)) return;
            _last = _clock.Elapsed;
            log.Write("\r" + Text(done));
            log.Flush();
        }

        public void Finish(long done)
        {
            if (log is null) return;
            log.WriteLine("\r" + Text(done));
        }

        string Text(long done)
        {
            double mb = done / 1e6;
            double speed = mb / Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
            return total is { } t and > 0
                ? string.Create(CultureInfo.InvariantCulture, $"Downloading {name}: {mb:F1} / {t / 1e6:F1} MB ({100.0 * done / t:F1}%), {speed:F1} MB/s   ")
                : string.Create(CultureInfo.InvariantCulture, $"Downloading {name}: {mb:F1} MB, {speed:F1} MB/s   ");
        }
    }
}
