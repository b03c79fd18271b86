using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace PortkeyJwt.Internal;

/// <summary>
/// A bounded, thread-safe map from the raw UTF-8 bytes of a claim to what the validator made of them once: the pooled
/// string of an identifier, the normalised scope set of a scope claim. A gateway sees the same few organisations,
/// workspaces, users and scope strings again and again; looking their bytes up skips transcoding, checking and hashing
/// them as text, and allocating them. Only values from tokens whose signature verified, and that passed every check of
/// their claim, are added; it stops growing at <see cref="Capacity"/> entries, and keys longer than
/// <see cref="MaxKeyLength"/> are never kept, after which the caller builds the value as if the pool were absent.
/// </summary>
/// <remarks>
/// A value must be a pure function of the key bytes (the same bytes always make the same value), so sharing it between
/// tokens, trust anchors and threads can never change a result. Keys are hashed with XXH3 under a per-pool random seed:
/// a signer cannot choose values that collide in a gateway's table.
/// </remarks>
internal sealed class Utf8Pool<TValue>
    where TValue : class
{
    private readonly ConcurrentDictionary<byte[], TValue> _entries;
    private readonly ConcurrentDictionary<byte[], TValue>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private int _count;

    public Utf8Pool(int capacity, int maxKeyLength)
    {
        Capacity = capacity;
        MaxKeyLength = maxKeyLength;
        _entries = new ConcurrentDictionary<byte[], TValue>(new KeyComparer());
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Capacity { get; }

    public int MaxKeyLength { get; }

    /// <summary>Entries held (for tests).</summary>
    public int Count => Volatile.Read(ref _count);

    public bool TryGet(ReadOnlySpan<byte> key, [NotNullWhen(true)] out TValue? value)
    {
        if (key.Length > MaxKeyLength)
        {
            value = null;
            return false;
        }

        return _bySpan.TryGetValue(key, out value);
    }

    /// <summary>Keeps <paramref name="value"/> for <paramref name="key"/> while there is room; a key already held keeps its first value.</summary>
    public void Add(ReadOnlySpan<byte> key, TValue value)
    {
        if (key.Length > MaxKeyLength || Volatile.Read(ref _count) >= Capacity)
        {
            return;
        }

        // A place is taken before the entry is added, so concurrent adds never go past the capacity.
        if (Interlocked.Increment(ref _count) > Capacity || !_bySpan.TryAdd(key, value))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>Ordinal byte equality, and a seeded XXH3 hash the same for an array and a span of equal bytes.</summary>
    private sealed class KeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        private readonly long _seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(sizeof(long)));

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)XxHash3.HashToUInt64(alternate, _seed);

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
