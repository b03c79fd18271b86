using System.Collections.Concurrent;

namespace PortkeyJwt.Internal;

/// <summary>
/// A bounded, thread-safe intern pool for the short strings a principal carries (organisations, workspaces, scopes,
/// user ids). A gateway sees the same few values again and again; reusing one instance keeps a successful validation
/// from allocating them. Only values from tokens whose signature verified ever reach it, and it stops growing at
/// <see cref="Capacity"/> entries, after which values are allocated as usual.
/// </summary>
internal sealed class StringPool
{
    public const int MaxPooledLength = 256;

    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private int _count;

    public StringPool(int capacity)
    {
        Capacity = capacity;
        _bySpan = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Capacity { get; }

    public string GetOrAdd(ReadOnlySpan<char> value)
    {
        if (_bySpan.TryGetValue(value, out string? pooled))
        {
            return pooled;
        }

        string created = value.ToString();
        if (value.Length <= MaxPooledLength && Volatile.Read(ref _count) < Capacity && _strings.TryAdd(created, created))
        {
            Interlocked.Increment(ref _count);
        }

        return created;
    }
}
