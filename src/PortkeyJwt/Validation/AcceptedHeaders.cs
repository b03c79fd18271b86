namespace PortkeyJwt.Internal;

/// <summary>
/// The few JOSE header segments a validator has lately seen on tokens whose signature verified, each with what the
/// header rules decided for it under one key set: the algorithm and the key. An identity provider signs every token with
/// the same header bytes, so a token whose header segment is one of these, character for character, under the same key
/// set, skips the header's decoding, its policy checks and the key lookup: their outcome depends on nothing else (a
/// validator's settings never change, and a key set is an immutable snapshot).
/// </summary>
/// <remarks>
/// Only headers of tokens whose signature verified are added, so forged tokens can neither fill nor displace the slots;
/// four slots hold a rotation's two kids with room to spare. A new key set misses every slot (the snapshot is compared by
/// reference), so a key the provider has dropped is never used again from here. Lock-free: each slot holds an immutable
/// entry replaced in one write; two threads adding at once cost one extra slot at worst.
/// </remarks>
internal sealed class AcceptedHeaders
{
    /// <summary>Longer header segments (certificate chains in <c>x5c</c>, say) are not kept: they are rare and costly to hold.</summary>
    public const int MaxSegmentLength = 512;

    private const int Slots = 4;

    private readonly Entry?[] _entries = new Entry?[Slots];
    private int _next;

    /// <summary>The entry for <paramref name="segment"/> under <paramref name="keys"/>, or null.</summary>
    public Entry? Find(ReadOnlySpan<char> segment, KeySetSnapshot keys)
    {
        for (int i = 0; i < Slots; i++)
        {
            Entry? entry = Volatile.Read(ref _entries[i]);
            if (entry is not null && ReferenceEquals(entry.Keys, keys) && segment.SequenceEqual(entry.Segment))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>
    /// Remembers that <paramref name="segment"/> selects <paramref name="key"/> (found in <paramref name="keys"/>) for
    /// <paramref name="algorithm"/>: in an empty slot or one from an older key set if there is one, else in the next slot in turn.
    /// </summary>
    public void Add(ReadOnlySpan<char> segment, KeySetSnapshot keys, JwsAlgorithm algorithm, VerificationKey key)
    {
        if (segment.Length > MaxSegmentLength)
        {
            return;
        }

        int slot = -1;
        for (int i = 0; i < Slots && slot < 0; i++)
        {
            Entry? entry = Volatile.Read(ref _entries[i]);
            if (entry is null || !ReferenceEquals(entry.Keys, keys))
            {
                slot = i;
            }
        }

        if (slot < 0)
        {
            slot = (int)((uint)Interlocked.Increment(ref _next) % Slots);
        }

        Volatile.Write(ref _entries[slot], new Entry(segment.ToString(), keys, algorithm, key));
    }

    /// <summary>A header segment, the key set it was read under, and what it selected there.</summary>
    public sealed class Entry(string segment, KeySetSnapshot keys, JwsAlgorithm algorithm, VerificationKey key)
    {
        public string Segment { get; } = segment;

        public KeySetSnapshot Keys { get; } = keys;

        public JwsAlgorithm Algorithm { get; } = algorithm;

        public VerificationKey Key { get; } = key;
    }
}
