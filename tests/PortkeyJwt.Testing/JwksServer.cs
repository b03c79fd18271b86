using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PortkeyJwt.Testing;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (a free port) that plays an identity provider's JWKS endpoint. What each path
/// answers can be changed at any moment (<see cref="Serve"/>, <see cref="FailWith"/>, <see cref="Hold"/>, …); every request
/// is counted and its conditional headers recorded. Nothing here waits on real time except <see cref="WaitForRequestsAsync"/>,
/// a bounded poll for requests the provider sends from its own threads.
/// </summary>
internal sealed class JwksServer : IAsyncDisposable
{
    /// <summary>The path a provider is normally pointed at.</summary>
    public const string JwksPath = "/jwks.json";

    /// <summary>A second JWKS path, for multi-source and redirect tests.</summary>
    public const string SecondPath = "/second/jwks.json";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _responses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _holds = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<TaskCompletionSource> _everyHold = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private int _notModified;

    private JwksServer(WebApplication app)
    {
        _app = app;
        _app.Run(HandleAsync);
    }

    /// <summary>http://127.0.0.1:port/jwks.json</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>http://127.0.0.1:port/second/jwks.json</summary>
    public Uri SecondUrl { get; private set; } = null!;

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>How many 304 Not Modified answers were sent.</summary>
    public int NotModifiedCount => Volatile.Read(ref _notModified);

    /// <summary>Requests received so far, on any path.</summary>
    public int RequestCount => _requests.Count;

    /// <summary>Starts a server whose <see cref="JwksPath"/> serves <paramref name="jwks"/> (404 when null).</summary>
    public static async Task<JwksServer> StartAsync(string? jwks = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var server = new JwksServer(builder.Build());
        await server._app.StartAsync();
        Uri root = Loopback.Root(server._app);
        server.Url = new Uri(root, JwksPath);
        server.SecondUrl = new Uri(root, SecondPath);
        if (jwks is not null)
        {
            server.Serve(jwks);
        }

        return server;
    }

    /// <summary>Requests received so far on <paramref name="path"/>.</summary>
    public int RequestsTo(string path) => _requests.Count(r => r.Path == path);

    /// <summary>
    /// Answers 200 with <paramref name="body"/> as <c>application/json</c>, optionally with <c>Cache-Control: max-age</c>,
    /// an <c>ETag</c> (a matching <c>If-None-Match</c> then gets 304) and <c>Last-Modified</c>.
    /// </summary>
    /// <remarks>Without <paramref name="declareLength"/> the body is sent chunked: the client learns its size only by reading.</remarks>
    public void Serve(string body, string path = JwksPath, int? maxAgeSeconds = null, string? etag = null, DateTimeOffset? lastModified = null, bool declareLength = true)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        _responses[path] = async context =>
        {
            HttpResponse response = context.Response;
            if (maxAgeSeconds is { } maxAge)
            {
                response.Headers.CacheControl = $"public, max-age={maxAge.ToString(CultureInfo.InvariantCulture)}";
            }

            if (etag is not null)
            {
                response.Headers.ETag = etag;
                if (context.Request.Headers.IfNoneMatch.ToString() == etag)
                {
                    Interlocked.Increment(ref _notModified);
                    response.StatusCode = StatusCodes.Status304NotModified;
                    return;
                }
            }

            if (lastModified is { } modified)
            {
                response.Headers.LastModified = modified.ToString("R", CultureInfo.InvariantCulture);
            }

            response.ContentType = "application/json";
            if (declareLength)
            {
                response.ContentLength = bytes.Length;
            }

            await response.Body.WriteAsync(bytes, context.RequestAborted);
        };
    }

    /// <summary>Answers <paramref name="status"/> with a short text body.</summary>
    public void FailWith(int status, string path = JwksPath) => _responses[path] = async context =>
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsync($"status {status}", context.RequestAborted);
    };

    /// <summary>Answers 302 with <c>Location: <paramref name="location"/></c>.</summary>
    public void RedirectTo(Uri location, string path = JwksPath) => _responses[path] = context =>
    {
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = location.ToString();
        return Task.CompletedTask;
    };

    /// <summary>Drops the connection without answering (<see cref="HttpContext.Abort"/>).</summary>
    public void AbortConnections(string path = JwksPath) => _responses[path] = context =>
    {
        context.Abort();
        return Task.CompletedTask;
    };

    /// <summary>
    /// Answers 200 with <paramref name="count"/> bytes of <c>x</c>, with a <c>Content-Length</c> when
    /// <paramref name="declareLength"/>, otherwise chunked (the client learns the size only by reading).
    /// </summary>
    public void ServeBytes(int count, bool declareLength, string path = JwksPath) => _responses[path] = async context =>
    {
        HttpResponse response = context.Response;
        response.ContentType = "application/json";
        if (declareLength)
        {
            response.ContentLength = count;
        }

        byte[] chunk = new byte[64 * 1024];
        chunk.AsSpan().Fill((byte)'x');
        for (int sent = 0; sent < count; sent += chunk.Length)
        {
            await response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, count - sent)), context.RequestAborted);
        }
    };

    /// <summary>
    /// Answers 200 declaring the full length of <paramref name="body"/>, sends the first half, then either stalls until the
    /// client gives up (<paramref name="abort"/> false) or drops the connection.
    /// </summary>
    public void ServeHalfThen(string body, bool abort, string path = JwksPath) => _responses[path] = async context =>
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        HttpResponse response = context.Response;
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), context.RequestAborted);
        await response.Body.FlushAsync(context.RequestAborted);
        if (abort)
        {
            context.Abort();
            return;
        }

        await new TaskCompletionSource().Task.WaitAsync(context.RequestAborted);
    };

    /// <summary>
    /// Makes every request to <paramref name="path"/> wait, from now until the returned source is completed (or the
    /// client gives up); it then gets whatever the path serves at that moment.
    /// </summary>
    public TaskCompletionSource Hold(string path = JwksPath)
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _everyHold.Enqueue(hold);
        _holds[path] = hold;
        _ = hold.Task.ContinueWith(_ => _holds.TryRemove(new KeyValuePair<string, TaskCompletionSource>(path, hold)), TaskScheduler.Default);
        return hold;
    }

    /// <summary>Waits (bounded, real time) until <paramref name="count"/> requests have arrived, on any path or on <paramref name="path"/>.</summary>
    public async Task WaitForRequestsAsync(int count, string? path = null)
    {
        await Eventually.Until(
            () => (path is null ? RequestCount : RequestsTo(path)) >= count,
            $"the server to receive {count} request(s){(path is null ? string.Empty : " on " + path)}; it has {RequestCount}");
    }

    public async ValueTask DisposeAsync()
    {
        while (_everyHold.TryDequeue(out TaskCompletionSource? hold))
        {
            hold.TrySetResult();
        }

        await Loopback.StopAsync(_app);
    }

    private async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        string path = request.Path.Value ?? string.Empty;
        _requests.Enqueue(new RecordedRequest(
            request.Method,
            path,
            request.Headers.Accept.ToString(),
            request.Headers.IfNoneMatch.ToString(),
            request.Headers.IfModifiedSince.ToString()));
        try
        {
            if (_holds.TryGetValue(path, out TaskCompletionSource? hold))
            {
                await hold.Task.WaitAsync(context.RequestAborted);
            }

            if (_responses.TryGetValue(path, out Func<HttpContext, Task>? respond))
            {
                await respond(context);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client gave up (timeout, size limit, disposal): nothing left to answer.
        }
    }
}

/// <summary>What the server saw of one request: method, path and the headers the provider is expected to send.</summary>
internal sealed record RecordedRequest(string Method, string Path, string Accept, string IfNoneMatch, string IfModifiedSince);
