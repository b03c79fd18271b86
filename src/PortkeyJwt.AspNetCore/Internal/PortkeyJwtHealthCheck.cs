using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PortkeyJwt.AspNetCore.Internal;

/// <summary>Maps <see cref="JwksKeyProviderStatus"/> to a health result: Healthy, Degraded (last good set), or the failure status.</summary>
internal sealed class PortkeyJwtHealthCheck(JwksKeyProvider provider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        JwksKeyProviderStatus status = provider.Status;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["keys"] = status.KeyCount,
            ["consecutiveFailures"] = status.ConsecutiveFailures,
        };
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
                context.Registration.FailureStatus,
                $"No JWKS key set is available ({status.LastError ?? "none loaded yet"}): every token is rejected with KeysUnavailable.",
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

        return Task.FromResult(result);
    }
}
