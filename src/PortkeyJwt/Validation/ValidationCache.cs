using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PortkeyJwt.Internal;

/// <summary>
/// Successful validations by exact token string (ordinal equality over the whole string; the hash of the token's tail only
/// picks a set). A hit is reused only while the key that verified it is still served and, with trust anchors, its anchor
/// is still in the set; the caller re-checks the clock, revocation and the call's scopes. At most
/// <see cref="PortkeyJwtOptions.ValidationCacheSize"/> entries.
/// </summary>
/// <remarks>
/// <para>
/// <b>Why not MemoryCache.</b> This cache used <c>Microsoft.Extensions.Caching.Memory</c> with a size limit. Once the working
/// set exceeds the limit, every add over it is rejected and schedules a compaction that walks and sorts all entries on
/// the thread pool, competing with requests for the cores: a load test cycling 20,000 tokens through the default 10,000
/// entries served 16.6k req/s at p99 18 ms against 21.9k req/s at p99 1.8 ms for JwtBearer (with the cache off: 1.09×
/// JwtBearer, p99 1.4 ms). Every hit also writes its entry's last-access time.
/// </para>
/// <para>
/// <b>The shape.</b> A fixed table of 8-way sets, twice as many slots as <see cref="Capacity"/> (so a full cache's sets are
/// half full and entries rarely conflict), allocated once: no resizing, no compaction pass, no background work. Set
/// associativity, not one global LRU list, because a list needs a lock or a write on every hit; a hit here writes at most
/// one byte (its count, until it saturates).
/// <list type="bullet">
/// <item>Lookups take no lock: a set's eight slots are 192 contiguous bytes; each slot holds the entry's hash and expiry
/// beside a reference to an immutable <see cref="Entry"/>, and a match is confirmed on the entry itself (its own hash, then the
/// whole token), so a slot changing under a reader costs at most a miss, never a wrong hit.</item>
/// <item>Writers (an add, or dropping an expired or unserved entry) take their set's flag with one compare-exchange and
/// skip the work if another writer holds it: nothing ever waits, so there is no lock convoy. Adds happen only after a full
/// validation (tens of microseconds), so this is rare and cheap.</item>
/// <item>An entry is counted (one compare-exchange) before a free slot is used, and refused at <see cref="Capacity"/>, so
/// the bound holds exactly under any concurrency.</item>
/// </list>
/// </para>
/// <para>
/// <b>Admission (TinyLFU).</b> When the cache is full, a new validation may only replace the least frequently used entry
/// of its set if it has been seen more often: a count-min sketch (4 rows of byte counters, saturating at 15) counts misses
/// by token hash, and each slot counts its own hits (saturating at 15; a hit writes nothing once there). Both age together:
/// every 4th miss halves one 8-byte word of the sketch (a sweep every 8 to 16 × capacity misses), and a slot's count is
/// halved once per sweep it missed, lazily, when its set is next examined. A token seen once (a scan, a flood of
/// new tokens) cannot displace a token in use, and a cycled set larger than the cache keeps a stable part resident instead
/// of evicting everything just before its reuse, as least-recently-used would.
/// </para>
/// <para>
/// <b>Measured</b> on the 2-vCPU VM (<c>--distinct-tokens</c>: n distinct RS256 tokens cycled through the default 10,000
/// entries, interleaved against the cache off; <c>benchmarks/curves/distinct-tokens.json</c>), this cache against
/// MemoryCache: a hit costs the same (BenchmarkDotNet's ValidCacheHit: 111 ns in both; 80–90 ns a validation at n = 1);
/// 10,000: 0.41–0.58 µs against 0.45 (99.2 % hits: a set can overflow); 20,000 (twice the capacity): 0.51–0.52× the
/// cache-off time with 50 % hits, against 1.17× and 0 % hits; 100,000: 0.97–1.02× against 1.05–1.16×; 1,000,000 (0 %
/// hits): 1.015–1.024× against 1.05–1.10×, the cost of a miss's lookup, sketch update and insert attempt on cold memory.
/// Memory: about 515 bytes an entry, the token string excluded (~440 for the validation, ~74 for the table and sketch:
/// 48 + 16 bytes per entry of capacity, allocated up front), against ~900.
/// </para>
/// </remarks>
internal sealed class ValidationCache
{
    /// <summary>Longer tokens are not cached, so the cache's memory stays bounded by entries × this length.</summary>
    public const int MaxCachedTokenLength = 4096;

    /// <summary>The last millisecond <see cref="DateTimeOffset"/> can represent, as Unix time.</summary>
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    private const int Ways = 8;

    /// <summary>The hash reads only this many trailing characters: the signature's, which only the issuer can choose.</summary>
    private const int HashedTail = 32;

    private const int MaxFrequency = 15;

    private readonly Slot[] _slots;

    /// <summary>Per set: 1 while a writer changes it.</summary>
    private readonly int[] _writing;

    private readonly uint _sets;
    private readonly int _capacity;
    private readonly FrequencySketch _sketch;
    private readonly TimeProvider _time;
    private readonly long _durationMs;
    private readonly long _skewMs;

    /// <summary>The time the cache was made (Unix ms): slots keep their expiry as seconds after it.</summary>
    private readonly long _baseMs;
    private int _count;

    public ValidationCache(ValidationSettings settings, TimeProvider time)
    {
        _time = time;
        _durationMs = (long)settings.ValidationCacheDuration.TotalMilliseconds;
        _skewMs = settings.ClockSkewMilliseconds;
        _capacity = settings.ValidationCacheSize;
        _sets = (uint)((2 * _capacity) + Ways - 1) / Ways;
        _slots = new Slot[_sets * Ways];
        _writing = new int[_sets];
        _sketch = new FrequencySketch(_capacity);
        _baseMs = NowMs();
    }

    /// <summary>The most entries the cache holds (<see cref="PortkeyJwtOptions.ValidationCacheSize"/>).</summary>
    public int Capacity => _capacity;

    /// <summary>Entries held, including expired ones not yet dropped (they are dropped when their set is next used).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Whether a live entry (unexpired, its key still served) exists for <paramref name="token"/>; for tests and diagnostics.</summary>
    public bool Contains(string token) =>
        token.Length <= MaxCachedTokenLength && Find(token, Hash(token), out _) is { } entry && NowMs() < entry.UntilMs && IsServed(entry);

    /// <summary>
    /// The cached validation of <paramref name="token"/>, if any, unexpired, still verified by a key its provider serves
    /// now, and (with trust anchors) made under an anchor the set still holds. Otherwise the entry is dropped: validate afresh.
    /// </summary>
    /// <param name="token">The token.</param>
    /// <param name="nowMs">On a hit, the time (Unix ms) the cache checked the entry's expiry at: one clock read for both.</param>
    /// <param name="countMiss">
    /// False for a look that a full validation (which looks again, and counts) follows on a miss: the miss is then neither
    /// counted in the metrics nor in the admission policy's frequencies, so each token is counted once per validation.
    /// </param>
    public Entry? TryGet(ReadOnlySpan<char> token, out long nowMs, bool countMiss = true)
    {
        nowMs = 0;
        if (token.Length > MaxCachedTokenLength)
        {
            return null;
        }

        int hash = Hash(token);
        if (Find(token, hash, out int index) is { } entry)
        {
            long now = NowMs();
            if (now < entry.UntilMs && IsServed(entry))
            {
                ref byte frequency = ref _slots[index].Frequency;
                if (frequency < MaxFrequency)
                {
                    frequency++; // racy by design: a lost increment only makes the count approximate
                }

                Telemetry.CacheHits.Add(1);
                nowMs = now;
                return entry;
            }

            Drop(index, entry); // expired, the key was rotated away, the set is unavailable, or the anchor was replaced
        }

        if (!countMiss)
        {
            return null;
        }

        _sketch.Increment(hash);
        Telemetry.CacheMisses.Add(1);
        return null;
    }

    /// <summary>
    /// Caches a successful validation, made with <paramref name="keys"/>' set (under <paramref name="anchor"/>, with trust
    /// anchors): in a free slot while the cache has room; otherwise in place of its set's least frequently used entry, if
    /// the token has been seen more often than that entry; otherwise not at all.
    /// </summary>
    public void Add(string token, PortkeyJwtResult valid, JwksKeyProvider keys, TrustRouter.Slot? anchor)
    {
        if (token.Length > MaxCachedTokenLength)
        {
            return;
        }

        long nowMs = NowMs();
        PortkeyPrincipal principal = valid.Principal!;
        long expiresMs = principal.ExpiresAt.ToUnixTimeMilliseconds();
        // exp may be as late as 9999-12-31T23:59:59Z, where adding the skew would leave DateTimeOffset's range.
        long untilMs = Math.Min(Math.Min(expiresMs, MaxUnixMilliseconds - _skewMs) + _skewMs, nowMs + _durationMs);
        if (untilMs <= nowMs)
        {
            return;
        }

        int hash = Hash(token);
        int set = SetOf(hash);
        if (Interlocked.CompareExchange(ref _writing[set], 1, 0) != 0)
        {
            return; // another writer is changing this set: skip caching rather than wait
        }

        try
        {
            // First the slots alone (no entry is read unless its hash matches): the same token again, or a free slot.
            Span<Slot> slots = _slots.AsSpan(set * Ways, Ways);
            int epoch = _sketch.Epoch;
            int free = -1;
            for (int i = 0; i < slots.Length; i++)
            {
                ref Slot slot = ref slots[i];
                Entry? held = slot.Entry;
                if (held is null)
                {
                    free = free < 0 ? i : free;
                }
                else if (slot.Hash == hash && held.Hash == hash && string.Equals(held.Token, token, StringComparison.Ordinal))
                {
                    Place(ref slot, New(), Math.Max(Aged(ref slot, epoch), _sketch.Estimate(hash)), epoch); // two first validations raced
                    return;
                }
            }

            int seen = _sketch.Estimate(hash);
            if (free >= 0 && TryReserve())
            {
                Place(ref slots[free], New(), seen, epoch);
                return;
            }

            // Full: an expired entry gives its slot (read from the slot, not the entry); otherwise the least used entry
            // goes if its key was revoked or its anchor retired, or if this token was seen more often than it was used.
            int nowSeconds = SecondsOf(nowMs);
            int victim = -1;
            int victimFrequency = int.MaxValue;
            for (int i = 0; i < slots.Length; i++)
            {
                ref Slot slot = ref slots[i];
                if (slot.Entry is null)
                {
                    continue;
                }

                if (nowSeconds >= slot.UntilSeconds)
                {
                    Place(ref slot, New(), seen, epoch);
                    return;
                }

                int frequency = Aged(ref slot, epoch);
                if (frequency < victimFrequency)
                {
                    (victim, victimFrequency) = (i, frequency);
                }
            }

            // A token seen once never displaces a live entry: a scan or a flood of new tokens leaves the cache as it was.
            if (victim >= 0
                && (seen > Math.Max(victimFrequency, 1) || slots[victim].Entry is not { } least || least.VerifiedBy.IsRevoked || least.Anchor is { IsRetired: true }))
            {
                Place(ref slots[victim], New(), seen, epoch);
            }
        }
        finally
        {
            Volatile.Write(ref _writing[set], 0);
        }

        Entry New() => new(
            token,
            hash,
            untilMs,
            valid,
            expiresMs,
            principal.NotBefore?.ToUnixTimeMilliseconds() ?? -1,
            principal.IssuedAt?.ToUnixTimeMilliseconds() ?? -1,
            keys,
            anchor);
    }

    /// <summary>
    /// A successful validation, the times a hit must re-check, the provider whose key verified it and, with trust anchors,
    /// the anchor it was validated under: one cache serves a whole <see cref="TrustAnchorSet"/>, and a hit counts only while
    /// that anchor is still in the set (a token's <c>iss</c> routes it to one anchor, so its entry can serve no other).
    /// Immutable: readers see an entry whole or not at all.
    /// </summary>
    internal sealed class Entry(string token, int hash, long untilMs, PortkeyJwtResult result, long expiresMs, long notBeforeMs, long issuedAtMs, JwksKeyProvider keys, TrustRouter.Slot? anchor)
    {
        /// <summary>The exact token, compared ordinally in full on every lookup.</summary>
        public string Token { get; } = token;

        public int Hash { get; } = hash;

        /// <summary>The entry is reused until then (Unix ms): min(exp + skew, added + <see cref="PortkeyJwtOptions.ValidationCacheDuration"/>).</summary>
        public long UntilMs { get; } = untilMs;

        public PortkeyJwtResult Result { get; } = result;

        public long ExpiresMs { get; } = expiresMs;

        public long NotBeforeMs { get; } = notBeforeMs;

        public long IssuedAtMs { get; } = issuedAtMs;

        public JwksKeyProvider Keys { get; } = keys;

        /// <summary>The key that verified the token (<see cref="PortkeyPrincipal.VerifiedBy"/>), read without the principal.</summary>
        public VerificationKey VerifiedBy { get; } = result.Principal!.VerifiedBy;

        public TrustRouter.Slot? Anchor { get; } = anchor;

        /// <summary>Null when the cached result still holds at <paramref name="nowMs"/>; otherwise the time rule it now breaks.</summary>
        public PortkeyJwtResult? Valid(long nowMs, long skewMs) =>
            nowMs >= ExpiresMs + skewMs ? Failures.Expired
            : NotBeforeMs > nowMs + skewMs ? Failures.NotBefore
            : IssuedAtMs > nowMs + skewMs ? Failures.IssuedInFuture
            : null;
    }

    /// <summary>
    /// The token's hash: the process's randomised string hash of its last <see cref="HashedTail"/> characters (its
    /// signature: unpredictable, and only the identity provider can make valid ones), instead of hashing up to 4,096
    /// characters on every request. Never 0, which marks an empty slot.
    /// </summary>
    private static int Hash(ReadOnlySpan<char> token)
    {
        int hash = string.GetHashCode(token[Math.Max(0, token.Length - HashedTail)..]);
        return hash == 0 ? 1 : hash;
    }

    /// <summary>
    /// The entry's key is still served by its provider (not rotated away, the provider not disposed, never revoked: a key
    /// revoked once stays revoked, as the change token MemoryCache's entries hung off did) and its anchor not retired.
    /// </summary>
    private static bool IsServed(Entry entry)
    {
        VerificationKey verifiedBy = entry.VerifiedBy;
        return !verifiedBy.IsRevoked && entry.Anchor is not { IsRetired: true }
            && entry.Keys.Current is { } keys && keys.TryGetKey(verifiedBy.KeyId, out VerificationKey served) && ReferenceEquals(served, verifiedBy);
    }

    /// <summary>A slot's hit count after the sketch's aging sweeps since it was last looked at (halved once per sweep).</summary>
    private static int Aged(ref Slot slot, int epoch)
    {
        int sweeps = (byte)(epoch - slot.Epoch);
        if (sweeps != 0)
        {
            slot.Frequency = (byte)(sweeps >= 8 ? 0 : slot.Frequency >> sweeps);
            slot.Epoch = (byte)epoch;
        }

        return slot.Frequency;
    }

    /// <summary>Publishes <paramref name="entry"/> in <paramref name="slot"/> (under its set's writer flag).</summary>
    private void Place(ref Slot slot, Entry entry, int frequency, int epoch)
    {
        Volatile.Write(ref slot.Hash, 0); // readers skip the slot while it changes
        Volatile.Write(ref slot.Entry, entry);
        slot.UntilSeconds = (int)Math.Min(int.MaxValue, (entry.UntilMs - _baseMs + 999) / 1000); // rounded up: never early
        slot.Frequency = (byte)Math.Min(frequency, MaxFrequency);
        slot.Epoch = (byte)epoch;
        Volatile.Write(ref slot.Hash, entry.Hash);
    }

    /// <summary>Counts one more entry unless the cache is full; <see cref="Count"/> never reads above <see cref="Capacity"/>.</summary>
    private bool TryReserve()
    {
        int count = Volatile.Read(ref _count);
        while (count < _capacity)
        {
            int seen = Interlocked.CompareExchange(ref _count, count + 1, count);
            if (seen == count)
            {
                return true;
            }

            count = seen;
        }

        return false;
    }

    /// <summary>The set <paramref name="token"/> belongs to; for tests that fill one set on purpose.</summary>
    internal int SetOf(string token) => SetOf(Hash(token));

    private int SetOf(int hash) => (int)(((ulong)(uint)hash * _sets) >> 32);

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Whole seconds since the cache was made, rounded down (so an entry is never taken for expired early).</summary>
    private int SecondsOf(long nowMs)
    {
        long elapsed = nowMs - _baseMs;
        return (int)Math.Clamp(elapsed >= 0 ? elapsed / 1000 : -((999 - elapsed) / 1000), int.MinValue, int.MaxValue);
    }

    /// <summary>The entry for <paramref name="token"/> and its slot, or null. Takes no lock; the entry confirms the match.</summary>
    private Entry? Find(ReadOnlySpan<char> token, int hash, out int index)
    {
        int start = SetOf(hash) * Ways;
        Span<Slot> slots = _slots.AsSpan(start, Ways);
        for (int i = 0; i < slots.Length; i++)
        {
            ref Slot slot = ref slots[i];
            if (slot.Hash == hash && Volatile.Read(ref slot.Entry) is { } entry && entry.Hash == hash && token.SequenceEqual(entry.Token))
            {
                index = start + i;
                return entry;
            }
        }

        index = -1;
        return null;
    }

    /// <summary>Empties slot <paramref name="index"/> if it still holds <paramref name="entry"/> and no writer is at its set (else a later writer will).</summary>
    private void Drop(int index, Entry entry)
    {
        int set = index / Ways;
        if (Interlocked.CompareExchange(ref _writing[set], 1, 0) != 0)
        {
            return;
        }

        ref Slot slot = ref _slots[index];
        if (ReferenceEquals(slot.Entry, entry))
        {
            Volatile.Write(ref slot.Hash, 0);
            Volatile.Write(ref slot.Entry, null);
            Interlocked.Decrement(ref _count);
        }

        Volatile.Write(ref _writing[set], 0);
    }

    /// <summary>One way of a set: 24 bytes; what inserting and evicting need without reading the entry.</summary>
    private struct Slot
    {
        public Entry? Entry;

        /// <summary>The entry's hash, 0 while empty or changing; only a filter, the entry itself confirms a match.</summary>
        public int Hash;

        /// <summary>The entry's <see cref="Entry.UntilMs"/> in seconds after the cache was made, rounded up.</summary>
        public int UntilSeconds;

        /// <summary>Hits counted (saturating at <see cref="MaxFrequency"/>), halved per aging sweep.</summary>
        public byte Frequency;

        /// <summary>The sketch's sweep (mod 256) <see cref="Frequency"/> was last aged at.</summary>
        public byte Epoch;
    }

    /// <summary>
    /// A count-min sketch of misses by token hash, in 64-byte blocks: a token's four byte counters (saturating at 15) lie in
    /// one block, so counting or estimating a token touches one cache line, not four. 16 counters per entry of capacity
    /// (rounded up to a power of two), as in Caffeine's. Updates are plain (not interlocked) writes: a lost increment under a
    /// race only makes an estimate lower, which admission tolerates. Aging is incremental: every 4th miss halves the next
    /// 8-byte word (a sweep of the whole sketch every 8 to 16 × capacity misses), so no request pays for a pass over it all.
    /// </summary>
    private sealed class FrequencySketch
    {
        private const int HalveEvery = 4;

        private const int BlockBytes = 64;

        private static readonly uint[] Seeds = [0x9E3779B1u, 0x85EBCA77u, 0xC2B2AE3Du, 0x27D4EB2Fu];

        private readonly byte[] _counters;
        private readonly int _blockShift;
        private readonly int _epochShift;
        private long _misses;

        public FrequencySketch(int capacity)
        {
            int blocks = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity) / 4; // 16 counters an entry
            _blockShift = 32 - System.Numerics.BitOperations.Log2((uint)blocks);
            _counters = new byte[blocks * BlockBytes];
            // blocks × 8 words of 8 counters; one halved every HalveEvery misses: a sweep every 32 × blocks misses.
            _epochShift = System.Numerics.BitOperations.Log2((uint)(blocks * 8 * HalveEvery));
        }

        /// <summary>Completed aging sweeps so far.</summary>
        public int Epoch => (int)(Volatile.Read(ref _misses) >> _epochShift);

        public void Increment(int hash)
        {
            Span<byte> block = Block(hash);
            for (int row = 0; row < 4; row++)
            {
                ref byte counter = ref block[Offset(hash, row)];
                if (counter < MaxFrequency)
                {
                    counter++;
                }
            }

            long misses = Interlocked.Increment(ref _misses);
            if (misses % HalveEvery == 0)
            {
                Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(_counters.AsSpan());
                ref ulong word = ref words[(int)((misses / HalveEvery) & (words.Length - 1))];
                word = (word >> 1) & 0x7F7F_7F7F_7F7F_7F7FUL;
            }
        }

        public int Estimate(int hash)
        {
            Span<byte> block = Block(hash);
            int min = MaxFrequency;
            for (int row = 0; row < 4; row++)
            {
                min = Math.Min(min, block[Offset(hash, row)]);
            }

            return min;
        }

        /// <summary>The token's block, chosen by bits independent of the set's (which come from the hash's top bits).</summary>
        private Span<byte> Block(int hash) =>
            _counters.AsSpan((int)(((uint)hash * 0x2545F491u) >> _blockShift) * BlockBytes, BlockBytes);

        /// <summary>Row <paramref name="row"/>'s counter in the block: 16 counters a row.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Offset(int hash, int row) => (row * 16) + (int)(((uint)hash * Seeds[row]) >> 28);
    }
}
