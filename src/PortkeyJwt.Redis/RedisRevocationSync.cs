using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace PortkeyJwt.Redis;

/// <summary>
/// Keeps a gateway's <see cref="RevocationList"/> in step with a <see cref="RedisRevocationStore"/>: a full sync at start,
/// pub/sub as the fast path (within a second), a poll of the change log every <see cref="RedisRevocationOptions.PollInterval"/>
/// for what pub/sub lost, and a full resync after every reconnect. While Redis is away the list keeps its last state for
/// <see cref="RedisRevocationOptions.MaxStaleness"/>.
/// </summary>
/// <remarks>
/// One rule: every change to the list and to <see cref="Version"/> (a message applied, a catch-up from the change log, a
/// full resync) happens under <see cref="_gate"/>, one at a time, so <see cref="Version"/> is always the version of the
/// record the list reflects. Validations only read the list's snapshot and never wait for the gate.
/// </remarks>
public sealed partial class RedisRevocationSync : IAsyncDisposable
{
    /// <summary>Changes read from the change log per round trip while catching up.</summary>
    internal const int CatchUpBatch = 1000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _pollInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _version;

    /// <summary>Whether the list reflects a full sync since start or the last reconnect; until then messages are left to the next full sync.</summary>
    private volatile bool _synced;

    private ChannelMessageQueue? _subscription;
    private Task _poll = Task.CompletedTask;
    private Task _snapshotWrite = Task.CompletedTask;
    private int _disposed;

    private RedisRevocationSync(RevocationList list, RedisRevocationStore store, TimeSpan pollInterval, TimeProvider time, ILogger logger)
    {
        List = list;
        Store = store;
        _pollInterval = pollInterval;
        _time = time;
        _logger = logger;
    }

    /// <summary>The list validators enforce (<see cref="PortkeyJwtOptions.Revocations"/>).</summary>
    public RevocationList List { get; }

    /// <summary>The store followed.</summary>
    public RedisRevocationStore Store { get; }

    /// <summary>The record version the list reflects; 0 before the first sync.</summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>
    /// Connects the list to the store and makes the first full sync. When Redis cannot be reached the sync keeps trying in
    /// the background and the returned object is usable; until it succeeds the list is stale (see <see cref="RevocationList.MaxStaleness"/>).
    /// </summary>
    public static Task<RedisRevocationSync> StartAsync(IConnectionMultiplexer redis, RedisRevocationOptions options, TimeProvider? timeProvider = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        TimeProvider time = timeProvider ?? TimeProvider.System;
        return StartAsync(redis, options, new RevocationList(time) { MaxStaleness = options.MaxStaleness, FailOpen = options.FailOpen }, time, logger, cancellationToken);
    }

    /// <summary>
    /// As <see cref="StartAsync(IConnectionMultiplexer, RedisRevocationOptions, TimeProvider?, ILogger?, CancellationToken)"/>,
    /// feeding <paramref name="list"/>: the list a container registered before any validator was built (its staleness
    /// bound and fail-open setting are the caller's, made from the same options).
    /// </summary>
    internal static async Task<RedisRevocationSync> StartAsync(IConnectionMultiplexer redis, RedisRevocationOptions options, RevocationList list, TimeProvider time, ILogger? logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var sync = new RedisRevocationSync(list, new RedisRevocationStore(redis, options.KeyPrefix), options.PollInterval, time, logger ?? NullLogger.Instance);
        try
        {
            redis.ConnectionRestored += sync.OnConnectionRestored;
            await sync.TrySubscribeAsync(cancellationToken).ConfigureAwait(false);
            await sync.StepAsync(sync.FullSyncLockedAsync, "start", cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
        catch
        {
            await sync.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        sync._poll = sync.PollLoopAsync();
        return sync;
    }

    /// <summary>Stops following the store: unsubscribes and ends the poll. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Store.Redis.ConnectionRestored -= OnConnectionRestored;
        await _stop.CancelAsync().ConfigureAwait(false);
        await UnsubscribeAsync().ConfigureAwait(false);
        await _poll.ConfigureAwait(false); // the loop catches everything
        await _snapshotWrite.ConfigureAwait(false); // so does the snapshot write
        await _gate.WaitAsync().ConfigureAwait(false); // the step in progress, if any, ends (each Redis call is bounded by its timeout)
        _gate.Release();
        // _stop is not disposed: a message or reconnect handler still running may read its token; it holds no timer.
    }

    internal static RedisRevocationSync Create(RevocationList list, RedisRevocationStore store) =>
        new(list, store, TimeSpan.FromSeconds(5), TimeProvider.System, NullLogger.Instance);

    /// <summary>Stops the pub/sub path (the poll subscribes again, unless disposed).</summary>
    internal async Task UnsubscribeAsync()
    {
        if (Interlocked.Exchange(ref _subscription, null) is { } subscription)
        {
            try
            {
                await subscription.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                // The subscription goes with the connection anyway.
            }
        }
    }

    /// <summary>One poll: (re)subscribes if needed, then a full sync if none holds, else a catch-up when the record moved; marks the list synced on success.</summary>
    internal async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _subscription) is null && Volatile.Read(ref _disposed) == 0)
        {
            await TrySubscribeAsync(cancellationToken).ConfigureAwait(false);
        }

        await StepAsync(PollLockedAsync, "poll", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies one channel message (<c>{"v":version,"e":change}</c>): in order, or by catching up over a gap.</summary>
    internal Task ApplyMessageAsync(string? message, CancellationToken cancellationToken)
    {
        if (!Internal.RevocationCodec.TryReadMessage(message, out long version, out long writtenMs, out Revocation? entry))
        {
            Log.UnreadableMessage(_logger);
            return Task.CompletedTask;
        }

        return StepAsync(
            async ct =>
            {
                long current = Volatile.Read(ref _version);
                if (!_synced || version <= current)
                {
                    return; // already reflected, or the pending full sync will read it
                }

                if (version == current + 1)
                {
                    List.Add(entry);
                    Volatile.Write(ref _version, version);
                    Log.Applied(_logger, version);
                    if (writtenMs > 0)
                    {
                        // From Redis's clock at the write to this gateway's at the apply: approximate by the clocks' difference.
                        Internal.RevocationTelemetry.Propagation.Record(Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds() - writtenMs) / 1000.0);
                    }
                }
                else
                {
                    Log.Gap(_logger, current, version);
                    await CatchUpLockedAsync(version, ct).ConfigureAwait(false);
                }
            },
            "message",
            cancellationToken);
    }

    private async Task PollLoopAsync()
    {
        CancellationToken stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_pollInterval, _time, stop).ConfigureAwait(false);
                await PollOnceAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Never let the loop die: a list that stops polling would go stale with no one retrying.
                Log.StepFailed(_logger, "poll", e.GetType().Name, Volatile.Read(ref _version));
            }
        }
    }

    private async Task PollLockedAsync(CancellationToken cancellationToken)
    {
        if (!_synced)
        {
            await FullSyncLockedAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        long current = await Store.ReadVersionAsync(cancellationToken).ConfigureAwait(false);
        long version = Volatile.Read(ref _version);
        if (current > version)
        {
            Log.Behind(_logger, version, current);
            await CatchUpLockedAsync(current, cancellationToken).ConfigureAwait(false);
        }
        else if (current < version)
        {
            Log.WentBack(_logger, version, current);
            await FullSyncLockedAsync(cancellationToken).ConfigureAwait(false);
        }

        List.MarkSynced(); // Redis answered and the list holds what it holds: staleness measures reachability
    }

    /// <summary>Applies the change log from <see cref="Version"/> + 1 on; a full sync when the log no longer holds those changes or does not reach <paramref name="target"/>.</summary>
    private async Task CatchUpLockedAsync(long target, CancellationToken cancellationToken)
    {
        long version = Volatile.Read(ref _version);
        int applied = 0;
        while (true)
        {
            IReadOnlyList<(long Version, Revocation? Entry)> changes = await Store.ReadChangesAsync(version + 1, CatchUpBatch, cancellationToken).ConfigureAwait(false);
            var batch = new List<Revocation>(changes.Count);
            foreach ((long v, Revocation? entry) in changes)
            {
                if (v != version + 1 || entry is null)
                {
                    Log.LogGap(_logger, version, v);
                    await FullSyncLockedAsync(cancellationToken).ConfigureAwait(false);
                    return;
                }

                batch.Add(entry);
                version = v;
            }

            List.AddRange(batch);
            Volatile.Write(ref _version, version);
            applied += batch.Count;
            if (changes.Count < CatchUpBatch)
            {
                break;
            }
        }

        if (version < target)
        {
            Log.LogShort(_logger, version, target);
            await FullSyncLockedAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        Log.CaughtUp(_logger, applied, version);
    }

    private async Task FullSyncLockedAsync(CancellationToken cancellationToken)
    {
        RedisRevocationStore.SyncRead read = await Store.ReadForSyncAsync(cancellationToken).ConfigureAwait(false);
        List.ReplaceAll(read.Entries); // also marks the list synced
        Volatile.Write(ref _version, read.Version);
        _synced = true;
        Internal.RevocationTelemetry.Resyncs.Add(1);
        Log.FullSync(_logger, List.Count, read.Version, read.FromSnapshot, read.Replayed);

        // After the list is in place, and outside the serialised steps: encoding and sending a million entries takes a
        // couple of seconds, which changes arriving by pub/sub meanwhile must not wait for. One write at a time.
        if (Store.WorthASnapshot(read) && _snapshotWrite.IsCompleted)
        {
            _snapshotWrite = Task.Run(() => WriteSnapshotAsync(read), CancellationToken.None); // it stops on _stop itself
        }
    }

    /// <summary>Leaves a snapshot of <paramref name="read"/> for the next full sync; a failure is logged, never thrown (the record stays the truth).</summary>
    private async Task WriteSnapshotAsync(RedisRevocationStore.SyncRead read)
    {
        try
        {
            if (await Store.TryWriteSnapshotAsync(read, _stop.Token).ConfigureAwait(false))
            {
                Log.SnapshotWritten(_logger, read.Version);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // disposed
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            Log.SnapshotFailed(_logger, e.GetType().Name, read.Version);
        }
    }

    /// <summary>Runs one step under the gate; a Redis failure is logged, never thrown (the poll retries).</summary>
    private async Task StepAsync(Func<CancellationToken, Task> step, string what, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        try
        {
            await _gate.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await step(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // disposed
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException or InvalidCastException)
        {
            Log.StepFailed(_logger, what, e.GetType().Name, Volatile.Read(ref _version));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task TrySubscribeAsync(CancellationToken cancellationToken)
    {
        try
        {
            ChannelMessageQueue subscription = await Store.Redis.GetSubscriber().SubscribeAsync(Store.Channel).WaitAsync(cancellationToken).ConfigureAwait(false);
            subscription.OnMessage(message => ApplyMessageAsync((string?)message.Message, CancellationToken.None));
            Volatile.Write(ref _subscription, subscription);
            if (Volatile.Read(ref _disposed) != 0)
            {
                await UnsubscribeAsync().ConfigureAwait(false); // disposed meanwhile: do not leave it behind
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.SubscribeFailed(_logger, e.GetType().Name);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        // Whatever was published while the connection was away is lost: resync in full, now (and at each poll until one succeeds).
        _synced = false;
        Log.Reconnected(_logger, e.ConnectionType.ToString());
        _ = StepAsync(
            ct => _synced ? Task.CompletedTask : FullSyncLockedAsync(ct),
            "resync after reconnect",
            CancellationToken.None);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Revocations: full sync, {Count} entries at version {Version} (from a snapshot: {FromSnapshot}, {Replayed} changes replayed over it)")]
        public static partial void FullSync(ILogger logger, int count, long version, bool fromSnapshot, int replayed);

        [LoggerMessage(2, LogLevel.Debug, "Revocations: change {Version} applied")]
        public static partial void Applied(ILogger logger, long version);

        [LoggerMessage(3, LogLevel.Information, "Revocations: message for version {Received} while at {Version}; catching up from the change log")]
        public static partial void Gap(ILogger logger, long version, long received);

        [LoggerMessage(4, LogLevel.Information, "Revocations: record at version {Current} while the list is at {Version}; catching up from the change log")]
        public static partial void Behind(ILogger logger, long version, long current);

        [LoggerMessage(5, LogLevel.Warning, "Revocations: record version went back from {Version} to {Current}; full resync")]
        public static partial void WentBack(ILogger logger, long version, long current);

        [LoggerMessage(6, LogLevel.Information, "Revocations: the change log lacks change {Next} (found {Found}); full resync")]
        public static partial void LogGapCore(ILogger logger, long next, long found);

        [LoggerMessage(7, LogLevel.Information, "Revocations: the change log ends at {Version} before {Target}; full resync")]
        public static partial void LogShort(ILogger logger, long version, long target);

        [LoggerMessage(8, LogLevel.Debug, "Revocations: caught up, {Count} changes applied, at version {Version}")]
        public static partial void CaughtUp(ILogger logger, int count, long version);

        [LoggerMessage(9, LogLevel.Warning, "Revocations: {Step} failed ({Error}); the list keeps version {Version} and ages until Redis answers")]
        public static partial void StepFailed(ILogger logger, string step, string error, long version);

        [LoggerMessage(10, LogLevel.Warning, "Revocations: subscribing to the change channel failed ({Error}); retrying at the next poll")]
        public static partial void SubscribeFailed(ILogger logger, string error);

        [LoggerMessage(11, LogLevel.Information, "Revocations: Redis connection ({Connection}) restored; full resync")]
        public static partial void Reconnected(ILogger logger, string connection);

        [LoggerMessage(12, LogLevel.Warning, "Revocations: an unreadable message on the change channel was ignored")]
        public static partial void UnreadableMessage(ILogger logger);

        [LoggerMessage(13, LogLevel.Debug, "Revocations: snapshot of version {Version} written for the next full sync")]
        public static partial void SnapshotWritten(ILogger logger, long version);

        [LoggerMessage(14, LogLevel.Warning, "Revocations: writing the snapshot of version {Version} failed ({Error}); full syncs read the record meanwhile")]
        public static partial void SnapshotFailed(ILogger logger, string error, long version);

        public static void LogGap(ILogger logger, long version, long found) => LogGapCore(logger, version + 1, found);
    }
}
