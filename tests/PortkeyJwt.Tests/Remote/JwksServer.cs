using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace PortkeyJwt.Tests.Remote;

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
        var root = new Uri(server._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
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

        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(stopping.Token);
        }
        finally
        {
            await _app.DisposeAsync();
        }
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

/// <summary>Keys, documents and factories shared by the remote-provider specs.</summary>
internal static class Remote
{
    private static readonly Lazy<TestKey> LazyA = new(() => TestKey.Ec("key-a"));
    private static readonly Lazy<TestKey> LazyB = new(() => TestKey.Ec("key-b"));
    private static readonly Lazy<TestKey> LazyC = new(() => TestKey.Ec("key-c"));
    private static readonly Lazy<TestKey> LazyOtherC = new(() => TestKey.Ec("key-c"));
    private static readonly Lazy<TestKey> LazyRsa = new(() => TestKey.Rsa("key-rsa"));

    /// <summary>The key the identity provider starts with (EC P-256: fast to make and to verify).</summary>
    public static TestKey A => LazyA.Value;

    /// <summary>The key it rotates to.</summary>
    public static TestKey B => LazyB.Value;

    /// <summary>A third key.</summary>
    public static TestKey C => LazyC.Value;

    /// <summary>Different material under <see cref="C"/>'s kid.</summary>
    public static TestKey OtherC => LazyOtherC.Value;

    /// <summary>An RSA-2048 key (RS256): cheaper to verify than EC, for specs that validate tens of thousands of tokens.</summary>
    public static TestKey Rsa => LazyRsa.Value;

    /// <summary>A JWKS whose only key is unusable (a symmetric key): well-formed, but nothing to verify with.</summary>
    public static string NoUsableKeys => """{"keys":[{"kty":"oct","kid":"hmac","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}]}""";

    /// <summary>A valid token signed by <paramref name="key"/>.</summary>
    /// <remarks>It expires in 30 days, so specs can move the clock by hours.</remarks>
    public static string Token(TestKey key) => Tokens.Mint(Tokens.Claims().With(("exp", JsonValue.Create(Tokens.NowSeconds + 2_592_000))), key: key);

    /// <summary>
    /// A token naming <paramref name="kid"/> with a garbage signature: key lookup comes before the signature check, so it
    /// is enough to exercise the unknown-kid path.
    /// </summary>
    public static string UnsignedToken(string kid) =>
        TestKey.B64($$"""{"alg":"ES256","typ":"JWT","kid":"{{kid}}"}""") + "." + TestKey.B64("{}") + "." + TestKey.B64(new byte[64]);

    /// <summary>The provider under test, as a gateway builds it: no HttpClient (the provider owns one), the fake clock.</summary>
    public static JwksKeyProvider Provider(JwksServer server, FakeTimeProvider clock, Action<JwksKeyProviderOptions>? configure = null)
    {
        var options = new JwksKeyProviderOptions { JwksUrls = [server.Url] };
        configure?.Invoke(options);
        return new JwksKeyProvider(options, httpClient: null, timeProvider: clock, NullLogger.Instance);
    }

    /// <summary>
    /// Validates and requires the result at once: a validation that needs no fetch (known kid, or unknown during the
    /// cooldown) completes synchronously.
    /// </summary>
    public static PortkeyJwtResult ValidateNow(PortkeyJwtValidator validator, string token)
    {
        ValueTask<PortkeyJwtResult> pending = validator.ValidateAsync(token);
        return pending.IsCompletedSuccessfully
            ? pending.Result
            : throw new Xunit.Sdk.XunitException("The validation waited for a fetch; it was expected to complete synchronously, without one.");
    }

    /// <summary>Starts a validation: its result if it completed synchronously; otherwise null, and the task waiting for a fetch.</summary>
    public static PortkeyJwtResult? Start(PortkeyJwtValidator validator, string token, out Task<PortkeyJwtResult>? waiting)
    {
        ValueTask<PortkeyJwtResult> pending = validator.ValidateAsync(token);
        if (pending.IsCompletedSuccessfully)
        {
            waiting = null;
            return pending.Result;
        }

        waiting = pending.AsTask();
        return null;
    }

    /// <summary>A validator over <paramref name="provider"/> that accepts the remote keys' algorithms.</summary>
    public static PortkeyJwtValidator Validator(JwksKeyProvider provider, FakeTimeProvider clock) =>
        new(provider, new PortkeyJwtOptions { AllowedAlgorithms = ["ES256", "RS256"] }, clock);

    /// <summary>
    /// Asserts that no fetch is running and none was sent since <paramref name="requestsBefore"/>. A fetch a timer starts
    /// is in flight from the timer's callback (inside <see cref="FakeTimeProvider.Advance"/>) until after the server has
    /// counted its request, so checking "in flight" and then the count leaves no gap. "In flight" is read through
    /// <see cref="JwksKeyProvider.ShouldFetchFor"/>, which means "fetching, or off cooldown": callers keep the cooldown
    /// long (<see cref="JwksKeyProviderOptions.UnknownKeyCooldown"/> of an hour) so that only a fetch in flight makes it true.
    /// </summary>
    public static void AssertNoFetch(JwksKeyProvider provider, JwksServer server, int requestsBefore)
    {
        Assert.False(provider.ShouldFetchFor([]), "A fetch is in flight (or the cooldown has ended: keep it long in timing tests).");
        Assert.Equal(requestsBefore, server.RequestCount);
    }

    /// <summary>Waits until a fetch that completed at the fake clock's current time is reflected in the status.</summary>
    public static Task WaitForAttemptAsync(JwksKeyProvider provider, FakeTimeProvider clock) =>
        Eventually.Until(() => provider.Status.LastAttemptAt == clock.GetUtcNow(), $"a fetch to complete at {clock.GetUtcNow():O}");

    /// <summary><paramref name="json"/> followed by spaces up to exactly <paramref name="length"/> UTF-8 bytes.</summary>
    public static string PadTo(string json, int length)
    {
        int bytes = Encoding.UTF8.GetByteCount(json);
        Assert.True(bytes <= length, $"The document is already {bytes} bytes.");
        return json + new string(' ', length - bytes);
    }
}

/// <summary>A bounded poll for a condition another thread makes true: fails with what it waited for, never hangs.</summary>
internal static class Eventually
{
    public static async Task Until(Func<bool> condition, string what, TimeSpan? limit = null)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > (limit ?? TimeSpan.FromSeconds(5)))
            {
                Assert.Fail($"Timed out after {watch.Elapsed.TotalSeconds:0.#} s waiting for {what}.");
            }

            await Task.Delay(2);
        }
    }
}

/// <summary>
/// A handler that never touches the network: it records each request URL and answers 503. For specs about construction
/// (URL policy, option ranges) where a successfully built provider would otherwise start a real fetch.
/// </summary>
internal sealed class OfflineHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Uri> _requested = new();

    public IReadOnlyList<Uri> Requested => [.. _requested];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _requested.Enqueue(request.RequestUri!);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request });
    }
}
