using System.Security.Claims;
using System.Text.Json;

namespace PortkeyJwt.Internal;

/// <summary>How a captured claim's JSON value becomes <see cref="Claim"/>s: one per array element, typed by its JSON kind.</summary>
internal static class CapturedClaimValues
{
    /// <summary>The value type of a claim holding a JSON object's text (as IdentityModel's <c>JsonClaimValueTypes.Json</c>).</summary>
    public const string Json = "JSON";

    public static void Add(ClaimsIdentity identity, string name, JsonElement value, string issuer)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement element in value.EnumerateArray())
            {
                AddOne(identity, name, element, issuer);
            }
        }
        else
        {
            AddOne(identity, name, value, issuer);
        }
    }

    private static void AddOne(ClaimsIdentity identity, string name, JsonElement value, string issuer)
    {
        (string? text, string type) = value.ValueKind switch
        {
            JsonValueKind.String => (value.GetString(), ClaimValueTypes.String),
            JsonValueKind.Number => (value.GetRawText(), value.TryGetInt64(out _) ? ClaimValueTypes.Integer64 : ClaimValueTypes.Double),
            JsonValueKind.True => ("true", ClaimValueTypes.Boolean),
            JsonValueKind.False => ("false", ClaimValueTypes.Boolean),
            JsonValueKind.Object or JsonValueKind.Array => (value.GetRawText(), Json),
            _ => (null, ClaimValueTypes.String), // null: no claim
        };
        if (text is not null)
        {
            identity.AddClaim(new Claim(name, text, type, issuer, issuer, identity)); // the identity as subject: kept, not cloned
        }
    }
}
