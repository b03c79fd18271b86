using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PortkeyJwt.Internal;

/// <summary>
/// The library's <see cref="Meter"/> and <see cref="ActivitySource"/>, both named <c>PortkeyJwt</c>. Instruments and spans
/// never carry token content: only error names, key ids, organisation ids and JWKS URLs. With no listener attached every
/// call here is a flag check.
/// </summary>
internal static class Telemetry
{
    public const string Name = "PortkeyJwt";

    private static readonly string? Version = typeof(Telemetry).Assembly.GetName().Version?.ToString();

    public static readonly Meter Meter = new(Name, Version);

    public static readonly ActivitySource Source = new(Name, Version);

    /// <summary>Validations by <c>result</c> (the <see cref="PortkeyJwtError"/> name; <c>None</c> when valid).</summary>
    public static readonly Counter<long> Validations = Meter.CreateCounter<long>("portkeyjwt.validations", "{validation}", "Token validations by result.");

    public static readonly Histogram<double> ValidationDuration = Meter.CreateHistogram<double>("portkeyjwt.validation.duration", "s", "Duration of token validations, by result.");

    public static readonly Counter<long> CacheHits = Meter.CreateCounter<long>("portkeyjwt.cache.hits", "{hit}", "Validations answered from the validated-token cache.");

    public static readonly Counter<long> CacheMisses = Meter.CreateCounter<long>("portkeyjwt.cache.misses", "{miss}", "Validations the validated-token cache could not answer.");

    /// <summary>
    /// JWKS fetches by <c>outcome</c>: success, not_modified, http_error, redirect, timeout, network, too_large, invalid,
    /// cancelled; for an authority whose discovery document failed (so no JWKS was fetched), <c>discovery_</c> and the
    /// document's outcome: discovery_http_error, discovery_redirect, discovery_timeout, discovery_network,
    /// discovery_too_large, discovery_invalid, discovery_issuer.
    /// </summary>
    public static readonly Counter<long> JwksFetches = Meter.CreateCounter<long>("portkeyjwt.jwks.fetches", "{fetch}", "JWKS fetches by outcome.");

    public static readonly Histogram<double> JwksFetchDuration = Meter.CreateHistogram<double>("portkeyjwt.jwks.fetch.duration", "s", "Duration of JWKS fetches, by outcome.");

    private static readonly ConcurrentDictionary<JwksKeyProvider, byte> LiveProviders = new();

    private static readonly string[] ResultNames = Enum.GetNames<PortkeyJwtError>();

    static Telemetry()
    {
        Meter.CreateObservableGauge("portkeyjwt.jwks.keys", ObserveKeys, "{key}", "Usable keys served by each remote JWKS provider.");
        Meter.CreateObservableGauge("portkeyjwt.jwks.staleness", ObserveStaleness, "s", "Age of the oldest key set each remote JWKS provider serves.");
    }

    /// <summary>The <c>result</c> tag value for <paramref name="error"/>, without allocating.</summary>
    public static string ResultName(PortkeyJwtError error) => ResultNames[(int)error];

    /// <summary>Starts timing a validation when anyone listens; 0 otherwise.</summary>
    public static long StartValidation() => ValidationDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>
    /// Counts and times one validation, tagged with its result and, when not null, <paramref name="issuer"/>: the
    /// configured issuer of the anchor it was routed to, never a value taken from a token that matched none.
    /// </summary>
    public static void RecordValidation(PortkeyJwtResult result, long started, Activity? activity, string? issuer = null)
    {
        if (Validations.Enabled || started != 0)
        {
            var tags = new TagList { { "result", ResultName(result.Error) } };
            if (issuer is not null)
            {
                tags.Add("issuer", issuer);
            }

            Validations.Add(1, tags);
            if (started != 0)
            {
                ValidationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
            }
        }

        if (activity is not null)
        {
            activity.SetTag("portkeyjwt.result", ResultName(result.Error));
            if (result.Principal is { } principal)
            {
                activity.SetTag("portkeyjwt.kid", principal.KeyId);
                activity.SetTag("portkeyjwt.organisation", principal.OrganisationId);
            }
            else
            {
                activity.SetStatus(ActivityStatusCode.Error, ResultName(result.Error));
            }

            activity.Dispose();
        }
    }

    public static void Track(JwksKeyProvider provider) => LiveProviders.TryAdd(provider, 0);

    public static void Untrack(JwksKeyProvider provider) => LiveProviders.TryRemove(provider, out _);

    private static IEnumerable<Measurement<int>> ObserveKeys() =>
        LiveProviders.Keys.Select(p => new Measurement<int>(p.KeyCount, new KeyValuePair<string, object?>("url.full", p.PrimaryUrl)));

    private static IEnumerable<Measurement<double>> ObserveStaleness() =>
        LiveProviders.Keys.Select(p => (p, p.Status.Staleness)).Where(x => x.Staleness is not null)
            .Select(x => new Measurement<double>(x.Staleness!.Value.TotalSeconds, new KeyValuePair<string, object?>("url.full", x.p.PrimaryUrl)));
}
