using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PortkeyJwt.Cli;

/// <summary>
/// A Kestrel server on 127.0.0.1 serving one JWKS document that can be replaced at any time: set <see cref="Jwks"/>, or
/// start it with a source function asked for the document on every request (as <c>serve-jwks</c> does to follow a file).
/// </summary>
internal sealed class LocalJwksServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<string>? _source;
    private volatile string _jwks;
    private int _requests;

    private LocalJwksServer(WebApplication app, string jwks, Func<string>? source)
    {
        _app = app;
        _jwks = jwks;
        _source = source;
    }

    /// <summary>The JWKS URL, e.g. http://127.0.0.1:49153/.well-known/jwks.json.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Requests served so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The document served when the server has no source function.</summary>
    public string Jwks
    {
        get => _jwks;
        set => _jwks = value;
    }

    public static Task<LocalJwksServer> StartAsync(string jwks, int port = 0, CancellationToken cancellationToken = default) =>
        StartAsync(jwks, source: null, port, cancellationToken);

    /// <summary>Starts a server that serves whatever <paramref name="source"/> returns, asked on every request.</summary>
    public static Task<LocalJwksServer> StartAsync(Func<string> source, int port = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return StartAsync(string.Empty, source, port, cancellationToken);
    }

    private static async Task<LocalJwksServer> StartAsync(string jwks, Func<string>? source, int port, CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        WebApplication app = builder.Build();
        var server = new LocalJwksServer(app, jwks, source);
        app.MapGet("/.well-known/jwks.json", (HttpContext context) =>
        {
            Interlocked.Increment(ref server._requests);
            context.Response.Headers.CacheControl = "max-age=300";
            return Results.Text(server._source?.Invoke() ?? server._jwks, "application/jwk-set+json");
        });
        await app.StartAsync(cancellationToken);
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.Url = new Uri(new Uri(address), "/.well-known/jwks.json");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
