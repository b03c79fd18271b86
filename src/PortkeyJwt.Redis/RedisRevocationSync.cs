using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace PortkeyJwt.Redis;

/// <summary>
/// Keeps a gateway's <see cref="RevocationList"/> in step with a <see cref="RedisRevocationStore"/>: a full sync at start,
/// pub/sub as the fast path (within a second), a poll of the change log every <see cref="RedisRevocationOptions.PollInterval"/>
/// for what pub/sub lost, and a full resync after every reconnect. While Redis is away the list keeps its last state for
/// <see cref="RedisRevocationOptions.MaxStaleness"/>.
/// </summary>
public sealed class RedisRevocationSync : IAsyncDisposable
{
    private RedisRevocationSync(RevocationList list, RedisRevocationStore store)
    {
        List = list;
        Store = store;
    }

    /// <summary>The list validators enforce (<see cref="PortkeyJwtOptions.Revocations"/>).</summary>
    public RevocationList List { get; }

    /// <summary>The store followed.</summary>
    public RedisRevocationStore Store { get; }

    /// <summary>The record version the list reflects; 0 before the first sync.</summary>
    public long Version => throw new NotImplementedException();

    /// <summary>
    /// Connects the list to the store and makes the first full sync. When Redis cannot be reached the sync keeps trying in
    /// the background and the returned object is usable; until it succeeds the list is stale (see <see cref="RevocationList.MaxStaleness"/>).
    /// </summary>
    public static Task<RedisRevocationSync> StartAsync(IConnectionMultiplexer redis, RedisRevocationOptions options, TimeProvider? timeProvider = null, ILogger? logger = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>Stops following the store: unsubscribes and ends the poll.</summary>
    public ValueTask DisposeAsync() => throw new NotImplementedException();

    internal static RedisRevocationSync Create(RevocationList list, RedisRevocationStore store) => new(list, store);
}
