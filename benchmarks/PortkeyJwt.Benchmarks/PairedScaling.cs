// Run: part of the CI gate (dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --ci).
using System.Diagnostics;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// The two-thread scaling check behind the gate. BenchmarkDotNet measures its cases one after another, and on the
/// 2-vCPU CI VM how far even the raw RSA verification scales changes from one minute to the next (1.3× to 2.3× across
/// runs of <see cref="ThroughputBenchmarks"/>; one CI run measured the floor at 2.30× and the validator at 1.28×
/// minutes apart). Comparing two speed-ups taken in different windows therefore fails at random. Here the four blocks
/// (floor on one thread, floor on two, validation on one, validation on two) run back to back in every round, so each
/// round's two speed-ups share one window, and the gate reads the median over the rounds of validation's speed-up divided
/// by the floor's. A validator that scales like the floor sits at 1.0 whatever the machine does (0.99–1.00 measured);
/// one serialised by a lock sits near 1 / (the floor's speed-up).
/// </summary>
internal static class PairedScaling
{
    private const int OperationsPerBlock = 256;

    /// <summary>Runs <paramref name="rounds"/> rounds after a warm-up and returns the medians.</summary>
    public static Result Measure(int rounds)
    {
        var setup = new ThroughputBenchmarks();
        setup.Setup();
        Func<bool> floor = setup.FloorOnce;
        Func<bool> validate = setup.ValidateOnce;

        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < TimeSpan.FromSeconds(2))
        {
            Round(floor, validate);
        }

        var floorSpeedUps = new double[rounds];
        var validationSpeedUps = new double[rounds];
        var relative = new double[rounds];
        for (int i = 0; i < rounds; i++)
        {
            (floorSpeedUps[i], validationSpeedUps[i]) = Round(floor, validate);
            relative[i] = validationSpeedUps[i] / floorSpeedUps[i];
        }

        return new Result(Median(floorSpeedUps), Median(validationSpeedUps), Median(relative), rounds);
    }

    private static (double Floor, double Validation) Round(Func<bool> floor, Func<bool> validate)
    {
        double floorOne = Block(floor, threads: 1);
        double floorTwo = Block(floor, threads: 2);
        double validateOne = Block(validate, threads: 1);
        double validateTwo = Block(validate, threads: 2);
        return (floorOne / floorTwo, validateOne / validateTwo);
    }

    /// <summary>The elapsed ticks of <see cref="OperationsPerBlock"/> operations on one thread or split over two.</summary>
    private static double Block(Func<bool> work, int threads)
    {
        long start = Stopwatch.GetTimestamp();
        if (threads == 1)
        {
            Run(work, OperationsPerBlock);
        }
        else
        {
            var other = new Thread(() => Run(work, OperationsPerBlock / 2));
            other.Start();
            Run(work, OperationsPerBlock / 2);
            other.Join();
        }

        return Stopwatch.GetTimestamp() - start;
    }

    private static void Run(Func<bool> work, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (!work())
            {
                throw new InvalidOperationException("the scaling check's operation failed");
            }
        }
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Median speed-ups of two threads over one, and the median of their per-round quotient.</summary>
    public sealed record Result(double FloorSpeedUp, double ValidationSpeedUp, double Relative, int Rounds);
}
