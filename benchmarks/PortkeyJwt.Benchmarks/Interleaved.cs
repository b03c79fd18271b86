using System.Diagnostics;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// <see cref="AnchorScaling"/>'s method for any number of cases: blocks of <c>callsPerBlock</c> calls, one block per case
/// in every round, the order rotated by one case each round (so no case always follows the same one), round after round
/// for a fixed time, after a warm-up. Interference on a shared VM only ever adds time, so each case's figure is the mean
/// of its fastest 5 % of blocks; ratios between cases measured in the same rounds share the VM's weather.
/// </summary>
internal static class Interleaved
{
    private const double FastestShare = 0.05;

    /// <summary>Nanoseconds per call of each case (mean of its fastest blocks), and the rounds run.</summary>
    public static (double[] Ns, int Rounds) Measure(IReadOnlyList<Func<bool>> cases, int callsPerBlock, TimeSpan duration, TimeSpan warmUp)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < warmUp)
        {
            foreach (Func<bool> c in cases)
            {
                _ = Block(c, callsPerBlock);
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
                blocks[which].Add(Block(cases[which], callsPerBlock));
            }
        }

        return ([.. blocks.Select(b => b.Order().Take(Math.Max(1, (int)(b.Count * FastestShare))).Average())], round);
    }

    private static double Block(Func<bool> call, int count)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            if (!call())
            {
                throw new InvalidOperationException("an interleaved case failed");
            }
        }

        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / count;
    }
}
