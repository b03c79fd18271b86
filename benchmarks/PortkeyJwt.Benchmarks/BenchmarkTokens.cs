using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PortkeyJwt.Benchmarks;

/// <summary>Keys and tokens shared by the benchmarks: a realistic ~800-character Portkey token and its variants.</summary>
internal sealed class BenchmarkTokens
{
    public const string Issuer = "https://auth.portkey.example";

    /// <summary>The organisation every token asserts (its <c>portkey_oid</c>).</summary>
    public const string Organisation = "3f2a9c1e-7b4d-4e8f-a1c2-9d0e5b6f7a8c";

    private readonly JsonObject _claims;

    public BenchmarkTokens(int rsaBits = 2048, string algorithm = "RS256", int extraScopes = 0, JsonObject? extraClaims = null)
    {
        Algorithm = algorithm;
        Key = algorithm.StartsWith("ES", StringComparison.Ordinal) ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(rsaBits);
        Jwks = new JsonObject { ["keys"] = new JsonArray(PublicJwk()) }.ToJsonString();
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        JsonObject claims = new()
        {
            ["iss"] = Issuer,
            ["aud"] = "portkey-gateway",
            ["sub"] = "auth0|6571d2c3f0a9b1e2d3c4b5a6",
            ["email_id"] = "ada.lovelace@analytical-engines.example",
            ["portkey_oid"] = Organisation,
            ["portkey_workspace"] = "production-eu-west",
            ["scope"] = string.Join(' ', ["completions.write", "portkey.logs.view", "prompts.read", "virtual_keys.list", .. Enumerable.Range(0, extraScopes).Select(i => $"portkey.extra.scope.number-{i}")]),
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 3600,
            ["jti"] = "b7e1c0de-4a2f-4c11-9e3d-0f6a1b2c3d4e",
        };
        foreach ((string name, JsonNode? value) in extraClaims ?? [])
        {
            claims[name] = value?.DeepClone();
        }

        _claims = claims;
        Valid = Sign(claims);
        Expired = Sign(claims.DeepClone().AsObject().Apply("exp", now - 3600));
        string[] parts = Valid.Split('.');
        byte[] sig = Base64Url.DecodeFromChars(parts[2]);
        sig[^1] ^= 1;
        BadSignature = parts[0] + "." + parts[1] + "." + Base64Url.EncodeToString(sig);
        BadSignatureBytes = sig;
        UnknownKid = Sign(claims, kid: "rotated-away");
        LacksScope = Sign(claims.DeepClone().AsObject().Apply("scope", "logs.view prompts.read"));
        SigningInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        Signature = Base64Url.DecodeFromChars(parts[2]);
    }

    public string Algorithm { get; }

    /// <summary>
    /// <paramref name="count"/> tokens that each name a different unknown kid (a random-kid flood); only the header
    /// differs from <see cref="Valid"/>, since an unknown kid is rejected before the payload or signature is read.
    /// </summary>
    public string[] WithUnknownKids(int count)
    {
        string rest = Valid[Valid.IndexOf('.', StringComparison.Ordinal)..];
        return [.. Enumerable.Range(0, count).Select(i =>
            Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"{{Algorithm}}","typ":"JWT","kid":"flood-{{i:x8}}"}""")) + rest)];
    }

    /// <summary>
    /// <paramref name="count"/> tokens that each name a different issuer no anchor trusts (an unknown-issuer flood), about as long
    /// as <see cref="Valid"/>; only the payload differs from it, since an unknown issuer is rejected before the signature is read.
    /// </summary>
    public string[] WithUnknownIssuers(int count)
    {
        string header = Valid[..Valid.IndexOf('.', StringComparison.Ordinal)];
        string signature = Valid[Valid.LastIndexOf('.')..];
        return [.. Enumerable.Range(0, count).Select(i =>
            header + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(_claims.DeepClone().AsObject().Apply("iss", $"https://flood-{i:x8}.example").ToJsonString())) + signature)];
    }

    public AsymmetricAlgorithm Key { get; }

    public string Kid => "bench-key";

    public string Jwks { get; }

    public string Valid { get; }

    public string Expired { get; }

    public string BadSignature { get; }

    public string UnknownKid { get; }

    /// <summary>A valid token without <c>completions.write</c>.</summary>
    public string LacksScope { get; }

    public byte[] SigningInput { get; }

    public byte[] Signature { get; }

    /// <summary><see cref="BadSignature"/>'s signature, decoded (over <see cref="SigningInput"/>, like the valid one).</summary>
    public byte[] BadSignatureBytes { get; }

    private JsonObject PublicJwk()
    {
        if (Key is RSA rsa)
        {
            RSAParameters p = rsa.ExportParameters(false);
            return new JsonObject { ["kty"] = "RSA", ["kid"] = Kid, ["use"] = "sig", ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent) };
        }

        ECParameters q = ((ECDsa)Key).ExportParameters(false);
        return new JsonObject { ["kty"] = "EC", ["kid"] = Kid, ["use"] = "sig", ["crv"] = "P-256", ["x"] = Base64Url.EncodeToString(q.Q.X), ["y"] = Base64Url.EncodeToString(q.Q.Y) };
    }

    private string Sign(JsonObject claims, string? kid = null)
    {
        string header = new JsonObject { ["alg"] = Algorithm, ["typ"] = "JWT", ["kid"] = kid ?? Kid }.ToJsonString();
        string input = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        byte[] data = Encoding.ASCII.GetBytes(input);
        HashAlgorithmName hash = HashAlgorithmName.SHA256; // RS256, PS256 and ES256 all hash with SHA-256
        byte[] signature = Key is RSA rsa
            ? rsa.SignData(data, hash, Algorithm.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1)
            : ((ECDsa)Key).SignData(data, hash);
        return input + "." + Base64Url.EncodeToString(signature);
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Apply(this JsonObject o, string name, JsonNode? value)
    {
        o[name] = value;
        return o;
    }
}
