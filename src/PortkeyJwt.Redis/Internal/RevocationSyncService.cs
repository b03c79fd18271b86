using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace PortkeyJwt.Redis.Internal;

/// <summary>
/// Connects the container's <see cref="RevocationList"/> to Redis when the host starts and disconnects it when the host
/// stops. The start waits for the first full sync for at most <see cref="StartLimit"/>: past that (Redis down or slow) the
/// host starts anyway, the sync carries on in the background, and until it succeeds the list is never-synced, so tokens
/// fail with <see cref="PortkeyJwtError.RevocationUnavailable"/> (or pass, with <see cref="RedisRevocationOptions.FailOpen"/>).
/// </summary>
internal sealed partial class RevocationSyncService(
    RevocationList list,
    RedisRevocationOptions options,
    Func<Task<IConnectionMultiplexer>> connect,
    TimeProvider time,
    ILogger<RevocationSyncService> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>Longest the host start waits for Redis: the connect timeout's default, so a gateway is never held longer than that.</summary>
    internal static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private Task<RedisRevocationSync>? _starting;
    private int _disposed;

    /// <summary>The list validators enforce.</summary>
    public RevocationList List => list;

    /// <summary>The record version the list reflects; 0 before the first sync.</summary>
    public long Version => _starting is { IsCompletedSuccessfully: true } started ? started.Result.Version : 0;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        RevocationTelemetry.Track(list, options.KeyPrefix);
        _starting = StartSyncAsync(_stopping.Token);
        try
        {
            await _starting.WaitAsync(StartLimit, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogStartContinues(logger, StartLimit.TotalSeconds); // _starting carries on
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        RevocationTelemetry.Untrack(list);
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_starting is { } starting)
        {
            _starting = null;
            await ((Task)starting).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (starting.IsCompletedSuccessfully)
            {
                await starting.Result.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops, once: the container disposes this instance twice (registered as itself and as a hosted service).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task<RedisRevocationSync> StartSyncAsync(CancellationToken cancellationToken)
    {
        using Activity? activity = RevocationTelemetry.Source.StartActivity("portkeyjwt.revocation.start");
        activity?.SetTag("portkeyjwt.key_prefix", options.KeyPrefix);
        IConnectionMultiplexer redis = await connect().ConfigureAwait(false);
        RedisRevocationSync sync = await RedisRevocationSync.StartAsync(redis, options, list, time, logger, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("portkeyjwt.revocation.version", sync.Version);
        activity?.SetTag("portkeyjwt.revocation.entries", list.Count);
        activity?.SetTag("portkeyjwt.revocation.synced", list.LastSyncedAt is not null);
        if (list.LastSyncedAt is not null)
        {
            LogStarted(logger, list.Count, sync.Version);
        }

        return sync;
    }

    [LoggerMessage(102, LogLevel.Warning, "Revocations: Redis has not answered within {Seconds} s of startup; the host starts and the sync keeps trying (tokens fail with RevocationUnavailable until it succeeds, unless FailOpen)")]
    private static partial void LogStartContinues(ILogger logger, double seconds);

    [LoggerMessage(103, LogLevel.Information, "Revocations: synced from Redis, {Entries} entries in force (version {Version})")]
    private static partial void LogStarted(ILogger logger, int entries, long version);
}
