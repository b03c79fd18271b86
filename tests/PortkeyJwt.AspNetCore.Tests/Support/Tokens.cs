namespace PortkeyJwt.AspNetCore.Tests.Support;

/// <summary>Builds Portkey-shaped tokens. Defaults are a valid token for the real clock, granting <c>completions.write</c>.</summary>
internal static class Tokens
{
    public static JsonObject Claims(DateTimeOffset? now = null)
    {
        long seconds = (now ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        return new JsonObject
        {
            ["portkey_oid"] = "org-3f2a",
            ["portkey_workspace"] = "ws-default",
            ["scope"] = "completions.write portkey.logs.view",
            ["email_id"] = "dev@example.com",
            ["sub"] = "user-42",
            ["iat"] = seconds,
            ["nbf"] = seconds,
            ["exp"] = seconds + 600,
        };
    }

    /// <summary>A token signed by <paramref name="key"/> (default <see cref="TestKey.Default"/>) with ES256, <c>typ</c> JWT.</summary>
    public static string Mint(JsonObject? claims = null, TestKey? key = null)
    {
        key ??= TestKey.Default;
        var header = new JsonObject { ["alg"] = "ES256", ["typ"] = "JWT", ["kid"] = key.Kid };
        return key.SignRaw(header.ToJsonString(), (claims ?? Claims()).ToJsonString());
    }

    /// <summary>A valid token that expired an hour ago (well past any clock skew).</summary>
    public static string Expired() => Mint(Claims(DateTimeOffset.UtcNow.AddHours(-2)));

    /// <summary>A valid token granting only <paramref name="scope"/>.</summary>
    public static string WithScope(string scope) => Mint(Claims().With(("scope", scope)));
}
