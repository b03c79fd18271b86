// Run (full length): dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --filter '*CapturedClaimsBenchmarks*'
// CI runs the short job and gates it: bash .ci/bench (see Gate.cs).
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// What capturing claims costs (<see cref="PortkeyJwtOptions.CapturedClaims"/>), cache off: one token carrying four
/// custom claims beyond the Portkey ones, validated without capturing any (the default path, which must not pay for
/// claims it does not read), capturing one, and capturing all four. The floor is the token's RSA verification.
/// </summary>
[MemoryDiagnoser]
public class CapturedClaimsBenchmarks
{
    /// <summary>The custom claims the token carries: a string, an array, a string array and an object.</summary>
    internal static readonly string[] Custom = ["tier", "team", "roles", "limits"];

    private BenchmarkTokens _tokens = null!;
    private RSA _rsa = null!;
    private PortkeyJwtValidator _none = null!;
    private PortkeyJwtValidator _one = null!;
    private PortkeyJwtValidator _four = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tokens = new BenchmarkTokens(extraClaims: new JsonObject
        {
            ["tier"] = "enterprise",
            ["team"] = new JsonArray("ml-platform", "inference"),
            ["roles"] = new JsonArray("admin", "billing"),
            ["limits"] = new JsonObject { ["rpm"] = 6000, ["models"] = new JsonArray("gpt-4o", "claude-sonnet") },
        });
        _rsa = (RSA)_tokens.Key;
        JwksKeyProvider keys = JwksKeyProvider.FromJson(_tokens.Jwks);
        _none = Validator(keys, []);
        _one = Validator(keys, Custom[..1]);
        _four = Validator(keys, Custom);
        ValidationBenchmarks.Check(NoneCaptured().Principal!.Claims.Count == 0 && OneCaptured().Principal!.Claims.Count == 1 && FourCaptured().Principal!.Claims.Count == 4, "setup: wrong captures");
    }

    /// <summary>The floor: RSA PKCS#1 v1.5 SHA-256 verification of the signing input, key already imported.</summary>
    [Benchmark(Baseline = true)]
    public bool RawRsaVerify() => _rsa.VerifyData(_tokens.SigningInput, _tokens.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    /// <summary>Nothing captured: the four custom claims are skipped by the syntax pass and never copied.</summary>
    [Benchmark]
    public PortkeyJwtResult NoneCaptured() => ValidationBenchmarks.Sync(_none.ValidateAsync(_tokens.Valid));

    [Benchmark]
    public PortkeyJwtResult OneCaptured() => ValidationBenchmarks.Sync(_one.ValidateAsync(_tokens.Valid));

    [Benchmark]
    public PortkeyJwtResult FourCaptured() => ValidationBenchmarks.Sync(_four.ValidateAsync(_tokens.Valid));

    private static PortkeyJwtValidator Validator(JwksKeyProvider keys, string[] captured) =>
        new(keys, new PortkeyJwtOptions { ValidIssuers = [BenchmarkTokens.Issuer], ValidationCache = false, CapturedClaims = captured });
}
