using System.Runtime.CompilerServices;

namespace PortkeyJwt.Internal;

/// <summary>
/// An immutable snapshot of a <see cref="RevocationList"/>, the only thing a validation reads: a large open-addressing
/// table of 64-bit entry keys (<see cref="RevocationKeys"/>) built on a full sync, plus a small one holding what was
/// added since. A change rebuilds only the small table; when it outgrows <see cref="MaxOverlay"/> both are merged. So
/// one revocation costs O(<see cref="MaxOverlay"/>) however large the list, and a lookup is at most two probes of
/// arrays, whatever the number of entries.
/// </summary>
/// <remarks>
/// Memory: 16 bytes a slot, at most half the slots used, so 32 bytes an entry in the table; the list keeps one
/// <see cref="Dictionary{TKey, TValue}"/> entry (24 bytes and a 4-byte bucket) beside it to rebuild from: about 60 bytes an
/// entry in all, measured in <c>RevocationBenchmarks</c>.
/// </remarks>
internal sealed class RevocationIndex
{
    /// <summary>Most entries the small table holds before a change merges it into the large one.</summary>
    public const int MaxOverlay = 4096;

    public static readonly RevocationIndex Empty = new(Table.Empty, Table.Empty, 0);

    private readonly Table _base;
    private readonly Table _overlay;

    public RevocationIndex(Table @base, Table overlay, byte kinds)
    {
        _base = @base;
        _overlay = overlay;
        Kinds = kinds;
    }

    /// <summary>Entries in both tables.</summary>
    public int Count => _base.Count + _overlay.Count;

    /// <summary>Which (kind, issuer-scoped) pairs have entries, one bit each (<see cref="RevocationKeys.Bit"/>): a lookup is skipped when its bit is clear.</summary>
    public byte Kinds { get; }

    /// <summary>The value under <paramref name="key"/>: the newer table's when both hold it (values only grow).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(ulong key, out long value) => _overlay.TryGet(key, out value) || _base.TryGet(key, out value);

    /// <summary>An open-addressing table of non-zero 64-bit keys (linear probing, at most half full). Immutable once built.</summary>
    internal sealed class Table
    {
        public static readonly Table Empty = new(0, []);

        private readonly ulong[] _keys;
        private readonly long[] _values;
        private readonly int _mask;

        public Table(int count, IEnumerable<(ulong Key, long Value)> entries)
        {
            int capacity = 2;
            while (capacity < count * 2)
            {
                capacity <<= 1;
            }

            _keys = new ulong[capacity];
            _values = new long[capacity];
            _mask = capacity - 1;
            foreach ((ulong key, long value) in entries)
            {
                int slot = (int)(key & (ulong)_mask);
                while (_keys[slot] != 0)
                {
                    slot = (slot + 1) & _mask;
                }

                _keys[slot] = key;
                _values[slot] = value;
            }

            Count = count;
        }

        public int Count { get; }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool TryGet(ulong key, out long value)
        {
            ulong[] keys = _keys;
            int slot = (int)(key & (ulong)_mask);
            while (true)
            {
                ulong found = keys[slot];
                if (found == key)
                {
                    value = _values[slot];
                    return true;
                }

                if (found == 0)
                {
                    value = 0;
                    return false;
                }

                slot = (slot + 1) & _mask;
            }
        }
    }
}
