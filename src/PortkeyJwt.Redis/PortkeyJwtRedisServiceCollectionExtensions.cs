using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PortkeyJwt;
using PortkeyJwt.Redis;
using PortkeyJwt.Redis.Internal;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers fleet-wide revocation on Redis: the list the PortkeyJwt scheme enforces, fed by a <see cref="RedisRevocationSync"/>.</summary>
public static class PortkeyJwtRedisServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="RevocationList"/> (with <see cref="RedisRevocationOptions.MaxStaleness"/> and
    /// <see cref="RedisRevocationOptions.FailOpen"/>, on the container's <see cref="TimeProvider"/>), which
    /// <c>AddPortkeyJwt</c>'s validator enforces, and a hosted service that keeps it in step with Redis from host start to
    /// host stop (<see cref="RedisRevocationSync"/>). The start waits for the first sync for at most 5 seconds: a gateway
    /// starts while Redis is down, and until the first sync tokens fail with <see cref="PortkeyJwtError.RevocationUnavailable"/>
    /// (unless <c>FailOpen</c>). Unless the container already has one, a singleton <see cref="IConnectionMultiplexer"/> is
    /// registered, connected once (<c>abortConnect=false</c>) from <see cref="RedisRevocationOptions.Redis"/> when the host
    /// starts. The options are checked at start: a missing or unparsable <c>Redis</c>, an empty <c>KeyPrefix</c>,
    /// <c>PollInterval</c> outside 100 ms to 5 minutes, or <c>MaxStaleness</c> outside 1 second to 1 day or not longer than
    /// <c>PollInterval</c> fails the start with an <see cref="OptionsValidationException"/>. A <see cref="RevocationList"/>
    /// already registered is the one fed (its own staleness settings then apply).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the connection string and the bounds.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddPortkeyJwtRedisRevocation(this IServiceCollection services, Action<RedisRevocationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        AddCore(services).Configure(configure);
        return services;
    }

    /// <summary>
    /// Registers revocation as <see cref="AddPortkeyJwtRedisRevocation(IServiceCollection, Action{RedisRevocationOptions})"/>
    /// does, with options bound from <paramref name="configuration"/>, typically <c>builder.Configuration.GetSection("PortkeyJwt:Revocation")</c>:
    /// <c>Redis</c>, <c>KeyPrefix</c>, <c>PollInterval</c> and <c>MaxStaleness</c> (as <c>"00:00:05"</c>), <c>FailOpen</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section holding <see cref="RedisRevocationOptions"/>' members.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddPortkeyJwtRedisRevocation(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCore(services).Bind(configuration);
        return services;
    }

    private static OptionsBuilder<RedisRevocationOptions> AddCore(IServiceCollection services)
    {
        bool ownConnection = !services.Any(static d => d.ServiceType == typeof(IConnectionMultiplexer));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisRevocationOptions>, RedisOptionsValidator>());

        // The list exists as soon as anything asks for it (the validator, built lazily, captures it); the sync feeds it later.
        services.TryAddSingleton(static services =>
        {
            RedisRevocationOptions options = services.GetRequiredService<IOptions<RedisRevocationOptions>>().Value;
            return new RevocationList(services.GetRequiredService<TimeProvider>()) { MaxStaleness = options.MaxStaleness, FailOpen = options.FailOpen };
        });
        if (ownConnection)
        {
            services.TryAddSingleton(static services => new RedisConnection(services.GetRequiredService<IOptions<RedisRevocationOptions>>().Value.Redis!));

            // Connected by the hosted service at start; resolved earlier, this waits for the connect timeout at most.
            services.TryAddSingleton<IConnectionMultiplexer>(static services => services.GetRequiredService<RedisConnection>().GetAsync().GetAwaiter().GetResult());
        }

        services.TryAddSingleton(services => new RevocationSyncService(
            services.GetRequiredService<RevocationList>(),
            services.GetRequiredService<IOptions<RedisRevocationOptions>>().Value,
            ownConnection
                ? async () => await services.GetRequiredService<RedisConnection>().GetAsync().ConfigureAwait(false)
                : () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()),
            services.GetRequiredService<TimeProvider>(),
            services.GetService<ILogger<RevocationSyncService>>() ?? NullLogger<RevocationSyncService>.Instance));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RevocationSyncService>(static services => services.GetRequiredService<RevocationSyncService>()));
        return services.AddOptions<RedisRevocationOptions>().ValidateOnStart();
    }
}
