using System.Collections.Frozen;

namespace PortkeyJwt.Internal;

/// <summary>
/// An immutable, loaded key set indexed by <c>kid</c>. A provider publishes a new snapshot with one reference write;
/// readers take the reference once per validation and never lock.
/// </summary>
internal sealed class KeySetSnapshot
{
    private readonly FrozenDictionary<string, VerificationKey>.AlternateLookup<ReadOnlySpan<char>> _byKid;

    public KeySetSnapshot(IEnumerable<VerificationKey> keys, DateTimeOffset loadedAt)
    {
        Keys = keys.ToFrozenDictionary(k => k.KeyId, StringComparer.Ordinal);
        _byKid = Keys.GetAlternateLookup<ReadOnlySpan<char>>();
        LoadedAt = loadedAt;
    }

    public FrozenDictionary<string, VerificationKey> Keys { get; }

    /// <summary>When the provider finished loading this set.</summary>
    public DateTimeOffset LoadedAt { get; }

    public int Count => Keys.Count;

    /// <summary>Looks a key up by <c>kid</c> without allocating a string.</summary>
    public bool TryGetKey(ReadOnlySpan<char> kid, out VerificationKey key) => _byKid.TryGetValue(kid, out key!);
}
