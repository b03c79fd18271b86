using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PortkeyJwt.Tests.Support;

/// <summary>A signing key generated for a test, with its public JWK and a hand-rolled JWS signer.</summary>
internal sealed class TestKey
{
    private static readonly Lazy<TestKey> SharedRsa = new(() => Rsa("test-rsa-2048"));

    private TestKey(string kid, string algorithm, AsymmetricAlgorithm key)
    {
        Kid = kid;
        Algorithm = algorithm;
        Key = key;
    }

    /// <summary>One RSA-2048 key shared by tests that do not care which key they use (generation takes tens of ms).</summary>
    public static TestKey Default => SharedRsa.Value;

    public string Kid { get; }

    /// <summary>The JWS algorithm this key signs with by default.</summary>
    public string Algorithm { get; }

    public AsymmetricAlgorithm Key { get; }

    public static TestKey Rsa(string kid, int bits = 2048, string algorithm = "RS256") => new(kid, algorithm, System.Security.Cryptography.RSA.Create(bits));

    public static TestKey Ec(string kid, string algorithm = "ES256")
    {
        ECCurve curve = algorithm switch
        {
            "ES256" => ECCurve.NamedCurves.nistP256,
            "ES384" => ECCurve.NamedCurves.nistP384,
            _ => ECCurve.NamedCurves.nistP521,
        };
        return new(kid, algorithm, ECDsa.Create(curve));
    }

    /// <summary>The public JWK; <paramref name="extra"/> members are added or replace the defaults (null removes one).</summary>
    public JsonObject PublicJwk(IReadOnlyDictionary<string, JsonNode?>? extra = null)
    {
        JsonObject jwk;
        if (Key is RSA rsa)
        {
            RSAParameters p = rsa.ExportParameters(false);
            jwk = new JsonObject { ["kty"] = "RSA", ["kid"] = Kid, ["use"] = "sig", ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) };
        }
        else
        {
            ECParameters p = ((ECDsa)Key).ExportParameters(false);
            string crv = p.Q.X!.Length switch { 32 => "P-256", 48 => "P-384", _ => "P-521" };
            jwk = new JsonObject { ["kty"] = "EC", ["kid"] = Kid, ["use"] = "sig", ["crv"] = crv, ["x"] = B64(p.Q.X!), ["y"] = B64(p.Q.Y!) };
        }

        foreach ((string name, JsonNode? value) in extra ?? new Dictionary<string, JsonNode?>())
        {
            if (value is null)
            {
                jwk.Remove(name);
            }
            else
            {
                jwk[name] = value.DeepClone();
            }
        }

        return jwk;
    }

    /// <summary>A JWKS document holding the given keys' public JWKs.</summary>
    public static string Jwks(params TestKey[] keys) => Jwks(keys.Select(k => (JsonNode)k.PublicJwk()).ToArray());

    public static string Jwks(params JsonNode[] jwks) => new JsonObject { ["keys"] = new JsonArray(jwks.Select(j => j.DeepClone()).ToArray()) }.ToJsonString();

    /// <summary>Signs <paramref name="signingInput"/> (ASCII) with this key and <paramref name="algorithm"/>, JWS-style.</summary>
    public byte[] Sign(string algorithm, byte[] signingInput)
    {
        HashAlgorithmName hash = algorithm[2..] switch { "256" => HashAlgorithmName.SHA256, "384" => HashAlgorithmName.SHA384, _ => HashAlgorithmName.SHA512 };
        return Key switch
        {
            RSA rsa => rsa.SignData(signingInput, hash, algorithm.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
            ECDsa ec => ec.SignData(signingInput, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            _ => throw new InvalidOperationException(),
        };
    }

    /// <summary>A compact JWS over raw header and payload JSON text (no re-serialisation: bytes are exactly these).</summary>
    public string SignRaw(string headerJson, string payloadJson, string? algorithm = null)
    {
        string signingInput = B64(Encoding.UTF8.GetBytes(headerJson)) + "." + B64(Encoding.UTF8.GetBytes(payloadJson));
        return signingInput + "." + B64(Sign(algorithm ?? Algorithm, Encoding.ASCII.GetBytes(signingInput)));
    }

    public static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));
}
