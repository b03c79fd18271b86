using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PortkeyJwt.TestKit.Internal;

/// <summary>One private signing key of the test identity provider: its public JWK and a JWS signer. Disposed with the provider.</summary>
internal sealed class SigningKey : IDisposable
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ec;

    private SigningKey(string kid, string algorithm, RSA? rsa, ECDsa? ec)
    {
        KeyId = kid;
        Algorithm = algorithm;
        _rsa = rsa;
        _ec = ec;
    }

    public string KeyId { get; }

    /// <summary><c>RS256</c> or <c>ES256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>A new key: RSA 2048-bit for <c>RS256</c>, P-256 for <c>ES256</c>.</summary>
    public static SigningKey Create(string kid, string algorithm) => algorithm switch
    {
        "RS256" => new SigningKey(kid, algorithm, RSA.Create(2048), null),
        "ES256" => new SigningKey(kid, algorithm, null, ECDsa.Create(ECCurve.NamedCurves.nistP256)),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "The test identity provider signs with RS256 or ES256."),
    };

    /// <summary>The public JWK: <c>kid</c>, <c>use</c> sig, <c>alg</c>, and the public parameters only.</summary>
    public JsonObject PublicJwk()
    {
        if (_rsa is not null)
        {
            RSAParameters p = _rsa.ExportParameters(includePrivateParameters: false);
            return new JsonObject { ["kty"] = "RSA", ["kid"] = KeyId, ["use"] = "sig", ["alg"] = Algorithm, ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) };
        }

        ECParameters q = _ec!.ExportParameters(includePrivateParameters: false);
        return new JsonObject { ["kty"] = "EC", ["kid"] = KeyId, ["use"] = "sig", ["alg"] = Algorithm, ["crv"] = "P-256", ["x"] = B64(q.Q.X!), ["y"] = B64(q.Q.Y!) };
    }

    /// <summary>A compact JWS of <paramref name="payload"/> with header <c>{"alg","typ":"JWT","kid"}</c>.</summary>
    public string Sign(JsonObject payload)
    {
        var header = new JsonObject { ["alg"] = Algorithm, ["typ"] = "JWT", ["kid"] = KeyId };
        string signingInput = B64(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + B64(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        byte[] data = Encoding.ASCII.GetBytes(signingInput);
        byte[] signature = _rsa is not null
            ? _rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : _ec!.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + B64(signature);
    }

    public void Dispose()
    {
        _rsa?.Dispose();
        _ec?.Dispose();
    }

    private static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);
}
