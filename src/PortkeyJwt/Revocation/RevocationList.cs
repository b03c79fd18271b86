using System.Security.Cryptography;
using PortkeyJwt.Internal;

namespace PortkeyJwt;

/// <summary>
/// The revocations a validator enforces (<see cref="PortkeyJwtOptions.Revocations"/>): tokens by <c>jti</c>, and
/// watermarks revoking every token of an organisation, a workspace or a user issued before a time. A rejected token gets
/// <see cref="PortkeyJwtError.Revoked"/>; the check also applies to validations answered from the validated-token cache.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe. Validations read an immutable snapshot, swapped in one write when the list changes; they never wait for a
/// writer, and a full <see cref="ReplaceAll"/> of a million entries builds its snapshot while the old one keeps serving.
/// The check costs the same with 0 or 1,000,000 entries: at most eight table probes, and none for kinds of entry the list
/// does not hold.
/// </para>
/// <para>
/// On its own the list is the embedded store of one gateway: what it holds is the truth, and it is never stale. A fleet
/// shares revocations through a store such as Redis (the <c>PortkeyJwt.Redis</c> package), which feeds the list and
/// calls <see cref="MarkSynced"/> after each successful sync; set <see cref="MaxStaleness"/> so that a list that stopped
/// syncing stops vouching for tokens.
/// </para>
/// </remarks>
public sealed class RevocationList
{
    private readonly TimeProvider _time;
    private readonly long _seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));
    private readonly Lock _write = new();

    /// <summary>Every entry by key: its value (a token's expiry, a watermark's time, in Unix seconds) and kind bit; guarded by <see cref="_write"/>.</summary>
    private readonly Dictionary<ulong, Stored> _all = [];

    /// <summary>The keys of <see cref="_all"/> not yet in the snapshot's large table; guarded by <see cref="_write"/>.</summary>
    private readonly HashSet<ulong> _recent = [];

    /// <summary>Entries per <see cref="RevocationKeys.Bit"/> position; guarded by <see cref="_write"/>.</summary>
    private readonly int[] _perKind = new int[8];

    private RevocationIndex _index = RevocationIndex.Empty;
    private RevocationIndex.Table _large = RevocationIndex.Table.Empty;
    private long _lastSyncMs = long.MinValue;

    /// <summary>A list with no entries, reading time from <paramref name="timeProvider"/> (default <see cref="TimeProvider.System"/>).</summary>
    public RevocationList(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// How long after the last <see cref="MarkSynced"/> the list is still trusted; null (the default) for a list that is its
    /// own record and never goes stale. Once stale, and before the first sync, validations fail with
    /// <see cref="PortkeyJwtError.RevocationUnavailable"/> unless <see cref="FailOpen"/> is set. From 1 second to 1 day.
    /// </summary>
    public TimeSpan? MaxStaleness
    {
        get;
        init => field = value is null || (value >= TimeSpan.FromSeconds(1) && value <= TimeSpan.FromDays(1))
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxStaleness), value, "MaxStaleness must be from 1 second to 1 day, or null.");
    }

    /// <summary>When the list is stale, accept tokens on the last synced entries instead of failing them; default false.</summary>
    public bool FailOpen { get; init; }

    /// <summary>Entries in force (expired token entries are dropped when the list is rebuilt).</summary>
    public int Count => Volatile.Read(ref _index).Count;

    /// <summary>When a sync source last confirmed the list current; null before the first sync.</summary>
    public DateTimeOffset? LastSyncedAt
    {
        get
        {
            long ms = Volatile.Read(ref _lastSyncMs);
            return ms == long.MinValue ? null : DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }
    }

    /// <summary>How old the synced state is: now minus <see cref="LastSyncedAt"/>; null before the first sync.</summary>
    public TimeSpan? Age => LastSyncedAt is { } at ? _time.GetUtcNow() - at : null;

    /// <summary>Whether validations can no longer rely on the list: <see cref="MaxStaleness"/> is set and has passed since the last sync (or no sync happened yet).</summary>
    public bool IsStale => IsStaleAt(_time.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>Adds an entry. A watermark only moves forward: an earlier time than the one in force is ignored.</summary>
    public void Add(Revocation entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        AddRange([entry]);
    }

    /// <summary>Adds entries, as <see cref="Add"/> does, and publishes them in one snapshot.</summary>
    public void AddRange(IEnumerable<Revocation> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        lock (_write)
        {
            foreach (Revocation entry in entries)
            {
                ArgumentNullException.ThrowIfNull(entry, nameof(entries));
                ulong key = RevocationKeys.For(entry, _seed);
                long value = entry.At.ToUnixTimeSeconds();
                if (entry.Kind == RevocationKind.Token && value <= now)
                {
                    continue; // the token has expired: nothing to revoke
                }

                if (Put(key, value, entry))
                {
                    _recent.Add(key);
                }
            }

            PublishLocked(now);
        }
    }

    /// <summary>
    /// Replaces every entry with <paramref name="entries"/> (a full sync) and marks the list synced. The new snapshot is
    /// built before it replaces the old one, which serves validations meanwhile.
    /// </summary>
    public void ReplaceAll(IEnumerable<Revocation> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        lock (_write)
        {
            _all.Clear();
            Array.Clear(_perKind);
            foreach (Revocation entry in entries)
            {
                ArgumentNullException.ThrowIfNull(entry, nameof(entries));
                long value = entry.At.ToUnixTimeSeconds();
                if (entry.Kind != RevocationKind.Token || value > now)
                {
                    Put(RevocationKeys.For(entry, _seed), value, entry);
                }
            }

            _recent.Clear();
            _large = BuildLarge();
            Volatile.Write(ref _index, new RevocationIndex(_large, RevocationIndex.Table.Empty, KindsLocked()));
        }

        MarkSynced();
    }

    /// <summary>Records that a sync source has just confirmed the list current (for <see cref="MaxStaleness"/>).</summary>
    public void MarkSynced() => Volatile.Write(ref _lastSyncMs, _time.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>
    /// The rejection for a principal whose validation otherwise succeeded, or null when nothing revokes it.
    /// <paramref name="nowMs"/> is the validator's clock reading, for the staleness bound.
    /// </summary>
    internal PortkeyJwtResult? Check(PortkeyPrincipal principal, long nowMs)
    {
        if (!FailOpen && IsStaleAt(nowMs))
        {
            return Failures.RevocationUnavailable;
        }

        RevocationIndex index = Volatile.Read(ref _index);
        byte kinds = index.Kinds;
        if (kinds == 0)
        {
            return null;
        }

        RevocationProbe probe = RevocationProbe.For(principal, _seed);
        int candidates = kinds & probe.Present;
        for (int slot = 0; candidates != 0; slot++, candidates >>= 1)
        {
            if ((candidates & 1) == 0 || !index.TryGet(probe[slot], out long value))
            {
                continue;
            }

            if (slot < 2)
            {
                return Failures.RevokedToken; // a jti entry: the token itself
            }

            long issuedAt = probe.IssuedAtMilliseconds;
            if (issuedAt < 0 || issuedAt < value * 1000)
            {
                return (RevocationKind)(slot / 2) switch
                {
                    RevocationKind.Organisation => issuedAt < 0 ? Failures.RevokedOrganisationNoIat : Failures.RevokedOrganisation,
                    RevocationKind.Workspace => issuedAt < 0 ? Failures.RevokedWorkspaceNoIat : Failures.RevokedWorkspace,
                    _ => issuedAt < 0 ? Failures.RevokedUserNoIat : Failures.RevokedUser,
                };
            }
        }

        return null;
    }

    private bool IsStaleAt(long nowMs)
    {
        if (MaxStaleness is not { } limit)
        {
            return false;
        }

        long last = Volatile.Read(ref _lastSyncMs);
        return last == long.MinValue || nowMs - last > (long)limit.TotalMilliseconds;
    }

    /// <summary>Stores the entry; a watermark or expiry only grows. True when the entries changed.</summary>
    private bool Put(ulong key, long value, Revocation entry)
    {
        if (_all.TryGetValue(key, out Stored existing))
        {
            if (existing.Value >= value)
            {
                return false;
            }

            _all[key] = existing with { Value = value };
            return true;
        }

        byte bit = (byte)(((int)entry.Kind * 2) + (entry.Issuer is null ? 0 : 1));
        _all.Add(key, new Stored(value, bit));
        _perKind[bit]++;
        return true;
    }

    private void PublishLocked(long nowSeconds)
    {
        if (_recent.Count > RevocationIndex.MaxOverlay)
        {
            // Merge: forget token entries whose token has expired, rebuild the large table, start a new small one.
            foreach ((ulong key, Stored stored) in _all)
            {
                if (stored.Bit < 2 && stored.Value <= nowSeconds)
                {
                    _all.Remove(key);
                    _perKind[stored.Bit]--;
                }
            }

            _recent.Clear();
            _large = BuildLarge();
        }

        var small = new RevocationIndex.Table(_recent.Count, _recent.Select(key => (key, _all[key].Value)));
        Volatile.Write(ref _index, new RevocationIndex(_large, small, KindsLocked()));
    }

    private RevocationIndex.Table BuildLarge() => new(_all.Count, _all.Select(pair => (pair.Key, pair.Value.Value)));

    private byte KindsLocked()
    {
        byte kinds = 0;
        for (int i = 0; i < _perKind.Length; i++)
        {
            if (_perKind[i] > 0)
            {
                kinds |= (byte)(1 << i);
            }
        }

        return kinds;
    }

    /// <summary>An entry as the list keeps it: its value in Unix seconds and its <see cref="RevocationKeys.Bit"/> position.</summary>
    private readonly record struct Stored(long Value, byte Bit);
}
