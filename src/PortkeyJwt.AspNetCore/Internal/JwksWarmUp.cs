using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PortkeyJwt.AspNetCore.Internal;

/// <summary>
/// Creates the <see cref="JwksKeyProvider"/> when the host starts, so its first JWKS fetch begins at startup rather than
/// on the first request. It does not wait for that fetch: the host starts even while the identity provider is down (as
/// JwtBearer starts without its metadata); validations arriving before the first set wait for that one fetch.
/// With issuers (trust anchors) it builds the <see cref="TrustAnchorSet"/> instead, loading fixed key sets: remote ones are
/// fetched on the first token naming their issuer, so an issuer nobody uses is never contacted.
/// </summary>
internal sealed class JwksWarmUp(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetRequiredService<IOptions<PortkeyJwtServiceOptions>>().Value.Issuers.Count > 0)
        {
            _ = services.GetRequiredService<TrustAnchorSet>();
        }
        else
        {
            _ = services.GetRequiredService<JwksKeyProvider>(); // the constructor schedules the first fetch
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
