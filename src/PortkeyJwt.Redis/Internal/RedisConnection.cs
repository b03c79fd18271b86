using StackExchange.Redis;

namespace PortkeyJwt.Redis.Internal;

/// <summary>
/// The connection <c>AddPortkeyJwtRedisRevocation</c> opens, once, on first use: <see cref="ConnectionMultiplexer.ConnectAsync(ConfigurationOptions, TextWriter?)"/>
/// with <c>abortConnect=false</c>, so it completes after at most the connect timeout (default 5 s) even when Redis is down,
/// and the multiplexer keeps reconnecting in the background. Disposed with the container.
/// </summary>
internal sealed class RedisConnection(string configuration) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private Task<ConnectionMultiplexer>? _connecting;

    /// <summary>The connection, connecting on the first call; every caller shares the one attempt.</summary>
    public Task<ConnectionMultiplexer> GetAsync()
    {
        lock (_gate)
        {
            return _connecting ??= Connect(configuration);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<ConnectionMultiplexer>? connecting;
        lock (_gate)
        {
            connecting = _connecting;
        }

        if (connecting is not null)
        {
            await (await connecting.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
    }

    private static Task<ConnectionMultiplexer> Connect(string configuration)
    {
        ConfigurationOptions options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false; // a gateway starts, and keeps serving on its last state, while Redis is away
        return ConnectionMultiplexer.ConnectAsync(options);
    }
}
