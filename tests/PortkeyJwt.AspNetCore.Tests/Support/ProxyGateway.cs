using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace PortkeyJwt.AspNetCore.Tests.Support;

/// <summary>
/// A YARP gateway as a team would write it, on a real Kestrel server on 127.0.0.1 (a free port), proxying to
/// <paramref name="upstream"/> with the identity-headers transform on every route. Routes:
/// <list type="bullet">
/// <item><c>/v1/chat/completions</c>: policy <c>completions</c> (<c>AddPortkeyScopePolicy</c>, <c>completions.write</c>).</item>
/// <item><c>/v1/{**rest}</c>: policy <c>caller</c> (an authenticated PortkeyJwt caller).</item>
/// <item><c>/public/{**rest}</c>: YARP's <c>Anonymous</c> policy (no authorization; the scheme still runs).</item>
/// </list>
/// Keys: a static JWKS holding <see cref="TestKey.Default"/>, ES256.
/// </summary>
internal sealed class ProxyGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ProxyGateway(WebApplication app)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = Loopback.Root(app), Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client { get; }

    public static async Task<ProxyGateway> StartAsync(
        EchoUpstream upstream,
        Action<PortkeyIdentityHeadersOptions>? forwarding = null,
        Action<PortkeyJwtServiceOptions>? validation = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

        builder.Services.AddPortkeyJwt(options =>
        {
            options.JwksJson = TestKey.Jwks(TestKey.Default);
            options.AllowedAlgorithms = ["ES256"];
            validation?.Invoke(options);
        });
        builder.Services.AddAuthentication(PortkeyJwtDefaults.AuthenticationScheme).AddPortkeyJwt();
        builder.Services.AddAuthorization(options =>
        {
            options.AddPortkeyScopePolicy("completions", "completions.write");
            options.AddPolicy("caller", policy => policy.AddAuthenticationSchemes(PortkeyJwtDefaults.AuthenticationScheme).RequireAuthenticatedUser());
        });
        builder.Services.AddReverseProxy()
            .LoadFromMemory(
                [
                    Route("completions", "/v1/chat/completions", "completions"),
                    Route("v1", "/v1/{**rest}", "caller"),
                    Route("public", "/public/{**rest}", "Anonymous"),
                ],
                [
                    new ClusterConfig
                    {
                        ClusterId = "upstream",
                        Destinations = new Dictionary<string, DestinationConfig> { ["primary"] = new() { Address = upstream.Root.ToString() } },
                    },
                ])
            .AddTransforms(context => context.AddPortkeyIdentityHeaders(forwarding));

        WebApplication app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapReverseProxy();
        await app.StartAsync();
        return new ProxyGateway(app);
    }

    /// <summary>A request to <paramref name="path"/> carrying <paramref name="headers"/> as sent (no validation, any letter case).</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        foreach ((string name, string value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Loopback.StopAsync(_app);
    }

    private static RouteConfig Route(string id, string path, string policy) => new()
    {
        RouteId = id,
        ClusterId = "upstream",
        AuthorizationPolicy = policy,
        Match = new RouteMatch { Path = path },
    };
}
