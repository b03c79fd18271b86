using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PortkeyJwt.Redis.Internal;

/// <summary>
/// Judges the enforced <see cref="RevocationList"/> by its age (time since Redis last confirmed it current):
/// Healthy up to <see cref="HealthyAge"/>; Degraded past that while still within <see cref="RedisRevocationOptions.MaxStaleness"/>
/// (the list is enforced, but syncs are being missed); the failure status past <c>MaxStaleness</c> or before the first sync
/// (tokens fail with <see cref="PortkeyJwtError.RevocationUnavailable"/>, or are accepted on the last entries with
/// <see cref="RedisRevocationOptions.FailOpen"/>). Reads only the list and the options, never Redis.
/// </summary>
internal sealed class RevocationHealthCheck(RevocationList list, RedisRevocationOptions options, Func<long> version) : IHealthCheck
{
    /// <summary>
    /// Oldest age still healthy: three poll intervals (each poll marks the list synced, so two polls in a row may be
    /// missed or late before it is reported), never more than <c>MaxStaleness</c>.
    /// </summary>
    internal static TimeSpan HealthyAge(RedisRevocationOptions options) =>
        TimeSpan.FromTicks(Math.Min(options.PollInterval.Ticks * 3, options.MaxStaleness.Ticks));

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Inspect(list, options, version(), context.Registration.FailureStatus));

    internal static HealthCheckResult Inspect(RevocationList list, RedisRevocationOptions options, long version, HealthStatus failureStatus)
    {
        TimeSpan? age = list.Age;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["entries"] = list.Count,
            ["version"] = version,
            ["maxStalenessSeconds"] = options.MaxStaleness.TotalSeconds,
            ["failOpen"] = options.FailOpen,
        };
        if (age is { } known)
        {
            data["ageSeconds"] = Math.Round(known.TotalSeconds, 3);
            data["lastSyncedAt"] = list.LastSyncedAt!.Value.ToString("O", CultureInfo.InvariantCulture);
        }

        string consequence = options.FailOpen
            ? "tokens are accepted on the last synced entries (FailOpen)"
            : "every token is rejected with RevocationUnavailable";
        if (age is null)
        {
            return new HealthCheckResult(failureStatus, $"The revocation list has never been synced from Redis: {consequence}.", data: data);
        }

        if (age > options.MaxStaleness)
        {
            return new HealthCheckResult(failureStatus, $"The revocation list was last synced {Seconds(age.Value)} s ago, past MaxStaleness ({Seconds(options.MaxStaleness)} s): {consequence}.", data: data);
        }

        if (age > HealthyAge(options))
        {
            return HealthCheckResult.Degraded($"The revocation list was last synced {Seconds(age.Value)} s ago (healthy up to {Seconds(HealthyAge(options))} s); its {list.Count} entries are enforced until MaxStaleness ({Seconds(options.MaxStaleness)} s).", data: data);
        }

        return HealthCheckResult.Healthy($"{list.Count} revocation entries, synced {Seconds(age.Value)} s ago.", data);
    }

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
