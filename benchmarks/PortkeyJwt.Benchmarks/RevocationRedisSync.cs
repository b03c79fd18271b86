// Run: part of the CI gate (dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --ci), or alone with -- --revocation.
// Needs redis-server on PATH (.ci/run installs it).
using System.Diagnostics;
using PortkeyJwt.Redis;
using PortkeyJwt.Redis.Internal;
using PortkeyJwt.Testing;
using StackExchange.Redis;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// A gateway's full sync of 1,000,000 revocation entries through a real <c>redis-server</c> (no persistence, on
/// loopback): the record loaded in bulk (pipelined <c>ZADD</c>s of the members <see cref="RedisRevocationStore.RevokeAsync"/>
/// writes, then one real revocation so the version and change log exist), a first full sync that reads the record and
/// leaves a snapshot, one more revocation after it, then the timed full syncs as a restarted or reconnected gateway makes
/// them: read (snapshot plus the change since) and <see cref="RevocationList.ReplaceAll"/>, the fastest of three, while
/// another thread keeps checking against the previous snapshot (10,000 checks, then a 1 ms pause).
/// </summary>
internal static class RevocationRedisSync
{
    public const int Entries = RevocationScale.Entries;

    public static Result Measure() => MeasureAsync().GetAwaiter().GetResult();

    private static async Task<Result> MeasureAsync()
    {
        using RedisServer server = RedisServer.StartWithoutPersistence();
        await using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},syncTimeout=60000,asyncTimeout=60000");
        var store = new RedisRevocationStore(redis, "gate:");
        DateTimeOffset expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeSeconds());
        await LoadAsync(redis.GetDatabase(), store, expires);
        await store.RevokeAsync(Revocation.OrganisationIssuedBefore("org-gate", DateTimeOffset.UtcNow));

        RedisRevocationStore.SyncRead first = await store.ReadForSyncAsync(default);
        bool snapshotWritten = await store.TryWriteSnapshotAsync(first, default);
        await store.RevokeAsync(Revocation.Token("after-the-snapshot", expires));

        var list = new RevocationList();
        list.ReplaceAll(first.Entries);
        var tokens = new BenchmarkTokens();
        PortkeyPrincipal principal = new PortkeyJwtValidator(JwksKeyProvider.FromJson(tokens.Jwks)).ValidateAsync(tokens.Valid).AsTask().GetAwaiter().GetResult().Principal!;
        long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        double fastest = double.MaxValue;
        long checksDuringSync = 0;
        bool allFromSnapshot = true;
        for (int round = 0; round < 3; round++)
        {
            using var stop = new CancellationTokenSource();
            long checks = 0;
            var reader = new Thread(() =>
            {
                // Steady traffic, not a spinning core: on 2 vCPUs a spinning reader would take the core Redis itself needs.
                while (!stop.IsCancellationRequested)
                {
                    if (list.Check(principal, nowMs) is null && ++checks % 10_000 == 0)
                    {
                        Thread.Sleep(1);
                    }
                }
            });
            reader.Start();
            var watch = Stopwatch.StartNew();
            RedisRevocationStore.SyncRead read = await store.ReadForSyncAsync(default);
            list.ReplaceAll(read.Entries);
            watch.Stop();
            stop.Cancel();
            reader.Join();
            allFromSnapshot &= read.FromSnapshot;
            fastest = Math.Min(fastest, watch.Elapsed.TotalSeconds);
            checksDuringSync = Math.Max(checksDuringSync, checks);
        }

        long snapshotBytes = await redis.GetDatabase().StringLengthAsync(store.SnapshotKey);
        return new Result(first.Entries.Count, snapshotWritten && allFromSnapshot, snapshotBytes, fastest, checksDuringSync, list.Count);
    }

    /// <summary>Writes <see cref="Entries"/> token entries (half of them for an issuer) straight into the record's sorted set, 10,000 a command, eight in flight.</summary>
    private static async Task LoadAsync(IDatabase database, RedisRevocationStore store, DateTimeOffset expires)
    {
        const int batch = 10_000;
        var pending = new List<Task>();
        for (int start = 0; start < Entries; start += batch)
        {
            var members = new SortedSetEntry[batch];
            for (int i = 0; i < batch; i++)
            {
                int n = start + i;
                string jti = FormattableString.Invariant($"jti-{n:D8}-{Guid.NewGuid():N}");
                Revocation entry = n % 2 == 0 ? Revocation.Token(jti, expires, "https://idp.example.com/tenant-a") : Revocation.Token(jti, expires);
                members[i] = new SortedSetEntry(RevocationCodec.TokenMember(entry), expires.ToUnixTimeSeconds());
            }

            pending.Add(database.SortedSetAddAsync(store.TokensKey, members));
            if (pending.Count == 8)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending);
    }

    /// <summary>
    /// Entries the first (record) read found, whether a snapshot was written and every timed sync read it, its size in
    /// Redis, the fastest full sync in seconds, the checks a reader completed during it, and the entries in force after.
    /// </summary>
    public sealed record Result(int RecordEntries, bool FromSnapshot, long SnapshotBytes, double SyncSeconds, long ChecksDuringSync, int Count);
}
