using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PortkeyJwt;
using PortkeyJwt.Redis;
using PortkeyJwt.Redis.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the revocation-sync health check.</summary>
public static class PortkeyJwtRedisHealthChecksBuilderExtensions
{
    /// <summary>
    /// Reports how current the registered <see cref="RevocationList"/> is (registered by <c>AddPortkeyJwtRedisRevocation</c>):
    /// Healthy when Redis confirmed it within three <see cref="RedisRevocationOptions.PollInterval"/>s (at most
    /// <see cref="RedisRevocationOptions.MaxStaleness"/>); Degraded when older but within <c>MaxStaleness</c> (the last synced
    /// entries are still enforced); <paramref name="failureStatus"/> (default Unhealthy) past <c>MaxStaleness</c> or before the
    /// first sync, when tokens fail with <see cref="PortkeyJwtError.RevocationUnavailable"/> (or, with <c>FailOpen</c>, are
    /// accepted on the last entries). Data: <c>ageSeconds</c> and <c>lastSyncedAt</c> once synced, <c>entries</c>,
    /// <c>version</c> (the Redis record version the list reflects), <c>maxStalenessSeconds</c>, <c>failOpen</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name; default <c>portkeyjwt-revocation</c>.</param>
    /// <param name="failureStatus">Reported when the list is stale or never synced; Unhealthy when null.</param>
    /// <param name="tags">Tags to filter checks by (for example <c>ready</c>).</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IHealthChecksBuilder AddPortkeyJwtRevocation(this IHealthChecksBuilder builder, string name = "portkeyjwt-revocation", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            static services =>
            {
                RevocationSyncService? sync = services.GetService<RevocationSyncService>();
                return new RevocationHealthCheck(
                    services.GetRequiredService<RevocationList>(),
                    services.GetRequiredService<IOptions<RedisRevocationOptions>>().Value,
                    sync is null ? static () => 0 : () => sync.Version);
            },
            failureStatus,
            tags));
    }
}
