// The README's "Claims beyond the Portkey ones" example. CapturedClaimsExampleTests runs it; ReadmeExampleTests checks
// README.md shows exactly the lines between the snippet markers.
using System.Text.Json;

namespace PortkeyJwt.Tests.Docs;

// begin-snippet: captured-claims
/// <summary>A gateway that rate-limits by the caller's tier and lets admins bypass a quota.</summary>
public sealed class TierAwareGateway(JwksKeyProvider keys, TimeProvider? timeProvider = null)
{
    private readonly PortkeyJwtValidator _validator = new(keys, new PortkeyJwtOptions
    {
        CapturedClaims = ["tier", "team"], // read at validation, kept with their JSON type; other claims cost nothing
        RoleClaim = "roles",               // roles come from this claim only: a scope is never a role
    }, timeProvider);

    public async Task<string> DescribeAsync(string token)
    {
        PortkeyJwtResult result = await _validator.ValidateAsync(token);
        if (!result.IsValid)
        {
            return $"{result.StatusCode} {result.Error}";
        }

        PortkeyPrincipal caller = result.Principal;
        string tier = caller.TryGetClaim("tier", out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "free";
        int teams = caller.Claims.TryGetValue("team", out JsonElement team) && team.ValueKind == JsonValueKind.Array ? team.GetArrayLength() : 0;
        return $"{caller.OrganisationId} tier={tier} teams={teams} admin={caller.IsInRole("admin")} jti={caller.JwtId} aud={string.Join(',', caller.Audiences)}";
    }
}
// end-snippet
