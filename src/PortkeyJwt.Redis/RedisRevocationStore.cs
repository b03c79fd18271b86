using StackExchange.Redis;

namespace PortkeyJwt.Redis;

/// <summary>
/// The fleet's record of revocations in Redis: what tools (<c>portkey-jwt revoke</c>) write and gateways
/// (<see cref="RedisRevocationSync"/>) follow. Each write updates the record, appends to the change log and publishes the
/// change, in one transaction. Key schema: see the package README.
/// </summary>
public sealed class RedisRevocationStore
{
    /// <summary>A store over <paramref name="redis"/>, its keys under <paramref name="keyPrefix"/>.</summary>
    public RedisRevocationStore(IConnectionMultiplexer redis, string keyPrefix = "portkeyjwt:")
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        Redis = redis;
        KeyPrefix = keyPrefix;
    }

    /// <summary>The connection.</summary>
    public IConnectionMultiplexer Redis { get; }

    /// <summary>The prefix of every key and channel.</summary>
    public string KeyPrefix { get; }

    /// <summary>Records <paramref name="entry"/> for every gateway (a watermark only moves forward) and returns the record's new version.</summary>
    public Task<long> RevokeAsync(Revocation entry, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Every entry in force (token entries whose time has passed are left out), with the record's version.</summary>
    public Task<(IReadOnlyList<Revocation> Entries, long Version)> ListAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
}
