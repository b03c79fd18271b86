using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PortkeyJwt.Redis.Internal;

/// <summary>
/// Revocation instruments and spans, on the library's <c>PortkeyJwt</c> meter and activity source (a second instance of
/// each, under the same name: a listener subscribed to <c>PortkeyJwt</c> sees both).
/// </summary>
internal static class RevocationTelemetry
{
    public const string Name = "PortkeyJwt";

    private static readonly string? Version = typeof(RevocationTelemetry).Assembly.GetName().Version?.ToString();

    public static readonly Meter Meter = new(Name, Version);

    public static readonly ActivitySource Source = new(Name, Version);

    /// <summary>Seconds from Redis writing a change to this gateway applying it from pub/sub.</summary>
    public static readonly Histogram<double> Propagation = Meter.CreateHistogram<double>("portkeyjwt.revocation.propagation", "s", "From Redis writing a revocation to this gateway enforcing it, by pub/sub (Redis's clock at the write, this host's at the apply).");

    /// <summary>Full reads of the record into the list: at start, after a reconnect, and when the change log cannot fill a gap.</summary>
    public static readonly Counter<long> Resyncs = Meter.CreateCounter<long>("portkeyjwt.revocation.resyncs", "{resync}", "Full reads of the Redis revocation record into the enforced list.");

    private static readonly ConcurrentDictionary<RevocationList, string> LiveLists = new();

    static RevocationTelemetry()
    {
        Meter.CreateObservableGauge("portkeyjwt.revocation.sync_age", ObserveAge, "s", "Time since the enforced revocation list was last confirmed current by Redis.");
        Meter.CreateObservableGauge("portkeyjwt.revocation.entries", ObserveEntries, "{entry}", "Revocation entries in force in the enforced list.");
    }

    /// <summary>Reports <paramref name="list"/>, synced from the keys under <paramref name="keyPrefix"/>, until <see cref="Untrack"/>.</summary>
    public static void Track(RevocationList list, string keyPrefix) => LiveLists[list] = keyPrefix;

    public static void Untrack(RevocationList list) => LiveLists.TryRemove(list, out _);

    private static IEnumerable<Measurement<double>> ObserveAge() =>
        LiveLists.Select(pair => (pair.Value, pair.Key.Age)).Where(x => x.Age is not null)
            .Select(x => new Measurement<double>(x.Age!.Value.TotalSeconds, new KeyValuePair<string, object?>("portkeyjwt.key_prefix", x.Value)));

    private static IEnumerable<Measurement<int>> ObserveEntries() =>
        LiveLists.Select(pair => new Measurement<int>(pair.Key.Count, new KeyValuePair<string, object?>("portkeyjwt.key_prefix", pair.Value)));
}
