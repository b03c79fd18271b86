// Run (full length): dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --filter '*ThroughputBenchmarks*'
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// The same number of operations on one thread and split over two: one shared validator must scale with cores (no locks,
/// no shared mutable state on the hot path). The raw RSA verification runs the same way, because how far the floor itself
/// scales depends on the machine (on a VM whose two vCPUs share a physical core it barely does). These two cases are
/// reported; the gate's scaling check is <see cref="PairedScaling"/>, which interleaves the same work round by round.
/// </summary>
[MemoryDiagnoser]
public class ThroughputBenchmarks
{
    private const int Operations = 256;

    private BenchmarkTokens _tokens = null!;
    private PortkeyJwtValidator _validator = null!;
    private RSA _rsa = null!;

    [Params("RawRsaVerify", "Validate")]
    public string Work { get; set; } = "Validate";

    [GlobalSetup]
    public void Setup()
    {
        _tokens = new BenchmarkTokens();
        _rsa = (RSA)_tokens.Key;
        _validator = new PortkeyJwtValidator(JwksKeyProvider.FromJson(_tokens.Jwks), new PortkeyJwtOptions { ValidationCache = false });
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public int OneThread() => Run(Operations);

    [Benchmark(OperationsPerInvoke = Operations)]
    public int TwoThreads()
    {
        int other = 0;
        var thread = new Thread(() => other = Run(Operations / 2));
        thread.Start();
        int mine = Run(Operations / 2);
        thread.Join();
        return mine + other;
    }

    /// <summary>One raw RSA verification of the token (the floor).</summary>
    internal bool FloorOnce() => _rsa.VerifyData(_tokens.SigningInput, _tokens.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    /// <summary>One full validation of the token, cache off.</summary>
    internal bool ValidateOnce() => ValidationBenchmarks.Sync(_validator.ValidateAsync(_tokens.Valid)).IsValid;

    private int Run(int count)
    {
        int ok = 0;
        bool validate = Work == "Validate";
        for (int i = 0; i < count; i++)
        {
            ok += (validate ? ValidateOnce() : FloorOnce()) ? 1 : 0;
        }

        return ok;
    }
}
