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
        ServeUntil = DateTimeOffset.MaxValue;
    }

    /// <summary>The same keys (no re-import) with a new serving deadline.</summary>
    private KeySetSnapshot(KeySetSnapshot keys, DateTimeOffset serveUntil)
    {
        Keys = keys.Keys;
        _byKid = keys._byKid;
        LoadedAt = keys.LoadedAt;
        ServeUntil = serveUntil;
    }

    public FrozenDictionary<string, VerificationKey> Keys { get; }

    /// <summary>When the keys were imported.</summary>
    public DateTimeOffset LoadedAt { get; }

    /// <summary>After this instant the set is too stale to serve (<see cref="DateTimeOffset.MaxValue"/> for a static set).</summary>
    public DateTimeOffset ServeUntil { get; }

    public int Count => Keys.Count;

    /// <summary>Looks a key up by <c>kid</c> without allocating a string.</summary>
    public bool TryGetKey(ReadOnlySpan<char> kid, out VerificationKey key) => _byKid.TryGetValue(kid, out key!);

    public KeySetSnapshot ServedUntil(DateTimeOffset serveUntil) => new(this, serveUntil);
}
