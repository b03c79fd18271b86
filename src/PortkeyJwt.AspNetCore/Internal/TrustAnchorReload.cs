using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace PortkeyJwt.AspNetCore.Internal;

/// <summary>
/// Owns the container's <see cref="TrustAnchorSet"/> and keeps its anchors in step with <c>PortkeyJwt:Issuers</c>: when
/// the configuration reloads (a changed <c>appsettings.json</c>, a new configuration provider value), the options are
/// built and validated again and the set's anchors are swapped with <see cref="TrustAnchorSet.Replace"/>, so unchanged
/// issuers keep their loaded keys. Only the issuers follow a reload; every other option is read once, at startup.
/// </summary>
/// <remarks>
/// A reload that fails (invalid options, an unreadable <c>JwksFile</c>, an empty <c>Issuers</c> list, which would switch
/// to single-provider mode) is logged and leaves the anchors in force unchanged. It never throws: the callback runs on
/// the configuration's reload thread, and an exception there would stop later reloads.
/// The change tokens are those of <see cref="IOptionsChangeTokenSource{TOptions}"/>, rather than
/// <see cref="IOptionsMonitor{TOptions}.OnChange(Action{TOptions, string})"/>, whose own rebuild throws a validation
/// failure into that thread before any listener could see it.
/// </remarks>
internal sealed partial class TrustAnchorReload : IDisposable
{
    private readonly IOptionsFactory<PortkeyJwtServiceOptions> _factory;
    private readonly string _contentRoot;
    private readonly ILogger _logger;
    private readonly List<IDisposable> _subscriptions = [];

    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The set is owned by this object and disposed by the container.")]
    public TrustAnchorReload(IServiceProvider services)
    {
        PortkeyJwtServiceOptions options = services.GetRequiredService<IOptions<PortkeyJwtServiceOptions>>().Value;
        _factory = services.GetRequiredService<IOptionsFactory<PortkeyJwtServiceOptions>>();
        _contentRoot = ServiceOptionsValidator.ContentRoot(services);
        _logger = services.GetService<ILoggerFactory>()?.CreateLogger("PortkeyJwt") ?? NullLogger.Instance;
        HttpClient client = services.GetRequiredService<IHttpClientFactory>().CreateClient(PortkeyJwtDefaults.HttpClientName);
        Anchors = new TrustAnchorSet(
            options.ToAnchors(_contentRoot),
            options.ToValidatorOptions(services.GetService<RevocationList>()),
            options.ToProviderOptions(),
            client,
            services.GetRequiredService<TimeProvider>(),
            _logger);

        foreach (IOptionsChangeTokenSource<PortkeyJwtServiceOptions> source in services.GetServices<IOptionsChangeTokenSource<PortkeyJwtServiceOptions>>())
        {
            if (source.Name is null || source.Name == Options.DefaultName)
            {
                _subscriptions.Add(ChangeToken.OnChange(source.GetChangeToken, Reload));
            }
        }
    }

    /// <summary>The anchor set, built from the options at startup; its anchors follow configuration reloads.</summary>
    public TrustAnchorSet Anchors { get; }

    /// <summary>Stops following the configuration; the container disposes <see cref="Anchors"/> itself.</summary>
    public void Dispose()
    {
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
            _subscriptions.Clear();
        }
    }

    /// <summary>Builds and validates the options again and swaps the anchors; on any failure keeps the anchors in force.</summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A reload must never throw into the configuration's reload thread; every failure is logged and the anchors in force are kept.")]
    internal void Reload()
    {
        try
        {
            PortkeyJwtServiceOptions options = _factory.Create(Options.DefaultName); // runs the options' validation
            if (options.Issuers.Count == 0)
            {
                ReloadRejected(_logger, "PortkeyJwt:Issuers is now empty; switching to a single JWKS source needs a restart");
                return;
            }

            List<TrustAnchor> anchors = options.ToAnchors(_contentRoot);
            Anchors.Replace(anchors);
            Reloaded(_logger, anchors.Count);
        }
        catch (OptionsValidationException e)
        {
            ReloadRejected(_logger, string.Join("; ", e.Failures));
        }
        catch (ObjectDisposedException)
        {
            // The host is stopping.
        }
        catch (Exception e)
        {
            ReloadRejected(_logger, e.Message);
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "PortkeyJwt issuers reloaded from configuration: {Count} trust anchors")]
    private static partial void Reloaded(ILogger logger, int count);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "PortkeyJwt issuers reload rejected, the previous trust anchors stay in force: {Reason}")]
    private static partial void ReloadRejected(ILogger logger, string reason);
}
