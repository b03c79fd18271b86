using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PortkeyJwt;
using PortkeyJwt.AspNetCore;
using PortkeyJwt.AspNetCore.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the PortkeyJwt key-provider health check.</summary>
public static class PortkeyJwtHealthChecksBuilderExtensions
{
    /// <summary>
    /// Reports the registered <see cref="JwksKeyProvider"/>'s <see cref="JwksKeyProvider.Status"/>: Healthy with fresh keys;
    /// Degraded while serving the last good key set after a failed refresh; <paramref name="failureStatus"/> (default
    /// Unhealthy) when no token can be verified: no key set is available (never loaded, or older than <c>MaxStaleness</c>),
    /// the set holds no key (every key skipped as an ambiguous duplicate <c>kid</c>), or no key fits the registered
    /// <see cref="PortkeyJwtValidator"/>'s allowed algorithms and minimum RSA key size. Data: <c>keys</c>,
    /// <c>usableKeys</c> (keys that fit the validator), <c>stalenessSeconds</c>, <c>consecutiveFailures</c>,
    /// <c>lastSuccessAt</c> and <c>lastError</c> when known.
    /// With <see cref="PortkeyJwtServiceOptions.Issuers"/>, each issuer a token has named is judged that way and the worst
    /// status is reported, naming the issuers at fault; an issuer no token has named yet (nothing fetched) is never unhealthy.
    /// Data: <c>anchors</c>, <c>anchorsInUse</c>, and per issuer in use, keyed by the issuer, its <c>status</c>,
    /// <c>description</c> and the data above.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name; default <see cref="PortkeyJwtDefaults.HealthCheckName"/>.</param>
    /// <param name="failureStatus">Reported when no key set is available; Unhealthy when null.</param>
    /// <param name="tags">Tags to filter checks by (for example <c>ready</c>).</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IHealthChecksBuilder AddPortkeyJwt(this IHealthChecksBuilder builder, string name = PortkeyJwtDefaults.HealthCheckName, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            static services => services.GetRequiredService<IOptions<PortkeyJwtServiceOptions>>().Value.Issuers.Count > 0
                ? new PortkeyJwtAnchorsHealthCheck(services.GetRequiredService<TrustAnchorSet>())
                : new PortkeyJwtHealthCheck(services.GetRequiredService<JwksKeyProvider>(), services.GetService<PortkeyJwtValidator>()),
            failureStatus,
            tags));
    }
}
