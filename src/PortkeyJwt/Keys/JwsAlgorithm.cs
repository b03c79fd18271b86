using System.Security.Cryptography;

namespace PortkeyJwt.Internal;

/// <summary>The asymmetric JWS algorithms the validator can verify (RFC 7518 §3.3–3.5). HMAC and "none" are absent on purpose.</summary>
internal enum JwsAlgorithm : byte
{
    None = 0,
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    ES512,
}

/// <summary>A set of <see cref="JwsAlgorithm"/> values as one bit mask.</summary>
[Flags]
internal enum JwsAlgorithmSet : ushort
{
    Empty = 0,
}

internal enum KeyFamily : byte
{
    Rsa,
    EllipticCurve,
}

internal static class JwsAlgorithms
{
    /// <summary>The names of every algorithm the library can verify, in <see cref="JwsAlgorithm"/> order.</summary>
    public static readonly string[] SupportedNames = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    public static JwsAlgorithmSet Add(this JwsAlgorithmSet set, JwsAlgorithm algorithm) =>
        set | (JwsAlgorithmSet)(1 << (int)algorithm);

    public static bool Contains(this JwsAlgorithmSet set, JwsAlgorithm algorithm) =>
        algorithm != JwsAlgorithm.None && ((ushort)set & (1 << (int)algorithm)) != 0;

    /// <summary>Parses an algorithm name exactly (case-sensitive, as RFC 7515 §4.1.1 requires).</summary>
    public static JwsAlgorithm Parse(ReadOnlySpan<char> name)
    {
        for (int k = 0; k < SupportedNames.Length; k++)
        {
            if (name.SequenceEqual(SupportedNames[k]))
            {
                return (JwsAlgorithm)(k + 1);
            }
        }

        return JwsAlgorithm.None;
    }

    /// <summary>Parses a UTF-8 algorithm name exactly; every supported name is five ASCII bytes.</summary>
    public static JwsAlgorithm Parse(ReadOnlySpan<byte> utf8Name)
    {
        if (utf8Name.Length != 5)
        {
            return JwsAlgorithm.None;
        }

        // Family from the first two bytes, size from the last three: no transcoding, no search over the names.
        int family = (utf8Name[0], utf8Name[1]) switch
        {
            ((byte)'R', (byte)'S') => 0,
            ((byte)'P', (byte)'S') => 3,
            ((byte)'E', (byte)'S') => 6,
            _ => -1,
        };
        ReadOnlySpan<byte> size = utf8Name[2..];
        int bits = size.SequenceEqual("256"u8) ? 0 : size.SequenceEqual("384"u8) ? 1 : size.SequenceEqual("512"u8) ? 2 : -1;
        return family < 0 || bits < 0 ? JwsAlgorithm.None : (JwsAlgorithm)(family + bits + 1);
    }

    public static string Name(this JwsAlgorithm algorithm) => SupportedNames[(int)algorithm - 1];

    /// <summary>True for names that must never be accepted whatever the options say: "none" and every HMAC algorithm.</summary>
    public static bool IsForbidden(string name) =>
        name.Equals("none", StringComparison.OrdinalIgnoreCase) || name.StartsWith("HS", StringComparison.OrdinalIgnoreCase);

    public static KeyFamily Family(this JwsAlgorithm algorithm) =>
        algorithm >= JwsAlgorithm.ES256 ? KeyFamily.EllipticCurve : KeyFamily.Rsa;

    public static HashAlgorithmName Hash(this JwsAlgorithm algorithm) => algorithm switch
    {
        JwsAlgorithm.RS256 or JwsAlgorithm.PS256 or JwsAlgorithm.ES256 => HashAlgorithmName.SHA256,
        JwsAlgorithm.RS384 or JwsAlgorithm.PS384 or JwsAlgorithm.ES384 => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    public static RSASignaturePadding RsaPadding(this JwsAlgorithm algorithm) =>
        algorithm is JwsAlgorithm.PS256 or JwsAlgorithm.PS384 or JwsAlgorithm.PS512
            ? RSASignaturePadding.Pss
            : RSASignaturePadding.Pkcs1;

    /// <summary>The curve an ECDSA algorithm requires (RFC 7518 §3.4): ES256 → P-256, ES384 → P-384, ES512 → P-521.</summary>
    public static string? RequiredCurve(this JwsAlgorithm algorithm) => algorithm switch
    {
        JwsAlgorithm.ES256 => "P-256",
        JwsAlgorithm.ES384 => "P-384",
        JwsAlgorithm.ES512 => "P-521",
        _ => null,
    };
}
