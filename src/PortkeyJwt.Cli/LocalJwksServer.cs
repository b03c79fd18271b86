using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PortkeyJwt.Cli;

/// <summary>A Kestrel server on 127.0.0.1 serving one JWKS document that can be replaced at any time.</summary>
internal sealed class LocalJwksServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile string _jwks;
    private int _requests;

    private LocalJwksServer(WebApplication app, string jwks)
    {
        _app = app;
        _jwks = jwks;
    }

    /// <summary>The JWKS URL, e.g. http://127.0.0.1:49153/.well-known/jwks.json.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Requests served so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public string Jwks
    {
        get => _jwks;
        set => _jwks = value;
    }

    public static async Task<LocalJwksServer> StartAsync(string jwks, int port = 0, CancellationToken cancellationToken = default)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        WebApplication app = builder.Build();
        var server = new LocalJwksServer(app, jwks);
        app.MapGet("/.well-known/jwks.json", (HttpContext context) =>
        {
            Interlocked.Increment(ref server._requests);
            context.Response.Headers.CacheControl = "max-age=300";
            return Results.Text(server._jwks, "application/jwk-set+json");
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
