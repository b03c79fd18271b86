using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace PortkeyJwt.Redis.Internal;

/// <summary>
/// Keeps the container's <see cref="RevocationList"/> (created before anything else, because the validator captures it
/// when it is built) in step with a <see cref="RedisRevocationSync"/>.
/// </summary>
/// <remarks>
/// Interim. <see cref="RedisRevocationSync.StartAsync"/> creates its own list, and nothing public reads a list's entries,
/// so this mirrors the sync: every <see cref="MirrorInterval"/> it compares the sync's <see cref="RedisRevocationSync.Version"/>
/// with the version it copied, and on a change reads the whole record (<see cref="RedisRevocationStore.ListAsync"/>) into
/// the container's list; each time the sync's list is marked synced, the container's list is too. Propagation costs one
/// more interval and one read of the record per change. Once <c>RedisRevocationSync</c> can feed a list it is given
/// (a <c>StartAsync</c> overload taking a <see cref="RevocationList"/>), this class becomes that one call and
/// <see cref="Version"/> becomes the sync's own.
/// </remarks>
internal sealed partial class RevocationFeed : IAsyncDisposable
{
    /// <summary>How often the mirror looks at the sync: two in-memory reads when nothing changed.</summary>
    internal static readonly TimeSpan MirrorInterval = TimeSpan.FromMilliseconds(50);

    private readonly RedisRevocationSync _sync;
    private readonly RevocationList _list;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _mirror = Task.CompletedTask;
    private long _version;

    private RevocationFeed(RedisRevocationSync sync, RevocationList list, TimeProvider time, ILogger logger)
    {
        _sync = sync;
        _list = list;
        _time = time;
        _logger = logger;
    }

    /// <summary>The record version the container's list reflects; 0 before the first sync.</summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>Starts the sync (its first full sync included, or its background retries when Redis is away) and the mirror.</summary>
    public static async Task<RevocationFeed> StartAsync(IConnectionMultiplexer redis, RedisRevocationOptions options, RevocationList list, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        RedisRevocationSync sync = await RedisRevocationSync.StartAsync(redis, options, time, logger, cancellationToken).ConfigureAwait(false);
        var feed = new RevocationFeed(sync, list, time, logger);
        DateTimeOffset? seen = await feed.MirrorOnceAsync(lastSeenSync: null).ConfigureAwait(false); // the first sync's state, before the host serves
        feed._mirror = feed.MirrorAsync(seen);
        return feed;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _mirror.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _sync.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task MirrorAsync(DateTimeOffset? lastSeenSync)
    {
        using var timer = new PeriodicTimer(MirrorInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                lastSeenSync = await MirrorOnceAsync(lastSeenSync).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // disposed
        }
    }

    /// <summary>Copies what changed since <paramref name="lastSeenSync"/>; returns the sync time now reflected.</summary>
    private async Task<DateTimeOffset?> MirrorOnceAsync(DateTimeOffset? lastSeenSync)
    {
        DateTimeOffset? synced = _sync.List.LastSyncedAt;
        if (synced is null)
        {
            return null; // no sync yet: the container's list stays never-synced (stale) too
        }

        try
        {
            if (_sync.Version != Version || lastSeenSync is null)
            {
                (IReadOnlyList<Revocation> entries, long version) = await _sync.Store.ListAsync(_stop.Token).ConfigureAwait(false);
                _list.ReplaceAll(entries); // marks the list synced: it is what Redis holds now
                Volatile.Write(ref _version, version);
                RevocationTelemetry.Resyncs.Add(1);
            }
            else if (synced != lastSeenSync)
            {
                _list.MarkSynced();
            }

            return synced;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogMirrorFailed(_logger, ex.Message);
            return lastSeenSync; // retried on the next tick; the list ages meanwhile, towards MaxStaleness
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return lastSeenSync;
        }
    }

    [LoggerMessage(101, LogLevel.Warning, "Revocations: reading the record from Redis failed ({Reason}); retrying")]
    private static partial void LogMirrorFailed(ILogger logger, string reason);
}
