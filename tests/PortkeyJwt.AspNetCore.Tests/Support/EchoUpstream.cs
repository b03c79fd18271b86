using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PortkeyJwt.AspNetCore.Tests.Support;

/// <summary>
/// The upstream behind a gateway under test: a real Kestrel server on 127.0.0.1 (a free port) that answers every request
/// 200 <c>upstream</c> and records its method, path and every header exactly as it arrived.
/// </summary>
internal sealed class EchoUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<UpstreamRequest> _requests = new();

    private EchoUpstream(WebApplication app)
    {
        _app = app;
        _app.Run(context =>
        {
            var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
            foreach ((string name, Microsoft.Extensions.Primitives.StringValues values) in context.Request.Headers)
            {
                headers[name] = [.. values.Select(v => v ?? string.Empty)];
            }

            _requests.Enqueue(new UpstreamRequest(context.Request.Method, context.Request.Path.Value ?? string.Empty, headers));
            return context.Response.WriteAsync("upstream", context.RequestAborted);
        });
    }

    /// <summary>The root address, <c>http://127.0.0.1:port/</c>: a YARP destination.</summary>
    public Uri Root { get; private set; } = null!;

    /// <summary>Requests received so far.</summary>
    public int RequestCount => _requests.Count;

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<UpstreamRequest> Requests => [.. _requests];

    /// <summary>The one request received; fails unless exactly one arrived.</summary>
    public UpstreamRequest Single => Assert.Single(Requests);

    public static async Task<EchoUpstream> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var upstream = new EchoUpstream(builder.Build());
        await upstream._app.StartAsync();
        upstream.Root = Loopback.Root(upstream._app);
        return upstream;
    }

    public ValueTask DisposeAsync() => Loopback.StopAsync(_app);
}

/// <summary>What the upstream saw of one request; header names compare without letter case.</summary>
internal sealed record UpstreamRequest(string Method, string Path, IReadOnlyDictionary<string, string[]> Headers)
{
    /// <summary>The values of <paramref name="name"/> as they arrived (empty when it did not).</summary>
    public string[] Values(string name) => Headers.TryGetValue(name, out string[]? values) ? values : [];

    /// <summary>Whether <paramref name="name"/> arrived at all.</summary>
    public bool Has(string name) => Headers.ContainsKey(name);
}
