using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PortkeyJwt.Tests.Interop;

/// <summary>
/// Tokens minted by Microsoft.IdentityModel's JsonWebTokenHandler (an independent implementation) validate here, for
/// every claim shape Portkey issuers use.
/// </summary>
public sealed class IdentityModelRoundTripTests
{
    public static TheoryData<string, string, string[]> ClaimShapes() => new()
    {
        // name, claims as JSON, expected normalised scopes
        { "portkey names, scope string", """{"portkey_oid":"o1","portkey_workspace":"w1","scope":"completions.write logs.view","email_id":"a@b.c"}""", ["completions.write", "logs.view"] },
        { "aliases, scopes array", """{"organisation_id":"o1","workspace_slug":"w1","scopes":["completions.write","logs.view"],"sub":"s1"}""", ["completions.write", "logs.view"] },
        { "prefixed scopes string", """{"portkey_oid":"o1","portkey_workspace":"w1","scope":"portkey.completions.write portkey.logs.view","uid":"u1"}""", ["completions.write", "logs.view"] },
        { "prefixed scopes array with duplicates", """{"portkey_oid":"o1","workspace_slug":"w1","scopes":["portkey.completions.write","completions.write"],"email_id":"a@b.c","sub":"s1"}""", ["completions.write"] },
        { "no user identity", """{"portkey_oid":"o1","portkey_workspace":"w1","scope":"completions.write"}""", ["completions.write"] },
    };

    [Theory]
    [MemberData(nameof(ClaimShapes))]
    public async Task TokenFromJsonWebTokenHandler_EachClaimShape_Validates(string shape, string claimsJson, string[] expectedScopes)
    {
        var clock = Tokens.Clock();
        var rsa = (System.Security.Cryptography.RSA)TestKey.Default.Key;
        var signingKey = new RsaSecurityKey(rsa) { KeyId = TestKey.Default.Kid };
        var claims = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, object>>(claimsJson)!;
        string token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims.ToDictionary(kv => kv.Key, kv => Unwrap(kv.Value)),
            IssuedAt = clock.GetUtcNow().UtcDateTime,
            NotBefore = clock.GetUtcNow().UtcDateTime,
            Expires = clock.GetUtcNow().AddMinutes(10).UtcDateTime,
            Issuer = "https://auth.example.com",
            Audience = "gateway",
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.RsaSha256),
        });

        var validator = Tokens.Validator(new PortkeyJwtOptions { ValidIssuers = ["https://auth.example.com"], ValidAudiences = ["gateway"] }, clock);
        PortkeyJwtResult result = await validator.ValidateAsync(token);

        Assert.True(result.IsValid, $"{shape}: {result}");
        Assert.Equal("o1", result.Principal.OrganisationId);
        Assert.Equal("w1", result.Principal.WorkspaceSlug);
        Assert.Equal(expectedScopes, result.Principal.Scopes);
        Assert.Equal(claims.TryGetValue("email_id", out object? e) ? e.ToString() : claims.TryGetValue("sub", out object? s) ? s.ToString() : claims.TryGetValue("uid", out object? u) ? u.ToString() : null, result.Principal.UserId);
        Assert.Equal(clock.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds(), result.Principal.ExpiresAt.ToUnixTimeSeconds());
        Assert.Equal("https://auth.example.com", result.Principal.Issuer);
        Assert.Equal(TestKey.Default.Kid, result.Principal.KeyId);
    }

    [Fact]
    public async Task TokenFromJsonWebTokenHandler_Tampered_IsRejectedBySignature()
    {
        var clock = Tokens.Clock();
        var signingKey = new RsaSecurityKey((System.Security.Cryptography.RSA)TestKey.Default.Key) { KeyId = TestKey.Default.Kid };
        string token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("portkey_oid", "o1"), new Claim("portkey_workspace", "w1"), new Claim("scope", "a")]),
            Expires = clock.GetUtcNow().AddMinutes(10).UtcDateTime,
            IssuedAt = clock.GetUtcNow().UtcDateTime,
            NotBefore = clock.GetUtcNow().UtcDateTime,
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.RsaSha256),
        });
        string[] parts = token.Split('.');
        string forged = parts[0] + "." + TestKey.B64(Base64UrlEncoder.Decode(parts[1]).Replace("\"o1\"", "\"o2\"", StringComparison.Ordinal)) + "." + parts[2];

        PortkeyJwtResult result = await Tokens.Validator(clock: clock).ValidateAsync(forged);

        Assert.Equal(PortkeyJwtError.InvalidSignature, result.Error);
    }

    private static object Unwrap(object value) => value is System.Text.Json.JsonElement e
        ? e.ValueKind == System.Text.Json.JsonValueKind.Array ? e.EnumerateArray().Select(x => (object)x.GetString()!).ToList() : e.GetString()!
        : value;
}
