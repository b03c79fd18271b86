using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PortkeyJwt.Cli.Tests.Support;

/// <summary>
/// An OpenID Provider's discovery endpoint on 127.0.0.1 (a free port): <c>/.well-known/openid-configuration</c> answers
/// <see cref="Document"/>, and every request is counted. The JWKS it names is served elsewhere (a <c>LocalJwksServer</c>).
/// </summary>
internal sealed class DiscoveryServer : IAsyncDisposable
{
    public const string DocumentPath = "/.well-known/openid-configuration";

    private readonly WebApplication _app;
    private int _requests;

    private DiscoveryServer(WebApplication app, string document)
    {
        _app = app;
        Document = document;
    }

    /// <summary>The authority: http://127.0.0.1:port</summary>
    public Uri Authority { get; private set; } = null!;

    /// <summary>The document served.</summary>
    public string Document { get; set; }

    /// <summary>Requests served so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>A document naming <paramref name="issuer"/> and <paramref name="jwksUri"/>.</summary>
    public static string DocumentOf(string issuer, Uri jwksUri) => new JsonObject
    {
        ["issuer"] = issuer,
        ["jwks_uri"] = jwksUri.ToString(),
        ["response_types_supported"] = new JsonArray("code"),
    }.ToJsonString();

    public static async Task<DiscoveryServer> StartAsync(string document)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication app = builder.Build();
        var server = new DiscoveryServer(app, document);
        app.MapGet(DocumentPath, () =>
        {
            Interlocked.Increment(ref server._requests);
            return Results.Text(server.Document, "application/json");
        });
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.Authority = new Uri(address);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
