namespace PortkeyJwt.Internal;

/// <summary>
/// A source whose JWKS URL an OIDC discovery document names (<see cref="TrustAnchor.Authority"/>). Its single-flight fetch
/// has two steps: the document, when due (<see cref="DiscoveryDocument.RefreshIfDueAsync"/>), then the JWKS at the
/// document's <c>jwks_uri</c> exactly as for a configured URL (ETag, cooldown, last good set, staleness, refresh timer).
/// Without a good document the fetch fails and the JWKS is not fetched.
/// </summary>
internal sealed partial class JwksSource
{
    private readonly DiscoveryDocument? _discovery;

    /// <summary>The URL <see cref="_etag"/> and <see cref="_lastModified"/> were received from; only touched by the fetch in flight.</summary>
    private Uri? _validatorsFrom;

    /// <summary>The fetch of an authority's source: its discovery document when due, then (with a good document) its JWKS.</summary>
    private async Task<bool> DiscoverThenFetchAsync()
    {
        await Task.Yield(); // let Fetch publish _inFlight before this can complete
        DiscoveryDocument discovery = _discovery!;
        long started = _time.GetTimestamp();
        DiscoveryFailure? failure;
        try
        {
            failure = discovery.IsDue ? await RefreshWithSlotAsync(discovery).ConfigureAwait(false) : null;
        }
        catch (ObjectDisposedException)
        {
            failure = new DiscoveryFailure("cancelled", "the provider was disposed"); // _stopping, once disposed
        }

        if (failure is not null && (discovery.JwksUri is null || failure.Kind == "cancelled"))
        {
            // No good document (or disposal): the JWKS is not fetched. This counts as a failed fetch (backoff, status).
            Complete(FetchOutcome.Fail(failure.Kind == "cancelled" ? "cancelled" : "discovery_" + failure.Kind, failure.Error), _time.GetElapsedTime(started));
            return false;
        }

        return await RunFetchAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The document fetch holds one of the shared fetch slots too (<see cref="JwksKeyProviderOptions.MaxConcurrentFetches"/>),
    /// waiting for it within the fetch timeout, so a cold start of many authorities is bounded like one of JWKS URLs.
    /// </summary>
    private async Task<DiscoveryFailure?> RefreshWithSlotAsync(DiscoveryDocument discovery)
    {
        using (var wait = new CancellationTokenSource(_settings.FetchTimeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, _stopping.Token))
        {
            try
            {
                await _fetchSlots.EnterAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return _stopping.IsCancellationRequested
                    ? new DiscoveryFailure("cancelled", "the provider was disposed")
                    : new DiscoveryFailure("timeout", _fetchSlots.NoSlotWithin(_settings.FetchTimeout));
            }
        }

        try
        {
            return await discovery.RefreshIfDueAsync(_http, _stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            _fetchSlots.Exit();
        }
    }

    /// <summary>
    /// The URL to fetch the JWKS from: <see cref="Url"/>, or the discovered <c>jwks_uri</c>. When that has changed, the
    /// conditional-request validators of the old one are dropped: they say nothing about the new one.
    /// </summary>
    private Uri JwksUrl()
    {
        if (_discovery?.JwksUri is not { } discovered)
        {
            return Url;
        }

        if (_validatorsFrom != discovered)
        {
            _etag = null;
            _lastModified = null;
            _validatorsFrom = discovered;
        }

        return discovered;
    }
}
