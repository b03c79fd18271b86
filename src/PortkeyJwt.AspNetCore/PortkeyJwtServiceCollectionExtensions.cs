using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PortkeyJwt;
using PortkeyJwt.AspNetCore;
using PortkeyJwt.AspNetCore.Internal;
using PortkeyJwt.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers PortkeyJwt's key provider and validator in a service collection.</summary>
public static class PortkeyJwtServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="JwksKeyProvider"/> and <see cref="PortkeyJwtValidator"/> configured by
    /// <paramref name="configure"/>, and <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is already
    /// registered. The options are checked when the host starts: a missing JWKS source, a plain-HTTP JWKS URL to a
    /// non-loopback host or an out-of-range value fails the start with an <see cref="OptionsValidationException"/>.
    /// A remote provider's first JWKS fetch begins when the host starts (the start does not wait for it).
    /// With <see cref="PortkeyJwtServiceOptions.Issuers"/> set, a singleton <see cref="TrustAnchorSet"/> (disposed with the
    /// container) is registered instead of the key provider, and the registered <see cref="PortkeyJwtValidator"/> is its
    /// <see cref="TrustAnchorSet.Validator"/>; each issuer's keys are fetched on the first token naming it. The issuers
    /// follow configuration reloads (<see cref="TrustAnchorSet.Replace"/>: unchanged issuers keep their keys); a reload
    /// that fails validation is logged and the issuers in force stay. Every other option is read once, at startup.
    /// A <see cref="RevocationList"/> registered in the container is enforced on every token (<see cref="PortkeyJwtOptions.Revocations"/>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the JWKS source and what is accepted.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddPortkeyJwt(this IServiceCollection services, Action<PortkeyJwtServiceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        AddCore(services).Configure(configure);
        return services;
    }

    /// <summary>
    /// Registers PortkeyJwt as <see cref="AddPortkeyJwt(IServiceCollection, Action{PortkeyJwtServiceOptions})"/> does, with
    /// options bound from <paramref name="configuration"/> (typically <c>builder.Configuration.GetSection("PortkeyJwt")</c>;
    /// durations as <c>"00:01:00"</c>, lists as JSON arrays). Binding is source-generated: no reflection, AOT-safe.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section holding <see cref="PortkeyJwtServiceOptions"/>' members.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddPortkeyJwt(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCore(services).Bind(configuration);
        return services;
    }

    private static OptionsBuilder<PortkeyJwtServiceOptions> AddCore(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PortkeyJwtServiceOptions>, ServiceOptionsValidator>());

        // The provider keeps one HttpClient for its lifetime: the handler is never recycled by the factory, and
        // PooledConnectionLifetime picks up DNS changes instead. Redirects are not followed (a JWKS must not move silently).
        services.AddHttpClient(PortkeyJwtDefaults.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static () => JwksHttp.CreateHandler())
            .ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan) // the provider enforces FetchTimeout
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        services.TryAddSingleton(CreateProvider);
        services.TryAddSingleton(static services => new TrustAnchorReload(services));
        services.TryAddSingleton(static services => services.GetRequiredService<TrustAnchorReload>().Anchors);
        services.TryAddSingleton(CreateValidator);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, JwksWarmUp>()); // first fetch at startup
        return services.AddOptions<PortkeyJwtServiceOptions>().ValidateOnStart();
    }

    private static JwksKeyProvider CreateProvider(IServiceProvider services)
    {
        PortkeyJwtServiceOptions options = services.GetRequiredService<IOptions<PortkeyJwtServiceOptions>>().Value;
        if (options.Issuers.Count > 0)
        {
            throw new InvalidOperationException("PortkeyJwt:Issuers is set, so there is no single JwksKeyProvider: each issuer has its own, owned by the registered TrustAnchorSet.");
        }

        ILogger logger = services.GetService<ILoggerFactory>()?.CreateLogger("PortkeyJwt") ?? NullLogger.Instance;
        if (!string.IsNullOrWhiteSpace(options.JwksJson))
        {
            return JwksKeyProvider.FromJson(options.JwksJson, logger);
        }

        HttpClient client = services.GetRequiredService<IHttpClientFactory>().CreateClient(PortkeyJwtDefaults.HttpClientName);
        return new JwksKeyProvider(options.ToProviderOptions(), client, services.GetRequiredService<TimeProvider>(), logger);
    }

    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The provider and the anchor set are container-owned singletons.")]
    private static PortkeyJwtValidator CreateValidator(IServiceProvider services)
    {
        PortkeyJwtServiceOptions options = services.GetRequiredService<IOptions<PortkeyJwtServiceOptions>>().Value;
        return options.Issuers.Count > 0
            ? services.GetRequiredService<TrustAnchorSet>().Validator
            : new PortkeyJwtValidator(services.GetRequiredService<JwksKeyProvider>(), options.ToValidatorOptions(services.GetService<RevocationList>()), services.GetRequiredService<TimeProvider>());
    }
}
