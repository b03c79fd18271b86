using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace PortkeyJwt.Fuzz;

/// <summary>
/// The input is a JOSE header and a claim set as raw JSON, <c>header NUL payload</c> (a NUL byte never occurs in JSON),
/// or a payload alone under <see cref="DefaultHeader"/>. The harness signs them with keys it generates at start-up
/// (never stored) and validates the result through the full public path over those keys' JWKS, so the fuzzer reaches
/// the header and claim rules that a token without a valid signature never gets to.
/// </summary>
internal sealed class SignedTarget : IFuzzTarget
{
    /// <summary>The header used when the input holds no NUL byte.</summary>
    public const string DefaultHeader = """{"alg":"ES256","typ":"JWT","kid":"fuzz-ec256"}""";

    private static readonly byte[] DefaultHeaderBytes = Encoding.UTF8.GetBytes(DefaultHeader);

    private readonly SigningKeys _keys = SigningKeys.Generate();
    private readonly TokenOracle _oracle;

    /// <summary>
    /// Signing RSA costs a millisecond, ECDSA a tenth of that, so the default header is ES256 and the strict validator
    /// (otherwise the library's defaults, validation cache included) accepts ES256 as well as RS256.
    /// </summary>
    public SignedTarget()
    {
        PortkeyJwtOptions strict = HarnessData.StrictOptions();
        strict.AllowedAlgorithms = ["RS256", "ES256"];
        _oracle = new TokenOracle(_keys.PublicJwks(), FixedClock.AtSeedTime, strict);
    }

    public string? Run(ReadOnlySpan<byte> input, bool describe = false)
    {
        var results = _oracle.Check(Sign(input));
        return describe ? TokenOracle.Describe(results) : null;
    }

    public void WarmUp()
    {
        string claims = SeedCorpus.ValidClaims().ToJsonString();
        Checks.Require(_oracle.Check(Sign(Encoding.UTF8.GetBytes(claims))).Broad.IsValid, "valid claims signed by the harness do not validate");
        _oracle.Check(Sign("{}"u8));
    }

    /// <summary>The compact token for <paramref name="input"/>: header and payload as given, signed with the algorithm the header names.</summary>
    public string Sign(ReadOnlySpan<byte> input)
    {
        int nul = input.IndexOf((byte)0);
        ReadOnlySpan<byte> header = nul < 0 ? DefaultHeaderBytes : input[..nul];
        ReadOnlySpan<byte> payload = nul < 0 ? input : input[(nul + 1)..];
        string signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payload);
        byte[] signature = _keys.Sign(header, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }
}

/// <summary>One key per supported family and curve, kids as in the harness JWKS; generated per process.</summary>
internal sealed class SigningKeys
{
    private static readonly string[] AlgorithmNames = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];
    private static readonly byte[][] AlgorithmBytes = [.. AlgorithmNames.Select(Encoding.ASCII.GetBytes)];

    private SigningKeys(RSA rsa, ECDsa ec256, ECDsa ec384, ECDsa ec521)
    {
        Rsa = rsa;
        Ec256 = ec256;
        Ec384 = ec384;
        Ec521 = ec521;
    }

    public RSA Rsa { get; }

    public ECDsa Ec256 { get; }

    public ECDsa Ec384 { get; }

    public ECDsa Ec521 { get; }

    public static SigningKeys Generate() => new(
        RSA.Create(2048),
        ECDsa.Create(ECCurve.NamedCurves.nistP256),
        ECDsa.Create(ECCurve.NamedCurves.nistP384),
        ECDsa.Create(ECCurve.NamedCurves.nistP521));

    /// <summary>The public JWKS: RSA-2048 and the three curves, kids from <see cref="HarnessData"/>, <c>use</c> sig.</summary>
    public string PublicJwks()
    {
        RSAParameters rsa = Rsa.ExportParameters(false);
        string[] keys =
        [
            $$"""{"kty":"RSA","kid":"{{HarnessData.RsaKid}}","use":"sig","n":"{{B64(rsa.Modulus!)}}","e":"{{B64(rsa.Exponent!)}}"}""",
            EcJwk(Ec256, HarnessData.Ec256Kid, "P-256"),
            EcJwk(Ec384, HarnessData.Ec384Kid, "P-384"),
            EcJwk(Ec521, HarnessData.Ec521Kid, "P-521"),
        ];
        return $$"""{"keys":[{{string.Join(",\n  ", keys)}}]}""";
    }

    /// <summary>
    /// Signs with the first supported algorithm name found in <paramref name="header"/> (ES256 when none is), so mutated
    /// headers still carry signatures their keys verify.
    /// </summary>
    public byte[] Sign(ReadOnlySpan<byte> header, byte[] signingInput) => Sign(NamedAlgorithm(header), signingInput);

    public byte[] Sign(string algorithm, byte[] signingInput)
    {
        HashAlgorithmName hash = algorithm[2..] switch
        {
            "256" => HashAlgorithmName.SHA256,
            "384" => HashAlgorithmName.SHA384,
            _ => HashAlgorithmName.SHA512,
        };
        return algorithm switch
        {
            "ES256" => Ec256.SignData(signingInput, hash),
            "ES384" => Ec384.SignData(signingInput, hash),
            "ES512" => Ec521.SignData(signingInput, hash),
            _ => Rsa.SignData(signingInput, hash, algorithm[0] == 'P' ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
        };
    }

    private static string NamedAlgorithm(ReadOnlySpan<byte> header)
    {
        string chosen = "ES256";
        int first = int.MaxValue;
        for (int k = 0; k < AlgorithmNames.Length; k++)
        {
            int at = header.IndexOf(AlgorithmBytes[k]);
            if (at >= 0 && at < first)
            {
                (chosen, first) = (AlgorithmNames[k], at);
            }
        }

        return chosen;
    }

    private static string EcJwk(ECDsa key, string kid, string curve)
    {
        ECParameters p = key.ExportParameters(false);
        return $$"""{"kty":"EC","kid":"{{kid}}","use":"sig","crv":"{{curve}}","x":"{{B64(p.Q.X!)}}","y":"{{B64(p.Q.Y!)}}"}""";
    }

    private static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);
}
