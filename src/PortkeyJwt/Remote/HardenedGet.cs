using System.Buffers;
using System.Net;
using System.Net.Http.Headers;

namespace PortkeyJwt.Internal;

/// <summary>
/// The one GET every remote document is fetched with (a JWKS, an OIDC discovery document): redirects refused (also when a
/// caller's handler followed one), only 200 accepted (or 304 when asked conditionally), the body read into a pooled buffer
/// and refused past a byte limit, whether declared or only found while reading. Expected failures are values; network
/// errors and cancellation are thrown, as <see cref="HttpClient"/> throws them, for the caller's own timeout to classify.
/// </summary>
internal static class HardenedGet
{
    /// <summary>The <c>Accept</c> of a JWKS request.</summary>
    public static readonly string[] JwksMediaTypes = ["application/jwk-set+json", "application/json"];

    /// <summary>The <c>Accept</c> of a discovery-document request.</summary>
    public static readonly string[] JsonMediaTypes = ["application/json"];

    /// <summary>
    /// <see cref="SendAsync"/> of a plain (unconditional) GET bounded by <paramref name="timeout"/>, every failure a value:
    /// timeout, network (the client threw), cancelled (<paramref name="stopping"/> fired).
    /// </summary>
    /// <param name="http">The client (see <see cref="SendAsync"/>).</param>
    /// <param name="url">The exact URL.</param>
    /// <param name="accept">The media types of <c>Accept</c>.</param>
    /// <param name="maxBytes">The largest body accepted.</param>
    /// <param name="finalUrlHint">What to configure instead of a redirecting URL.</param>
    /// <param name="timeout">Longest the request may take, headers and body together, on <paramref name="time"/>.</param>
    /// <param name="time">The clock of <paramref name="timeout"/>.</param>
    /// <param name="stopping">The owner's disposal.</param>
    public static async Task<HttpGetResult> GetAsync(
        HttpClient http,
        Uri url,
        string[] accept,
        int maxBytes,
        string finalUrlHint,
        TimeSpan timeout,
        TimeProvider time,
        CancellationToken stopping)
    {
        try
        {
            using var timer = new CancellationTokenSource(timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, stopping);
            try
            {
                return await SendAsync(http, url, accept, null, null, notModifiedAllowed: false, maxBytes, finalUrlHint, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timer.IsCancellationRequested && !stopping.IsCancellationRequested)
            {
                return HttpGetResult.Fail("timeout", $"no complete response within {timeout.TotalSeconds:0.###} s");
            }
        }
        catch (OperationCanceledException)
        {
            return HttpGetResult.Fail("cancelled", "the provider was disposed");
        }
        catch (ObjectDisposedException)
        {
            return HttpGetResult.Fail("cancelled", "the provider was disposed");
        }
        catch (HttpRequestException ex)
        {
            return HttpGetResult.Fail("network", $"network error: {ex.Message}");
        }
        catch (IOException ex)
        {
            return HttpGetResult.Fail("network", $"network error: {ex.Message}");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A caller's HttpClient pipeline may throw anything; the fetch must still end as a value.
            return HttpGetResult.Fail("network", $"HTTP client error: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>Sends one GET to <paramref name="url"/> and reads at most <paramref name="maxBytes"/> of its body.</summary>
    /// <param name="http">The client; its handler should not follow redirects (a followed one is detected and refused).</param>
    /// <param name="url">The exact URL; a response from any other is a redirect.</param>
    /// <param name="accept">The media types of <c>Accept</c>, in order.</param>
    /// <param name="ifNoneMatch">Sent as <c>If-None-Match</c> when set.</param>
    /// <param name="ifModifiedSince">Sent as <c>If-Modified-Since</c> when set.</param>
    /// <param name="notModifiedAllowed">Whether a 304 is an answer (the caller holds the document it revalidates); otherwise it is refused like any 3xx.</param>
    /// <param name="maxBytes">The largest body accepted.</param>
    /// <param name="finalUrlHint">What to configure instead of a redirecting URL, for the refusal's message: "the final JWKS URL".</param>
    /// <param name="cancellationToken">Cancels the request and the read (the caller's timeout).</param>
    /// <returns>The response; dispose it to return its buffer.</returns>
    public static async Task<HttpGetResult> SendAsync(
        HttpClient http,
        Uri url,
        string[] accept,
        EntityTagHeaderValue? ifNoneMatch,
        DateTimeOffset? ifModifiedSince,
        bool notModifiedAllowed,
        int maxBytes,
        string finalUrlHint,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (string mediaType in accept)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        }

        if (ifNoneMatch is not null)
        {
            request.Headers.IfNoneMatch.Add(ifNoneMatch);
        }

        request.Headers.IfModifiedSince = ifModifiedSince;
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.RequestMessage?.RequestUri is { } finalUri && finalUri != url)
        {
            return HttpGetResult.Fail("redirect", $"the request was redirected; redirects are not followed (configure {finalUrlHint})");
        }

        int status = (int)response.StatusCode;
        if (response.StatusCode == HttpStatusCode.NotModified && notModifiedAllowed)
        {
            return HttpGetResult.Ok(response, null, 0);
        }

        if (status is >= 300 and < 400)
        {
            return HttpGetResult.Fail("redirect", $"HTTP {status} redirect refused; redirects are not followed (configure {finalUrlHint})");
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            return HttpGetResult.Fail("http_error", $"HTTP {status}");
        }

        if (response.Content.Headers.ContentLength > maxBytes)
        {
            return HttpGetResult.Fail("too_large", $"the response declares {response.Content.Headers.ContentLength} bytes, more than the limit of {maxBytes}");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        bool handedOver = false;
        try
        {
            int length = 0;
            Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                int read;
                while (length <= maxBytes
                    && (read = await body.ReadAsync(buffer.AsMemory(length, maxBytes + 1 - length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }
            }

            if (length > maxBytes)
            {
                return HttpGetResult.Fail("too_large", $"the response is larger than the limit of {maxBytes} bytes");
            }

            handedOver = true;
            return HttpGetResult.Ok(response, buffer, length);
        }
        finally
        {
            if (!handedOver)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}

/// <summary>
/// What one <see cref="HardenedGet"/> request gave: a 200 with its body, a 304, or why it was refused (<see cref="FailureKind"/>,
/// a telemetry outcome, and <see cref="Error"/>, a reason for logs and status). Owns the pooled body buffer: dispose it.
/// </summary>
internal sealed class HttpGetResult : IDisposable
{
    private byte[]? _buffer;

    private HttpGetResult(string? failureKind, string? error, HttpStatusCode status, byte[]? buffer, int length, EntityTagHeaderValue? etag, DateTimeOffset? lastModified, TimeSpan? maxAge)
    {
        FailureKind = failureKind;
        Error = error;
        StatusCode = status;
        _buffer = buffer;
        Length = length;
        ETag = etag;
        LastModified = lastModified;
        MaxAge = maxAge;
    }

    /// <summary>Null when answered (200 or an allowed 304); otherwise the outcome name: redirect, http_error, too_large.</summary>
    public string? FailureKind { get; }

    /// <summary>Why the request was refused; null when answered.</summary>
    public string? Error { get; }

    /// <summary>Whether the response is usable: a 200 read within the limit, or an allowed 304.</summary>
    public bool Answered => FailureKind is null;

    /// <summary>200 or 304 when answered.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Whether the answer is 304 Not Modified.</summary>
    public bool NotModified => Answered && StatusCode == HttpStatusCode.NotModified;

    /// <summary>The body of a 200; empty otherwise. Valid until disposed.</summary>
    public ReadOnlyMemory<byte> Body => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, Length);

    /// <summary>The body's length in bytes.</summary>
    public int Length { get; }

    /// <summary>The response's <c>ETag</c>, if any.</summary>
    public EntityTagHeaderValue? ETag { get; }

    /// <summary>The response's <c>Last-Modified</c>, if any.</summary>
    public DateTimeOffset? LastModified { get; }

    /// <summary>The response's <c>Cache-Control: max-age</c>, if any.</summary>
    public TimeSpan? MaxAge { get; }

    public static HttpGetResult Fail(string kind, string error) => new(kind, error, default, null, 0, null, null, null);

    public static HttpGetResult Ok(HttpResponseMessage response, byte[]? buffer, int length) => new(
        null,
        null,
        response.StatusCode,
        buffer,
        length,
        response.Headers.ETag,
        response.Content.Headers.LastModified,
        response.Headers.CacheControl?.MaxAge);

    public void Dispose()
    {
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
