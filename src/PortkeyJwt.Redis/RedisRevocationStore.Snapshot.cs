using PortkeyJwt.Redis.Internal;
using StackExchange.Redis;

namespace PortkeyJwt.Redis;

/// <summary>
/// The full sync's fast path: the record's entries at some version in one binary string (<c>{P}snapshot</c>, see
/// <see cref="RevocationSnapshot"/>), plus the changes the log holds after it. The sorted set and the hash stay the
/// record; a snapshot is used only when the log still holds its own version's change, byte for byte, and every change
/// since, so one from an older record (reset, or restored) or too far behind is never used: the sync reads the record
/// instead and leaves a fresh snapshot for the next. Reading 1,000,000 entries from the record took about 3 s on a
/// 2-vCPU VM (a million sorted-set members on the wire, each a string to decode); from a snapshot, see the gate.
/// </summary>
public sealed partial class RedisRevocationStore
{
    // Replaces the snapshot unless the one there is at least as new and belongs to this record (its version not past the
    // record's: after a reset the record's version starts again, and an older record's snapshot must not block new ones).
    // KEYS: snapshot, version. ARGV: the snapshot, its version. Returns 1 when written.
    private const string WriteSnapshotScript = """
        local current = tonumber(redis.call('GET', KEYS[2]) or '0')
        local offered = tonumber(ARGV[2])
        if offered > current then return 0 end
        local held = tonumber(redis.call('GETRANGE', KEYS[1], 5, 24))
        if held and held >= offered and held <= current then return 0 end
        redis.call('SET', KEYS[1], ARGV[1])
        return 1
        """;

    internal RedisKey SnapshotKey { get; }

    /// <summary>Held (<c>SET NX</c>, 60 s) by the gateway writing a snapshot, so a fleet restarting at once writes one, not fifty.</summary>
    internal RedisKey SnapshotWriterKey { get; }

    /// <summary>The fewest entries a record read in full must hold for the sync to leave a snapshot of it; below, the record is fast enough.</summary>
    internal int SnapshotMinimumEntries { get; init; } = 10_000;

    /// <summary>How many changes a sync may replay over a snapshot before it writes a newer one.</summary>
    internal int SnapshotRefreshChanges { get; init; } = 10_000;

    /// <summary>
    /// Every entry in force, for a full sync: from the snapshot and the changes since when they can be trusted, else from
    /// the record. The entries may name one target more than once (a snapshot's and a later change's); the later time
    /// wins, as <see cref="RevocationList.ReplaceAll"/> keeps the latest.
    /// </summary>
    internal async Task<SyncRead> ReadForSyncAsync(CancellationToken cancellationToken)
    {
        IDatabase database = Redis.GetDatabase();
        ITransaction read = database.CreateTransaction();
        Task<RedisResult> time = read.ExecuteAsync("TIME");
        Task<RedisValue> versionValue = read.StringGetAsync(VersionKey);
        Task<Lease<byte>?> snapshotValue = read.StringGetLeaseAsync(SnapshotKey);
        if (!await read.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new RedisException("The revocation record could not be read in one transaction.");
        }

        long now = (long)((RedisResult[])(await time.ConfigureAwait(false))!)[0];
        RedisValue versionRead = await versionValue.ConfigureAwait(false);
        long version = versionRead.IsNull ? 0 : (long)versionRead;
        long snapshotVersion = 0;
        string? anchor = null;
        List<Revocation>? entries = null;
        bool decoded;
        using (Lease<byte>? snapshot = await snapshotValue.ConfigureAwait(false))
        {
            decoded = snapshot is not null && RevocationSnapshot.TryRead(snapshot.Span, now, out snapshotVersion, out anchor, out entries);
        }

        if (decoded && snapshotVersion <= version && version - snapshotVersion < ChangeLogLength)
        {
            int expected = (int)(version - snapshotVersion) + 1;
            StreamEntry[] log = await database.StreamRangeAsync(ChangesKey, ChangeId(snapshotVersion), ChangeId(version), expected)
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            // Ids are "<version>-0", one per version: the right count from the snapshot's own change to the record's
            // version is every change between them. The snapshot's change, compared byte for byte, ties it to this record.
            if (log.Length == expected && (string?)log[0].Id == ChangeId(snapshotVersion) && (string?)log[0]["e"] == anchor
                && (string?)log[^1].Id == ChangeId(version) && TryAppendChanges(log, entries!))
            {
                return new SyncRead(entries!, version, now, (string?)log[^1]["e"], FromSnapshot: true, Replayed: expected - 1);
            }
        }

        Record record = await ReadRecordAsync(cancellationToken).ConfigureAwait(false);
        return new SyncRead(record.Entries, record.Version, record.NowSeconds, record.AnchorChange, FromSnapshot: false, Replayed: 0);
    }

    /// <summary>
    /// Leaves a snapshot of what <paramref name="read"/> found, when it is worth one: a record read in full of at least
    /// <see cref="SnapshotMinimumEntries"/>, or at least <see cref="SnapshotRefreshChanges"/> changes replayed over the
    /// last snapshot. True when written; false when not worth it, another gateway is writing one, or a newer one is there.
    /// </summary>
    internal async Task<bool> TryWriteSnapshotAsync(SyncRead read, CancellationToken cancellationToken)
    {
        if (!WorthASnapshot(read) || read.AnchorChange is not { } anchorChange)
        {
            return false;
        }

        IDatabase database = Redis.GetDatabase();
        if (!await database.StringSetAsync(SnapshotWriterKey, "1", TimeSpan.FromSeconds(60), When.NotExists).WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            IEnumerable<Revocation> entries = read.FromSnapshot ? Latest(read.Entries) : read.Entries;
            byte[] snapshot = RevocationSnapshot.Write(entries, read.Entries.Count, read.Version, anchorChange, read.NowSeconds);
            RedisResult written = await database.ScriptEvaluateAsync(WriteSnapshotScript, [SnapshotKey, VersionKey], [snapshot, read.Version])
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            return (long)written == 1;
        }
        finally
        {
            await database.KeyDeleteAsync(SnapshotWriterKey).ConfigureAwait(false);
        }
    }

    /// <summary>Whether <paramref name="read"/> deserves a snapshot (see <see cref="TryWriteSnapshotAsync"/>) and can be tied to the record's change log.</summary>
    internal bool WorthASnapshot(SyncRead read) =>
        read.Version > 0 && read.AnchorChange is not null
        && (read.FromSnapshot ? read.Replayed >= SnapshotRefreshChanges : read.Entries.Count >= SnapshotMinimumEntries);

    /// <summary>Adds the log's changes after its first entry; false when one cannot be read (then only the record can say what is in force).</summary>
    private static bool TryAppendChanges(StreamEntry[] log, List<Revocation> entries)
    {
        for (int i = 1; i < log.Length; i++)
        {
            if (!RevocationCodec.TryReadChange((string?)log[i]["e"], out Revocation? change))
            {
                return false;
            }

            entries.Add(change);
        }

        return true;
    }

    /// <summary>One entry per target, the latest time: a snapshot never names a target twice.</summary>
    private static Dictionary<Revocation, Revocation>.ValueCollection Latest(IReadOnlyList<Revocation> entries)
    {
        var latest = new Dictionary<Revocation, Revocation>(entries.Count, TargetComparer.Instance);
        foreach (Revocation entry in entries)
        {
            if (!latest.TryGetValue(entry, out Revocation? held) || held.At < entry.At)
            {
                latest[entry] = entry;
            }
        }

        return latest.Values;
    }

    /// <summary>A full sync's read: the entries, the version they are at, Redis's clock (Unix s), the change log's entry for that version, and how it was read.</summary>
    internal sealed record SyncRead(IReadOnlyList<Revocation> Entries, long Version, long NowSeconds, string? AnchorChange, bool FromSnapshot, int Replayed);

    /// <summary>Equality of what an entry revokes, its time aside (<see cref="Revocation.SameTarget"/>).</summary>
    private sealed class TargetComparer : IEqualityComparer<Revocation>
    {
        public static readonly TargetComparer Instance = new();

        public bool Equals(Revocation? x, Revocation? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.SameTarget(y));

        public int GetHashCode(Revocation obj) => HashCode.Combine(obj.Kind, obj.Issuer, obj.JwtId, obj.Organisation, obj.Workspace, obj.User);
    }
}
