using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace PortkeyJwt.AspNetCore.Tests.Support;

/// <summary>An EC P-256 signing key made for a test, with its public JWK and a hand-rolled ES256 signer (copied in spirit from the core tests).</summary>
internal sealed class TestKey
{
    private static readonly Lazy<TestKey> Shared = new(() => new TestKey("gateway-key"));

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestKey(string kid) => Kid = kid;

    /// <summary>One key shared by tests that do not care which key signs.</summary>
    public static TestKey Default => Shared.Value;

    public string Kid { get; }

    public JsonObject PublicJwk()
    {
        ECParameters p = _key.ExportParameters(false);
        return new JsonObject { ["kty"] = "EC", ["kid"] = Kid, ["use"] = "sig", ["crv"] = "P-256", ["x"] = B64(p.Q.X!), ["y"] = B64(p.Q.Y!) };
    }

    /// <summary>A JWKS document holding the given keys' public JWKs.</summary>
    public static string Jwks(params TestKey[] keys) =>
        new JsonObject { ["keys"] = new JsonArray([.. keys.Select(k => (JsonNode)k.PublicJwk())]) }.ToJsonString();

    /// <summary>A compact ES256 JWS over exactly these header and payload JSON texts.</summary>
    public string SignRaw(string headerJson, string payloadJson)
    {
        string signingInput = B64(Encoding.UTF8.GetBytes(headerJson)) + "." + B64(Encoding.UTF8.GetBytes(payloadJson));
        byte[] signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + B64(signature);
    }

    private static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);
}
