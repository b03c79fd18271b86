using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace PortkeyJwt.Cli.Tests.Support;

/// <summary>Keys generated once per test run, and the Portkey-shaped claims tokens carry.</summary>
internal static class TestKeys
{
    public const string Issuer = "https://auth.example";

    private static readonly RSA RsaKey = RSA.Create(2048);
    private static readonly RSA OtherRsaKey = RSA.Create(2048);
    private static readonly ECDsa EcKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>RS256, kid "k1".</summary>
    public static TestTokenSigner Rs256 { get; } = new(RsaKey, "k1", "RS256");

    /// <summary>PS256 over the same RSA key, kid "k1-pss" (a JWK with alg PS256).</summary>
    public static TestTokenSigner Ps256 { get; } = new(RsaKey, "k1-pss", "PS256");

    /// <summary>ES256, kid "ec1".</summary>
    public static TestTokenSigner Es256 { get; } = new(EcKey, "ec1", "ES256");

    /// <summary>RS256 with a different key, kid "k2": for rotation.</summary>
    public static TestTokenSigner Rotated { get; } = new(OtherRsaKey, "k2", "RS256");

    /// <summary>A JWKS with every signer above except <see cref="Rotated"/>.</summary>
    public static string Jwks => TestTokenSigner.Jwks(Rs256, Ps256, Es256);

    /// <summary>Valid claims at <paramref name="now"/>, expiring ten minutes later.</summary>
    public static JsonObject Claims(DateTimeOffset now) => new()
    {
        ["iss"] = Issuer,
        ["portkey_oid"] = "org-7c1e",
        ["portkey_workspace"] = "ws-prod",
        ["scope"] = "completions.write logs.view",
        ["email_id"] = "ada@example.com",
        ["iat"] = now.ToUnixTimeSeconds(),
        ["exp"] = now.AddMinutes(10).ToUnixTimeSeconds(),
    };

    public static JsonObject Claims() => Claims(CliRunner.Now);

    /// <summary>The claims of a compact token, decoded without verification.</summary>
    public static JsonObject Payload(string token) =>
        JsonNode.Parse(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Split('.')[1])))!.AsObject();

    /// <summary>The token with one signature character changed.</summary>
    public static string Tampered(string token) =>
        token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];
}
