using System.Diagnostics;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// The pieces every interleaved measurement shares (<see cref="InterleavedRatios"/>, <see cref="AnchorScaling"/>,
/// <see cref="DistinctTokens"/>): a block of calls timed as one, and the mean of a case's fastest blocks, since on a shared
/// VM interference only ever adds time.
/// </summary>
internal static class InterleavedBlocks
{
    /// <summary>The share of a case's blocks its time is read from: the fastest 5 %.</summary>
    public const double FastestShare = 0.05;

    /// <summary>Nanoseconds per call over <paramref name="calls"/> calls of <paramref name="call"/>, each of which must return true.</summary>
    public static double Time(Func<bool> call, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++)
        {
            if (!call())
            {
                throw new InvalidOperationException("an interleaved case gave the wrong result");
            }
        }

        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls;
    }

    /// <summary>The mean of the fastest <see cref="FastestShare"/> of <paramref name="blocks"/> (at least one).</summary>
    public static double FastestMean(List<double> blocks) =>
        blocks.Order().Take(Math.Max(1, (int)(blocks.Count * FastestShare))).Average();
}
