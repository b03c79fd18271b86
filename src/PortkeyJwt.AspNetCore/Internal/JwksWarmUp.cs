using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PortkeyJwt.AspNetCore.Internal;

/// <summary>
/// Creates the <see cref="JwksKeyProvider"/> when the host starts, so its first JWKS fetch begins at startup rather than
/// on the first request. It does not wait for that fetch: the host starts even while the identity provider is down (as
/// JwtBearer starts without its metadata); validations arriving before the first set wait for that one fetch.
/// </summary>
internal sealed class JwksWarmUp(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<JwksKeyProvider>(); // the constructor schedules the first fetch
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
