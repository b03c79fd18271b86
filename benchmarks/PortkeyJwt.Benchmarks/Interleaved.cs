using System.Diagnostics;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// <see cref="AnchorScaling"/>'s method for any number of cases: blocks of <c>callsPerBlock</c> calls, one block per case
/// in every round, the order rotated by one case each round (so no case always follows the same one), round after round
/// for a fixed time, after a warm-up. Interference on a shared VM only ever adds time, so each case's figure is the mean
/// of its fastest 5 % of blocks; ratios between cases measured in the same rounds share the VM's weather. Its block timer
/// and fastest-blocks mean serve every interleaved measurement (<see cref="InterleavedRatios"/>, <see cref="AnchorScaling"/>,
/// <see cref="DistinctTokens"/>).
/// </summary>
internal static class Interleaved
{
    /// <summary>The share of a case's blocks its time is read from: the fastest 5 %.</summary>
    public const double FastestShare = 0.05;

    /// <summary>Nanoseconds per call of each case (mean of its fastest blocks), and the rounds run.</summary>
    public static (double[] Ns, int Rounds) Measure(IReadOnlyList<Func<bool>> cases, int callsPerBlock, TimeSpan duration, TimeSpan warmUp)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < warmUp)
        {
            foreach (Func<bool> c in cases)
            {
                _ = Time(c, callsPerBlock);
            }
        }

        var blocks = cases.Select(_ => new List<double>()).ToArray();
        watch.Restart();
        int round = 0;
        for (; watch.Elapsed < duration || round < 20; round++)
        {
            for (int i = 0; i < cases.Count; i++)
            {
                int which = (i + round) % cases.Count;
                blocks[which].Add(Time(cases[which], callsPerBlock));
            }
        }

        return ([.. blocks.Select(FastestMean)], round);
    }

    /// <summary>Nanoseconds per call over <paramref name="calls"/> calls of <paramref name="call"/>, each of which must return true.</summary>
    public static double Time(Func<bool> call, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++)
        {
            if (!call())
            {
                throw new InvalidOperationException("an interleaved case failed");
            }
        }

        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls;
    }

    /// <summary>The mean of the fastest <see cref="FastestShare"/> of <paramref name="blocks"/> (at least one).</summary>
    public static double FastestMean(List<double> blocks) =>
        blocks.Order().Take(Math.Max(1, (int)(blocks.Count * FastestShare))).Average();
}
