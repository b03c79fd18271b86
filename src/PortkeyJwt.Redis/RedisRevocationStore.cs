using System.Globalization;
using PortkeyJwt.Redis.Internal;
using StackExchange.Redis;

namespace PortkeyJwt.Redis;

/// <summary>
/// The fleet's record of revocations in Redis: what tools (<c>portkey-jwt revoke</c>) write and gateways
/// (<see cref="RedisRevocationSync"/>) follow. Each write updates the record, appends to the change log and publishes the
/// change, in one transaction. Key schema: see the package README.
/// </summary>
public sealed partial class RedisRevocationStore
{
    /// <summary>Approximate length the change log is trimmed to (<c>XADD MAXLEN ~</c>); a gateway further behind than this resyncs in full.</summary>
    internal const int ChangeLogLength = 100_000;

    // One script per write, so the record, the version, the change log and the channel cannot disagree: Redis runs a script
    // alone, and every check comes before the first write (a script that fails half-way keeps its earlier writes).
    // KEYS: tokens, watermarks, version, changes. ARGV: 1 for a token entry else 0, member or field, at (Unix s),
    // change JSON, change-log length, channel. Returns the version after the write (unchanged when nothing changed).
    private const string RevokeScript = """
        local time = redis.call('TIME')
        local now = tonumber(time[1])
        local at = tonumber(ARGV[3])
        local version = tonumber(redis.call('GET', KEYS[3]) or '0')
        if ARGV[1] == '1' then
          redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
          if at <= now then return version end
          local current = redis.call('ZSCORE', KEYS[1], ARGV[2])
          if current and tonumber(current) >= at then return version end
        else
          local current = redis.call('HGET', KEYS[2], ARGV[2])
          if current and tonumber(current) >= at then return version end
        end
        local last = redis.call('XREVRANGE', KEYS[4], '+', '-', 'COUNT', 1)
        if #last > 0 then
          local lastVersion = tonumber(string.match(last[1][1], '^(%d+)-'))
          if lastVersion == nil or lastVersion > version then redis.call('DEL', KEYS[4]) end
        end
        if ARGV[1] == '1' then
          redis.call('ZADD', KEYS[1], at, ARGV[2])
        else
          redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
        end
        version = redis.call('INCR', KEYS[3])
        redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], version .. '-0', 'v', version, 'e', ARGV[4])
        local writtenMs = now * 1000 + math.floor(tonumber(time[2]) / 1000)
        redis.call('PUBLISH', ARGV[6], '{"v":' .. version .. ',"t":' .. string.format('%d', writtenMs) .. ',"e":' .. ARGV[4] .. '}')
        return version
        """;

    private readonly RedisKey[] _writeKeys;

    /// <summary>A store over <paramref name="redis"/>, its keys under <paramref name="keyPrefix"/>.</summary>
    public RedisRevocationStore(IConnectionMultiplexer redis, string keyPrefix = "portkeyjwt:")
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        Redis = redis;
        KeyPrefix = keyPrefix;
        TokensKey = keyPrefix + "tokens";
        WatermarksKey = keyPrefix + "watermarks";
        VersionKey = keyPrefix + "version";
        ChangesKey = keyPrefix + "changes";
        Channel = RedisChannel.Literal(keyPrefix + "changes");
        SnapshotKey = keyPrefix + "snapshot";
        SnapshotWriterKey = keyPrefix + "snapshot:writer";
        _writeKeys = [TokensKey, WatermarksKey, VersionKey, ChangesKey];
    }

    /// <summary>The connection.</summary>
    public IConnectionMultiplexer Redis { get; }

    /// <summary>The prefix of every key and channel.</summary>
    public string KeyPrefix { get; }

    internal RedisKey TokensKey { get; }

    internal RedisKey WatermarksKey { get; }

    internal RedisKey VersionKey { get; }

    internal RedisKey ChangesKey { get; }

    internal RedisChannel Channel { get; }

    /// <summary>
    /// Records <paramref name="entry"/> for every gateway (a watermark only moves forward) and returns the record's new
    /// version. A write that changes nothing (a watermark or expiry not later than the one recorded, a token entry whose
    /// time has passed by Redis's clock) leaves the record, and its version, as they are and returns that version.
    /// </summary>
    public async Task<long> RevokeAsync(Revocation entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        bool token = entry.Kind == RevocationKind.Token;
        RedisValue[] arguments =
        [
            token ? "1" : "0",
            token ? RevocationCodec.TokenMember(entry) : RevocationCodec.WatermarkField(entry),
            entry.At.ToUnixTimeSeconds(),
            RevocationCodec.Change(entry),
            ChangeLogLength,
            KeyPrefix + "changes",
        ];
        RedisResult result = await Redis.GetDatabase().ScriptEvaluateAsync(RevokeScript, _writeKeys, arguments).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (long)result;
    }

    /// <summary>
    /// Every entry in force (token entries whose time has passed are left out), with the record's version, read together.
    /// Entries the package cannot read (written by something else) are left out.
    /// </summary>
    public async Task<(IReadOnlyList<Revocation> Entries, long Version)> ListAsync(CancellationToken cancellationToken = default)
    {
        Record record = await ReadRecordAsync(cancellationToken).ConfigureAwait(false);
        return (record.Entries, record.Version);
    }

    /// <summary>
    /// The record read at one instant: its entries in force, its version, Redis's clock (Unix s) and the change log's
    /// entry for that version as the log holds it (null when the log does not end with it), which a snapshot is tied to.
    /// </summary>
    private async Task<Record> ReadRecordAsync(CancellationToken cancellationToken)
    {
        // One MULTI/EXEC, so the version, the tokens and the watermarks are read at one instant, and Redis's clock with them.
        // Not a Lua script: a script building a million-element reply in Lua tables took 4.4 s for 1,000,000 entries where
        // the plain commands take about 1.7 s, and it blocks Redis all that time.
        ITransaction read = Redis.GetDatabase().CreateTransaction();
        Task<RedisResult> time = read.ExecuteAsync("TIME");
        Task<RedisValue> versionValue = read.StringGetAsync(VersionKey);
        Task<SortedSetEntry[]> tokens = read.SortedSetRangeByScoreWithScoresAsync(TokensKey);
        Task<HashEntry[]> watermarks = read.HashGetAllAsync(WatermarksKey);
        Task<StreamEntry[]> lastChange = read.StreamRangeAsync(ChangesKey, "-", "+", 1, Order.Descending);
        if (!await read.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new RedisException("The revocation record could not be read in one transaction.");
        }

        long now = (long)((RedisResult[])(await time.ConfigureAwait(false))!)[0];
        RedisValue versionRead = await versionValue.ConfigureAwait(false);
        long version = versionRead.IsNull ? 0 : (long)versionRead;
        SortedSetEntry[] tokenEntries = await tokens.ConfigureAwait(false);
        HashEntry[] watermarkEntries = await watermarks.ConfigureAwait(false);
        StreamEntry[] last = await lastChange.ConfigureAwait(false);
        var entries = new List<Revocation>(tokenEntries.Length + watermarkEntries.Length);
        foreach (SortedSetEntry token in tokenEntries)
        {
            if (token.Score > now && RevocationCodec.TryReadToken((string?)token.Element, token.Score, out Revocation? entry))
            {
                entries.Add(entry); // a token entry whose time has passed by Redis's clock is no longer in force
            }
        }

        foreach (HashEntry watermark in watermarkEntries)
        {
            if (RevocationCodec.TryReadWatermark((string?)watermark.Name, (string?)watermark.Value, out Revocation? entry))
            {
                entries.Add(entry);
            }
        }

        string? anchor = last.Length == 1 && (string?)last[0].Id == ChangeId(version) ? (string?)last[0]["e"] : null;
        return new Record(entries, version, now, anchor);
    }

    private sealed record Record(List<Revocation> Entries, long Version, long NowSeconds, string? AnchorChange);

    private static string ChangeId(long version) => version.ToString(CultureInfo.InvariantCulture) + "-0";

    /// <summary>The record's version (0 when nothing was ever written).</summary>
    internal async Task<long> ReadVersionAsync(CancellationToken cancellationToken)
    {
        RedisValue value = await Redis.GetDatabase().StringGetAsync(VersionKey).WaitAsync(cancellationToken).ConfigureAwait(false);
        return value.IsNull ? 0 : (long)value;
    }

    /// <summary>Up to <paramref name="count"/> changes of the log from version <paramref name="fromVersion"/> on, oldest first, as (version, entry or null when unreadable).</summary>
    internal async Task<IReadOnlyList<(long Version, Revocation? Entry)>> ReadChangesAsync(long fromVersion, int count, CancellationToken cancellationToken)
    {
        StreamEntry[] entries = await Redis.GetDatabase()
            .StreamRangeAsync(ChangesKey, $"{fromVersion.ToString(CultureInfo.InvariantCulture)}-0", "+", count)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        var changes = new List<(long, Revocation?)>(entries.Length);
        foreach (StreamEntry entry in entries)
        {
            RedisValue version = entry["v"];
            if (!version.TryParse(out long v))
            {
                v = -1;
            }

            changes.Add((v, RevocationCodec.TryReadChange((string?)entry["e"], out Revocation? change) ? change : null));
        }

        return changes;
    }
}
