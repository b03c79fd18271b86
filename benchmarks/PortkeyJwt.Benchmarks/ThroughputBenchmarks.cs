// Run (full length): dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --filter '*ThroughputBenchmarks*'
using BenchmarkDotNet.Attributes;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// The same number of validations (cache off) on one thread and split over two: one shared validator must scale with
/// cores (no locks, no shared mutable state on the hot path). The ratio TwoThreads / OneThread is the inverse speed-up.
/// </summary>
[MemoryDiagnoser]
public class ThroughputBenchmarks
{
    private const int Validations = 256;

    private BenchmarkTokens _tokens = null!;
    private PortkeyJwtValidator _validator = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tokens = new BenchmarkTokens();
        _validator = new PortkeyJwtValidator(JwksKeyProvider.FromJson(_tokens.Jwks), new PortkeyJwtOptions { ValidationCache = false });
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Validations)]
    public int OneThread() => Run(Validations);

    [Benchmark(OperationsPerInvoke = Validations)]
    public int TwoThreads()
    {
        var other = new Thread(() => Run(Validations / 2));
        other.Start();
        int valid = Run(Validations / 2);
        other.Join();
        return valid;
    }

    private int Run(int count)
    {
        int valid = 0;
        for (int i = 0; i < count; i++)
        {
            valid += ValidationBenchmarks.Sync(_validator.ValidateAsync(_tokens.Valid)).IsValid ? 1 : 0;
        }

        return valid;
    }
}
