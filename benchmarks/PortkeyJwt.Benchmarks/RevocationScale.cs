// Run: part of the CI gate (dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --ci), or alone with -- --revocation.
using System.Diagnostics;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// A million revocation entries: the managed memory the list keeps per entry (<see cref="GC.GetTotalMemory(bool)"/> after a
/// full collection, before and after a <see cref="RevocationList.ReplaceAll"/>, the entries made beforehand and kept
/// alive so only what the list holds counts), and how long the full sync takes (the fastest of three, on a list already
/// holding a million entries, as a resync does), while another thread keeps validating against the old snapshot.
/// </summary>
internal static class RevocationScale
{
    public const int Entries = 1_000_000;

    public static Result Measure()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        Revocation[] entries = [.. RevocationBenchmarks.Make(Entries, now)];
        var list = new RevocationList();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        list.ReplaceAll(entries);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        long bytesPerEntry = (after - before) / Entries;

        // Validations keep being answered during a resync: a reader thread counts the checks it completes meanwhile.
        var tokens = new BenchmarkTokens();
        PortkeyPrincipal principal = new PortkeyJwtValidator(JwksKeyProvider.FromJson(tokens.Jwks)).ValidateAsync(tokens.Valid).AsTask().GetAwaiter().GetResult().Principal!;
        long nowMs = now.ToUnixTimeMilliseconds();
        double fastest = double.MaxValue;
        long checksDuringSync = 0;
        for (int round = 0; round < 3; round++)
        {
            using var stop = new CancellationTokenSource();
            long checks = 0;
            var reader = new Thread(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    if (list.Check(principal, nowMs) is null)
                    {
                        checks++;
                    }
                }
            });
            reader.Start();
            var watch = Stopwatch.StartNew();
            list.ReplaceAll(entries);
            watch.Stop();
            stop.Cancel();
            reader.Join();
            fastest = Math.Min(fastest, watch.Elapsed.TotalSeconds);
            checksDuringSync = Math.Max(checksDuringSync, checks);
        }

        GC.KeepAlive(entries);
        return new Result(bytesPerEntry, fastest, checksDuringSync, list.Count);
    }

    /// <summary>Bytes per entry, the fastest full sync in seconds, the checks a reader completed during it, and the entries in force.</summary>
    public sealed record Result(long BytesPerEntry, double SyncSeconds, long ChecksDuringSync, int Count);
}
