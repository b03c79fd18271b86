// Run (full length): dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --filter '*KeyAndAlgorithmBenchmarks*'
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace PortkeyJwt.Benchmarks;

/// <summary>A valid token (cache off) against its own raw verification floor, per RSA key size and per opted-in algorithm.</summary>
[MemoryDiagnoser]
public class KeyAndAlgorithmBenchmarks
{
    private static readonly string[] RequiredScopes = ["completions.write"];

    private BenchmarkTokens _tokens = null!;
    private PortkeyJwtValidator _validator = null!;

    [Params("RS256-2048", "RS256-3072", "RS256-4096", "PS256-2048", "ES256-P256")]
    public string Key { get; set; } = "RS256-2048";

    [GlobalSetup]
    public void Setup()
    {
        string algorithm = Key[..5];
        int bits = algorithm == "ES256" ? 256 : int.Parse(Key[6..], System.Globalization.CultureInfo.InvariantCulture);
        _tokens = new BenchmarkTokens(bits, algorithm);
        _validator = new PortkeyJwtValidator(
            JwksKeyProvider.FromJson(_tokens.Jwks),
            new PortkeyJwtOptions { AllowedAlgorithms = [algorithm], ValidIssuers = [BenchmarkTokens.Issuer], ValidationCache = false });
        ValidationBenchmarks.Check(RawVerify() && Valid().IsValid, $"setup: {Key} does not validate");
    }

    [Benchmark(Baseline = true)]
    public bool RawVerify() => _tokens.Key switch
    {
        RSA rsa => rsa.VerifyData(_tokens.SigningInput, _tokens.Signature, HashAlgorithmName.SHA256, _tokens.Algorithm == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
        ECDsa ec => ec.VerifyData(_tokens.SigningInput, _tokens.Signature, HashAlgorithmName.SHA256),
        _ => false,
    };

    [Benchmark]
    public PortkeyJwtResult Valid() => ValidationBenchmarks.Sync(_validator.ValidateAsync(_tokens.Valid, RequiredScopes));
}
