using System.Collections.Concurrent;

namespace PortkeyJwt.Internal;

/// <summary>
/// Remembers <c>kid</c>s that a fetch has just proven unknown, each until its cooldown ends, so a flood of tokens with
/// the same bad kid costs one dictionary lookup. Bounded: when full it is emptied (a crude but strict bound: an attacker
/// gains nothing by filling it, because the per-source cooldown still limits fetches). Lookups never allocate.
/// </summary>
internal sealed class UnknownKeyCache
{
    private readonly ConcurrentDictionary<string, long> _until = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly int _capacity;

    public UnknownKeyCache(int capacity)
    {
        _capacity = capacity;
        _bySpan = _until.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Whether <paramref name="kid"/> was proven unknown and its cooldown has not ended at <paramref name="nowTicks"/>.</summary>
    public bool Contains(ReadOnlySpan<char> kid, long nowTicks) => _bySpan.TryGetValue(kid, out long until) && nowTicks < until;

    public void Add(string kid, long untilTicks)
    {
        if (_until.Count >= _capacity)
        {
            _until.Clear();
        }

        _until[kid] = untilTicks;
    }

    public void Clear() => _until.Clear();
}
