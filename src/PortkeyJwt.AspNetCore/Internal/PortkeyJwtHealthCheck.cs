using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PortkeyJwt.Internal;

namespace PortkeyJwt.AspNetCore.Internal;

/// <summary>
/// Maps <see cref="JwksKeyProviderStatus"/> to a health result: the failure status when no key can verify a token (no
/// set, an empty set, or, with <paramref name="validator"/>, no key that fits its algorithms and minimum RSA size),
/// Degraded while serving the last good set after a failed refresh, Healthy otherwise.
/// </summary>
internal sealed class PortkeyJwtHealthCheck(JwksKeyProvider provider, PortkeyJwtValidator? validator) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Inspect(provider, validator, context.Registration.FailureStatus));

    /// <summary>The health of one key provider, as seen by <paramref name="validator"/> when given.</summary>
    internal static HealthCheckResult Inspect(JwksKeyProvider provider, PortkeyJwtValidator? validator, HealthStatus failureStatus)
    {
        JwksKeyProviderStatus status = provider.Status;
        KeySetSnapshot? keys = provider.Current;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["keys"] = status.KeyCount,
            ["consecutiveFailures"] = status.ConsecutiveFailures,
        };
        int? usable = keys is not null ? validator?.CountUsableKeys(keys) : null;
        if (usable is { } count)
        {
            data["usableKeys"] = count;
        }

        if (status.Staleness is { } staleness)
        {
            data["stalenessSeconds"] = Math.Round(staleness.TotalSeconds, 3);
        }

        if (status.LastSuccessAt is { } lastSuccess)
        {
            data["lastSuccessAt"] = lastSuccess.ToString("O", CultureInfo.InvariantCulture);
        }

        if (status.LastError is { } lastError)
        {
            data["lastError"] = lastError;
        }

        HealthCheckResult result;
        if (!status.IsAvailable)
        {
            result = new HealthCheckResult(
                failureStatus,
                $"No JWKS key set is available ({status.LastError ?? "none loaded yet"}): every token is rejected with KeysUnavailable.",
                data: data);
        }
        else if (status.KeyCount == 0)
        {
            result = new HealthCheckResult(
                failureStatus,
                "The JWKS key set holds no usable key (keys sharing a kid with different material, across the JWKS URLs, are all skipped as ambiguous): every token is rejected with UnknownKey.",
                data: data);
        }
        else if (usable == 0)
        {
            result = new HealthCheckResult(
                failureStatus,
                $"None of the {status.KeyCount} JWKS keys fits the allowed algorithms or the minimum RSA key size: every token is rejected.",
                data: data);
        }
        else if (!status.IsHealthy)
        {
            result = HealthCheckResult.Degraded($"Serving the last good JWKS ({status.KeyCount} keys) after a failed refresh.", data: data);
        }
        else
        {
            result = HealthCheckResult.Healthy($"{status.KeyCount} JWKS keys, fresh.", data);
        }

        return result;
    }
}
