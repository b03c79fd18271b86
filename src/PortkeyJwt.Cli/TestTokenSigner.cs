using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PortkeyJwt.Cli;

/// <summary>Mints compact JWS tokens with a local key, for the demo and the sign command. Not for production issuance.</summary>
internal sealed class TestTokenSigner
{
    public TestTokenSigner(AsymmetricAlgorithm key, string kid, string algorithm)
    {
        Key = key;
        Kid = kid;
        Algorithm = algorithm;
    }

    public AsymmetricAlgorithm Key { get; }

    public string Kid { get; }

    public string Algorithm { get; }

    /// <summary>The public JWK (no private members).</summary>
    public JsonObject PublicJwk()
    {
        if (Key is RSA rsa)
        {
            RSAParameters p = rsa.ExportParameters(false);
            return new JsonObject { ["kty"] = "RSA", ["kid"] = Kid, ["use"] = "sig", ["alg"] = Algorithm, ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) };
        }

        ECParameters q = ((ECDsa)Key).ExportParameters(false);
        string crv = q.Q.X!.Length switch { 32 => "P-256", 48 => "P-384", _ => "P-521" };
        return new JsonObject { ["kty"] = "EC", ["kid"] = Kid, ["use"] = "sig", ["alg"] = Algorithm, ["crv"] = crv, ["x"] = B64(q.Q.X!), ["y"] = B64(q.Q.Y!) };
    }

    public static string Jwks(params TestTokenSigner[] signers) =>
        new JsonObject { ["keys"] = new JsonArray([.. signers.Select(s => (JsonNode)s.PublicJwk())]) }.ToJsonString();

    /// <summary>Signs a token; the header is alg/typ/kid unless <paramref name="header"/> is given.</summary>
    public string Sign(JsonObject claims, JsonObject? header = null)
    {
        header ??= new JsonObject { ["alg"] = Algorithm, ["typ"] = "JWT", ["kid"] = Kid };
        string signingInput = B64(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + B64(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        byte[] data = Encoding.ASCII.GetBytes(signingInput);
        HashAlgorithmName hash = Algorithm[2..] switch { "256" => HashAlgorithmName.SHA256, "384" => HashAlgorithmName.SHA384, _ => HashAlgorithmName.SHA512 };
        byte[] signature = Key is RSA rsa
            ? rsa.SignData(data, hash, Algorithm.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1)
            : ((ECDsa)Key).SignData(data, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + B64(signature);
    }

    public static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);
}
