using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace PortkeyJwt.Testing;

/// <summary>Test servers on 127.0.0.1: where a started one listens, and how it is stopped.</summary>
internal static class Loopback
{
    /// <summary>The root address (<c>http://127.0.0.1:port/</c>) of a started app listening on a free port.</summary>
    public static Uri Root(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());

    /// <summary>Stops <paramref name="app"/> (giving open requests 5 s), then disposes it.</summary>
    public static async ValueTask StopAsync(WebApplication app)
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await app.StopAsync(stopping.Token);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}
