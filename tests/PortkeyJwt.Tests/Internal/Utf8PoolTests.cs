using PortkeyJwt.Internal;

namespace PortkeyJwt.Tests.Internal;

/// <summary><see cref="Utf8Pool{TValue}"/>: found by equal bytes, first value kept, bounded in entries and key length.</summary>
public sealed class Utf8PoolTests
{
    [Fact]
    public void Value_IsFound_ByEqualBytesFromAnotherBuffer()
    {
        var pool = new Utf8Pool<string>(capacity: 4, maxKeyLength: 16);
        pool.Add("org-1"u8, "org-1");

        byte[] other = "xorg-1x"u8.ToArray();
        Assert.True(pool.TryGet(other.AsSpan(1, 5), out string? found));
        Assert.Equal("org-1", found);
        Assert.False(pool.TryGet("org-2"u8, out _));
        Assert.False(pool.TryGet("org-"u8, out _));
        Assert.False(pool.TryGet(default, out _));
    }

    [Fact]
    public void KeyAlreadyHeld_KeepsItsFirstValue()
    {
        var pool = new Utf8Pool<string>(capacity: 4, maxKeyLength: 16);
        pool.Add("k"u8, "first");
        pool.Add("k"u8, "second");

        Assert.True(pool.TryGet("k"u8, out string? found));
        Assert.Equal("first", found);
        Assert.Equal(1, pool.Count);
    }

    [Fact]
    public void Pool_StopsGrowing_AtCapacity()
    {
        var pool = new Utf8Pool<string>(capacity: 3, maxKeyLength: 16);
        for (int i = 0; i < 10; i++)
        {
            pool.Add(System.Text.Encoding.ASCII.GetBytes($"key-{i}"), $"value-{i}");
        }

        Assert.Equal(3, pool.Count);
        Assert.True(pool.TryGet("key-2"u8, out _));
        Assert.False(pool.TryGet("key-3"u8, out _));
    }

    [Fact]
    public void KeyLongerThanTheBound_IsNeverKept()
    {
        var pool = new Utf8Pool<string>(capacity: 4, maxKeyLength: 4);
        pool.Add("four"u8, "four");
        pool.Add("five!"u8, "five!");

        Assert.True(pool.TryGet("four"u8, out _));
        Assert.False(pool.TryGet("five!"u8, out _));
        Assert.Equal(1, pool.Count);
    }

    [Fact]
    public void ConcurrentAdds_NeverExceedCapacity_AndEveryHitIsItsOwnValue()
    {
        var pool = new Utf8Pool<string>(capacity: 100, maxKeyLength: 16);
        Parallel.For(0, 1000, i =>
        {
            byte[] key = System.Text.Encoding.ASCII.GetBytes($"k{i % 300}");
            pool.Add(key, $"k{i % 300}");
            if (pool.TryGet(key, out string? found))
            {
                Assert.Equal($"k{i % 300}", found);
            }
        });

        Assert.InRange(pool.Count, 1, 100);
    }
}
