using System.Security.Cryptography;

namespace PortkeyJwt.Internal;

/// <summary>
/// One public key from a JWKS, imported once into an <see cref="RSA"/> or <see cref="ECDsa"/> object when the set is loaded.
/// Immutable; shared by every validation that names its <c>kid</c>.
/// </summary>
/// <remarks>
/// The key objects are never disposed explicitly: a snapshot that is swapped out may still be in use by a validation on
/// another thread, and the native handles are released by their finalizers once nothing references the snapshot.
/// Rotations are rare, so this costs nothing measurable and removes a whole class of use-after-dispose races.
/// </remarks>
internal sealed class VerificationKey
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ecdsa;
    private volatile bool _revoked;

    private VerificationKey(string keyId, KeyFamily family, string? curve, JwsAlgorithm algorithm, int keySizeBits, int signatureLength, byte[] material, RSA? rsa, ECDsa? ecdsa)
    {
        KeyId = keyId;
        Family = family;
        Curve = curve;
        Algorithm = algorithm;
        KeySizeBits = keySizeBits;
        SignatureLength = signatureLength;
        Material = material;
        _rsa = rsa;
        _ecdsa = ecdsa;
    }

    public string KeyId { get; }

    public KeyFamily Family { get; }

    /// <summary>"P-256", "P-384" or "P-521" for EC keys; null for RSA.</summary>
    public string? Curve { get; }

    /// <summary>The JWK's own <c>alg</c>, or <see cref="JwsAlgorithm.None"/> when the JWK does not restrict it.</summary>
    public JwsAlgorithm Algorithm { get; }

    /// <summary>Modulus bits for RSA; the curve's field size for EC.</summary>
    public int KeySizeBits { get; }

    /// <summary>The exact signature length this key produces: the modulus length (RSA) or twice the field length (ECDSA, r‖s).</summary>
    public int SignatureLength { get; }

    /// <summary>The public key material (n‖e or crv‖x‖y), used to tell a harmless duplicate from an ambiguous one.</summary>
    public byte[] Material { get; }

    /// <summary>
    /// True once a provider stopped serving this key: the validated-token cache then never answers with what it verified,
    /// and gives those entries' slots to new tokens.
    /// </summary>
    public bool IsRevoked => _revoked;

    /// <summary>Marks the key as no longer served (idempotent, permanent).</summary>
    public void Revoke() => _revoked = true;

    public static VerificationKey FromRsa(string keyId, JwsAlgorithm algorithm, byte[] modulus, byte[] exponent)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = exponent });
        }
        catch
        {
            rsa.Dispose();
            throw;
        }

        return new VerificationKey(keyId, KeyFamily.Rsa, null, algorithm, ModulusBits(modulus), modulus.Length, RsaMaterial(modulus, exponent), rsa, null);
    }

    public static VerificationKey FromEc(string keyId, JwsAlgorithm algorithm, string curve, byte[] x, byte[] y)
    {
        ECCurve named = curve switch
        {
            "P-256" => ECCurve.NamedCurves.nistP256,
            "P-384" => ECCurve.NamedCurves.nistP384,
            _ => ECCurve.NamedCurves.nistP521,
        };

        // ECDsa.Create(ECParameters) validates the parameters and rejects a point that is not on the curve.
        ECDsa ecdsa = ECDsa.Create(new ECParameters { Curve = named, Q = new ECPoint { X = x, Y = y } });
        int bits = curve switch { "P-256" => 256, "P-384" => 384, _ => 521 };
        return new VerificationKey(keyId, KeyFamily.EllipticCurve, curve, algorithm, bits, 2 * x.Length, EcMaterial(curve, x, y), null, ecdsa);
    }

    public static byte[] RsaMaterial(byte[] modulus, byte[] exponent) => [.. modulus, .. exponent];

    public static byte[] EcMaterial(string curve, byte[] x, byte[] y) => [.. System.Text.Encoding.ASCII.GetBytes(curve), .. x, .. y];

    /// <summary>Whether this key is exactly the one described (same kid, algorithm restriction and material), so it can be reused.</summary>
    public bool IsSameAs(string keyId, JwsAlgorithm algorithm, byte[] material) =>
        KeyId == keyId && Algorithm == algorithm && Material.AsSpan().SequenceEqual(material);

    /// <summary>The bit length of a big-endian modulus whose first octet is not zero.</summary>
    public static int ModulusBits(ReadOnlySpan<byte> modulus) =>
        (modulus.Length * 8) - System.Numerics.BitOperations.LeadingZeroCount((uint)modulus[0]) + 24;

    /// <summary>
    /// Whether this key may verify a token signed with <paramref name="algorithm"/>: the key type matches the algorithm
    /// family, the curve matches an ECDSA algorithm, the JWK's own <c>alg</c> (when present) equals the token's, and an
    /// RSA modulus has at least <paramref name="minimumRsaBits"/> bits.
    /// </summary>
    public bool IsUsableFor(JwsAlgorithm algorithm, int minimumRsaBits)
    {
        if (Algorithm != JwsAlgorithm.None && Algorithm != algorithm)
        {
            return false;
        }

        return algorithm.Family() == KeyFamily.Rsa
            ? Family == KeyFamily.Rsa && KeySizeBits >= minimumRsaBits
            : Family == KeyFamily.EllipticCurve && string.Equals(Curve, algorithm.RequiredCurve(), StringComparison.Ordinal);
    }

    /// <summary>Verifies a JWS signature over <paramref name="signingInput"/>. Never throws for any signature bytes.</summary>
    public bool Verify(JwsAlgorithm algorithm, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength)
        {
            return false;
        }

        return _rsa is not null
            ? _rsa.VerifyData(signingInput, signature, algorithm.Hash(), algorithm.RsaPadding())
            : _ecdsa!.VerifyData(signingInput, signature, algorithm.Hash(), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
