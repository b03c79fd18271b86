using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace PortkeyJwt.Tests.Support;

/// <summary>Builds Portkey-shaped tokens for tests. Defaults are a valid token for <see cref="Now"/>.</summary>
internal static class Tokens
{
    /// <summary>The fixed "now" every test clock starts at: 2026-06-01T12:00:00Z.</summary>
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static long NowSeconds => Now.ToUnixTimeSeconds();

    public static FakeTimeProvider Clock() => new(Now);

    /// <summary>A valid header for <paramref name="key"/>: alg, typ JWT, kid.</summary>
    public static JsonObject Header(TestKey key, string? algorithm = null) =>
        new() { ["alg"] = algorithm ?? key.Algorithm, ["typ"] = "JWT", ["kid"] = key.Kid };

    /// <summary>A valid claim set: organisation, workspace, scopes, user, exp in 10 minutes, iat and nbf now.</summary>
    public static JsonObject Claims() => new()
    {
        ["portkey_oid"] = "org-3f2a",
        ["portkey_workspace"] = "ws-default",
        ["scope"] = "completions.write portkey.logs.view",
        ["email_id"] = "dev@example.com",
        ["sub"] = "user-42",
        ["iat"] = NowSeconds,
        ["nbf"] = NowSeconds,
        ["exp"] = NowSeconds + 600,
    };

    /// <summary>A token signed by <paramref name="key"/> (default: <see cref="TestKey.Default"/>).</summary>
    public static string Mint(JsonObject? claims = null, JsonObject? header = null, TestKey? key = null)
    {
        key ??= TestKey.Default;
        header ??= Header(key);

        // Sign with the header's alg when it is one this key can produce; attack headers (none, HS256, …) get the key's own.
        string? alg = header["alg"] is JsonValue v && v.TryGetValue(out string? a) ? a : null;
        bool usable = alg is not null && (key.Key is System.Security.Cryptography.RSA ? alg is "RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512" : alg == key.Algorithm);
        return key.SignRaw(header.ToJsonString(), (claims ?? Claims()).ToJsonString(), usable ? alg : key.Algorithm);
    }

    /// <summary>A validator over the given keys' JWKS with a fake clock at <see cref="Now"/>.</summary>
    public static PortkeyJwtValidator Validator(PortkeyJwtOptions? options = null, FakeTimeProvider? clock = null, params TestKey[] keys) =>
        new(JwksKeyProvider.FromJson(TestKey.Jwks(keys.Length == 0 ? [TestKey.Default] : keys)), options, clock ?? Clock());
}
