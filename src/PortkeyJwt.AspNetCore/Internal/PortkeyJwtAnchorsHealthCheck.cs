using Microsoft.Extensions.Diagnostics.HealthChecks;
using PortkeyJwt.Internal;

namespace PortkeyJwt.AspNetCore.Internal;

/// <summary>
/// The health of a <see cref="TrustAnchorSet"/>: each issuer whose key provider exists (a token has named it) is judged as
/// <see cref="PortkeyJwtHealthCheck"/> judges one provider, against that issuer's own validator; the result is the worst
/// of them, and its description names the issuers at fault. An issuer no token has named yet has no keys to judge and is
/// never unhealthy. Data: <c>anchors</c> (how many issuers), <c>anchorsInUse</c>, and per issuer in use, keyed by its
/// issuer, a dictionary of its <c>status</c>, <c>description</c> and the single check's data.
/// </summary>
internal sealed class PortkeyJwtAnchorsHealthCheck(TrustAnchorSet anchors) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<string, TrustRouter.Slot> slots = anchors.Router.Slots;
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["anchors"] = slots.Count };
        var failing = new List<string>();
        var degraded = new List<string>();
        int inUse = 0;
        foreach ((string issuer, TrustRouter.Slot slot) in slots.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (slot.Keys is not { } keys)
            {
                continue; // no token has named this issuer: nothing fetched, nothing to judge
            }

            inUse++;
            HealthCheckResult result = PortkeyJwtHealthCheck.Inspect(keys, slot.Validator, HealthStatus.Unhealthy);
            var entry = new Dictionary<string, object>(result.Data, StringComparer.Ordinal)
            {
                ["status"] = result.Status.ToString(),
                ["description"] = result.Description ?? string.Empty,
            };
            data[issuer] = entry;
            (result.Status == HealthStatus.Unhealthy ? failing : result.Status == HealthStatus.Degraded ? degraded : null)?.Add(issuer);
        }

        data["anchorsInUse"] = inUse;
        string usage = $"{inUse} of {slots.Count} issuers have had a token";
        HealthCheckResult overall = failing.Count > 0
            ? new HealthCheckResult(context.Registration.FailureStatus, $"{usage}; no usable keys for {string.Join(", ", failing)}: their tokens are rejected.{Also(degraded)}", data: data)
            : degraded.Count > 0
                ? HealthCheckResult.Degraded($"{usage}; serving the last good JWKS after a failed refresh for {string.Join(", ", degraded)}.", data: data)
                : HealthCheckResult.Healthy($"{usage}; all with fresh keys.", data);
        return Task.FromResult(overall);
    }

    private static string Also(List<string> degraded) =>
        degraded.Count == 0 ? string.Empty : $" Serving the last good JWKS after a failed refresh for {string.Join(", ", degraded)}.";
}
