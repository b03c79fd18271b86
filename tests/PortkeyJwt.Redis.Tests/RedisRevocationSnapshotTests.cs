using PortkeyJwt.Testing;
using StackExchange.Redis;

namespace PortkeyJwt.Redis.Tests;

/// <summary>
/// The full sync's snapshot in a real Redis: a sync that reads it and the changes since reaches exactly what the record
/// says, and a snapshot that cannot be tied to the record (another record's, behind a trimmed log, corrupt) is never used.
/// </summary>
public sealed class RedisRevocationSnapshotTests(RedisServer server) : IClassFixture<RedisServer>
{
    private static readonly DateTimeOffset Soon = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());

    private static readonly Revocation[] First =
    [
        Revocation.Token("jti-1", Soon),
        Revocation.Token("jti-1", Soon, issuer: "https://a.example"),
        Revocation.OrganisationIssuedBefore("org-1", Soon.AddMinutes(-30)),
        Revocation.WorkspaceIssuedBefore("org-1", "ws-1", Soon, issuer: "https://a.example"),
        Revocation.UserIssuedBefore("org-1", "ada@example.com", Soon),
    ];

    [Fact]
    public async Task FullSync_FromTheSnapshotAndTheChangesSince_ReachesWhatTheRecordSays()
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        RedisRevocationStore store = NewStore(redis);
        await RevokeAllAsync(store, First);

        RedisRevocationStore.SyncRead fromRecord = await store.ReadForSyncAsync(default);
        Assert.False(fromRecord.FromSnapshot);
        Assert.True(await store.TryWriteSnapshotAsync(fromRecord, default));

        await store.RevokeAsync(Revocation.OrganisationIssuedBefore("org-1", Soon)); // moves a watermark the snapshot holds
        long version = await store.RevokeAsync(Revocation.Token("jti-2", Soon, issuer: "https://b.example"));
        RedisRevocationStore.SyncRead fromSnapshot = await store.ReadForSyncAsync(default);

        Assert.True(fromSnapshot.FromSnapshot);
        Assert.Equal(2, fromSnapshot.Replayed);
        Assert.Equal(version, fromSnapshot.Version);
        (IReadOnlyList<Revocation> record, long recordVersion) = await store.ListAsync();
        Assert.Equal(recordVersion, fromSnapshot.Version);
        Assert.Equal(record.ToHashSet(), Latest(fromSnapshot.Entries));

        // What a gateway enforces from it: the watermark's later time (the replayed change), not the snapshot's.
        var list = new RevocationList();
        list.ReplaceAll(fromSnapshot.Entries);
        Assert.Equal(record.Count, list.Count);
    }

    [Fact]
    public async Task Snapshot_OfARecordSinceReset_IsNotUsed_AndANewOneReplacesIt()
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        RedisRevocationStore store = NewStore(redis);
        await RevokeAllAsync(store, First);
        Assert.True(await store.TryWriteSnapshotAsync(await store.ReadForSyncAsync(default), default));

        // The record is reset (its keys deleted, the snapshot left behind) and written again, past the snapshot's version.
        await redis.GetDatabase().KeyDeleteAsync([store.TokensKey, store.WatermarksKey, store.VersionKey, store.ChangesKey]);
        Revocation[] second = [.. Enumerable.Range(0, First.Length + 1).Select(i => Revocation.Token("other-" + i, Soon))];
        await RevokeAllAsync(store, second);

        RedisRevocationStore.SyncRead read = await store.ReadForSyncAsync(default);
        Assert.False(read.FromSnapshot);
        Assert.Equal(second.ToHashSet(), read.Entries.ToHashSet());
        Assert.True(await store.TryWriteSnapshotAsync(read, default));
        RedisRevocationStore.SyncRead again = await store.ReadForSyncAsync(default);
        Assert.True(again.FromSnapshot);
        Assert.Equal(second.ToHashSet(), again.Entries.ToHashSet());
    }

    [Fact]
    public async Task Snapshot_AheadOfARecordSinceReset_IsNotUsed_AndDoesNotBlockANewOne()
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        RedisRevocationStore store = NewStore(redis);
        await RevokeAllAsync(store, First);
        Assert.True(await store.TryWriteSnapshotAsync(await store.ReadForSyncAsync(default), default));

        await redis.GetDatabase().KeyDeleteAsync([store.TokensKey, store.WatermarksKey, store.VersionKey, store.ChangesKey]);
        Revocation[] second = [Revocation.Token("other", Soon)];
        await RevokeAllAsync(store, second);

        RedisRevocationStore.SyncRead read = await store.ReadForSyncAsync(default);
        Assert.False(read.FromSnapshot);
        Assert.Equal(second, read.Entries);
        Assert.True(await store.TryWriteSnapshotAsync(read, default)); // the old record's snapshot (version 5) is past this record's 1
        Assert.True((await store.ReadForSyncAsync(default)).FromSnapshot);
    }

    [Fact]
    public async Task Snapshot_WhoseChangeTheLogNoLongerHolds_IsNotUsed()
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        RedisRevocationStore store = NewStore(redis);
        long version = await RevokeAllAsync(store, First);
        Assert.True(await store.TryWriteSnapshotAsync(await store.ReadForSyncAsync(default), default));
        await store.RevokeAsync(Revocation.Token("later", Soon));

        await redis.GetDatabase().StreamDeleteAsync(store.ChangesKey, [$"{version}-0"]); // as a trimmed log would have lost it

        RedisRevocationStore.SyncRead read = await store.ReadForSyncAsync(default);
        Assert.False(read.FromSnapshot);
        Assert.Equal((await store.ListAsync()).Entries.ToHashSet(), read.Entries.ToHashSet());
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("one byte flipped in an identifier")]
    public async Task Snapshot_Corrupt_IsNotUsed(string corruption)
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        RedisRevocationStore store = NewStore(redis);
        await RevokeAllAsync(store, First);
        Assert.True(await store.TryWriteSnapshotAsync(await store.ReadForSyncAsync(default), default));
        IDatabase database = redis.GetDatabase();
        byte[] snapshot = (byte[])(await database.StringGetAsync(store.SnapshotKey))!;
        byte[] bad = corruption switch
        {
            "garbage" => "not a snapshot"u8.ToArray(),
            "truncated" => snapshot[..^3],
            _ => Flipped(snapshot, Array.LastIndexOf(snapshot, (byte)'m')), // the last byte of "ada@example.com"
        };
        await database.StringSetAsync(store.SnapshotKey, bad);

        RedisRevocationStore.SyncRead read = await store.ReadForSyncAsync(default);

        Assert.False(read.FromSnapshot);
        Assert.Equal(First.ToHashSet(), read.Entries.ToHashSet());
    }

    [Fact]
    public async Task Snapshot_IsWrittenOnlyWhenWorthIt_AndNeverOverANewerOne()
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        RedisRevocationStore store = NewStore(redis, minimumEntries: First.Length + 1, refreshChanges: 2);
        await RevokeAllAsync(store, First);
        Assert.False(await store.TryWriteSnapshotAsync(await store.ReadForSyncAsync(default), default)); // fewer entries than the minimum

        RedisRevocationStore.SyncRead older = await store.ReadForSyncAsync(default);
        await store.RevokeAsync(Revocation.Token("jti-3", Soon));
        RedisRevocationStore.SyncRead newer = await store.ReadForSyncAsync(default);
        Assert.True(await store.TryWriteSnapshotAsync(newer, default));
        Assert.False(await store.TryWriteSnapshotAsync(older with { Entries = [.. older.Entries, Revocation.Token("padding", Soon)] }, default)); // a newer one is there

        await store.RevokeAsync(Revocation.Token("jti-4", Soon));
        RedisRevocationStore.SyncRead oneChange = await store.ReadForSyncAsync(default);
        Assert.True(oneChange.FromSnapshot);
        Assert.False(await store.TryWriteSnapshotAsync(oneChange, default)); // one change replayed: not yet worth a new one
        await store.RevokeAsync(Revocation.Token("jti-5", Soon));
        RedisRevocationStore.SyncRead twoChanges = await store.ReadForSyncAsync(default);
        Assert.Equal(2, twoChanges.Replayed);
        Assert.True(await store.TryWriteSnapshotAsync(twoChanges, default));
        RedisRevocationStore.SyncRead after = await store.ReadForSyncAsync(default);
        Assert.Equal(0, after.Replayed);
        Assert.Equal(after.Entries.Count, after.Entries.ToHashSet().Count); // a refreshed snapshot names each target once
    }

    [Fact]
    public async Task Snapshot_WhileAnotherGatewayWritesOne_IsLeftToIt()
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        RedisRevocationStore store = NewStore(redis);
        await RevokeAllAsync(store, First);
        RedisRevocationStore.SyncRead read = await store.ReadForSyncAsync(default);
        await redis.GetDatabase().StringSetAsync(store.SnapshotWriterKey, "1", TimeSpan.FromMinutes(1));

        Assert.False(await store.TryWriteSnapshotAsync(read, default));
        Assert.False(await redis.GetDatabase().KeyExistsAsync(store.SnapshotKey));

        await redis.GetDatabase().KeyDeleteAsync(store.SnapshotWriterKey);
        Assert.True(await store.TryWriteSnapshotAsync(read, default));
        Assert.False(await redis.GetDatabase().KeyExistsAsync(store.SnapshotWriterKey)); // released after writing
    }

    [Fact]
    public async Task Sync_StartedOverASnapshot_EnforcesItsEntriesAndTheChangesSince()
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        string prefix = RedisServer.NewPrefix();
        var store = new RedisRevocationStore(redis, prefix) { SnapshotMinimumEntries = 1 };
        await RevokeAllAsync(store, First);
        Assert.True(await store.TryWriteSnapshotAsync(await store.ReadForSyncAsync(default), default));
        await store.RevokeAsync(Revocation.Token("after-the-snapshot", Soon));
        // Behind the record's back (no version, no change): only a sync that read the snapshot still holds this entry.
        Assert.True(await redis.GetDatabase().SortedSetRemoveAsync(store.TokensKey, "[null,\"jti-1\"]"));
        (IReadOnlyList<Revocation> record, _) = await store.ListAsync();

        await using RedisRevocationSync sync = await RedisRevocationSync.StartAsync(redis, new RedisRevocationOptions { KeyPrefix = prefix });

        Assert.Equal(First.Length + 1, sync.List.Count);
        Assert.Equal(First.Length, record.Count);
    }

    [Fact]
    public async Task Sync_AfterReadingALargeRecord_LeavesASnapshot_ThatTheNextSyncReads()
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        string prefix = RedisServer.NewPrefix();
        var store = new RedisRevocationStore(redis, prefix);
        // As many entries as a sync needs before it leaves a snapshot, written straight into the record's sorted set.
        long until = Soon.ToUnixTimeSeconds();
        SortedSetEntry[] members = [.. Enumerable.Range(0, store.SnapshotMinimumEntries).Select(i =>
            new SortedSetEntry(Internal.RevocationCodec.TokenMember(Revocation.Token("bulk-" + i, Soon)), until))];
        await redis.GetDatabase().SortedSetAddAsync(store.TokensKey, members);
        await store.RevokeAsync(Revocation.OrganisationIssuedBefore("org-1", Soon)); // the version and the change log

        await using (RedisRevocationSync first = await RedisRevocationSync.StartAsync(redis, new RedisRevocationOptions { KeyPrefix = prefix }))
        {
            Assert.Equal(store.SnapshotMinimumEntries + 1, first.List.Count);
            await Eventually.Until(() => redis.GetDatabase().KeyExists(store.SnapshotKey), "the first sync to leave a snapshot", TimeSpan.FromSeconds(10));
        }

        Assert.True(await redis.GetDatabase().SortedSetRemoveAsync(store.TokensKey, Internal.RevocationCodec.TokenMember(Revocation.Token("bulk-0", Soon))));
        await using RedisRevocationSync second = await RedisRevocationSync.StartAsync(redis, new RedisRevocationOptions { KeyPrefix = prefix });

        Assert.Equal(store.SnapshotMinimumEntries + 1, second.List.Count); // bulk-0 too: it read the snapshot, not the record
    }

    private static RedisRevocationStore NewStore(ConnectionMultiplexer redis, int minimumEntries = 1, int refreshChanges = 1) =>
        new(redis, RedisServer.NewPrefix()) { SnapshotMinimumEntries = minimumEntries, SnapshotRefreshChanges = refreshChanges };

    private static async Task<long> RevokeAllAsync(RedisRevocationStore store, IEnumerable<Revocation> entries)
    {
        long version = 0;
        foreach (Revocation entry in entries)
        {
            version = await store.RevokeAsync(entry);
        }

        return version;
    }

    /// <summary>One entry per target with its latest time, as the list keeps them.</summary>
    private static HashSet<Revocation> Latest(IEnumerable<Revocation> entries) =>
        [.. entries.GroupBy(e => (e.Kind, e.Issuer, e.JwtId, e.Organisation, e.Workspace, e.User)).Select(g => g.MaxBy(e => e.At)!)];

    private static byte[] Flipped(byte[] snapshot, int at)
    {
        byte[] copy = [.. snapshot];
        copy[at] ^= 0x80; // no longer UTF-8
        return copy;
    }
}
