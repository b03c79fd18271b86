using System.Diagnostics.Metrics;

namespace PortkeyJwt.Internal;

/// <summary>The library's <see cref="Meter"/> (name <c>PortkeyJwt</c>). Instruments never carry token content.</summary>
internal static class Telemetry
{
    public const string MeterName = "PortkeyJwt";

    public static readonly Meter Meter = new(MeterName, typeof(Telemetry).Assembly.GetName().Version?.ToString());

    /// <summary>JWKS fetches by <c>outcome</c>: success, not_modified, or failure kinds (http_error, timeout, network, too_large, invalid).</summary>
    public static readonly Counter<long> JwksFetches = Meter.CreateCounter<long>("portkeyjwt.jwks.fetches", "{fetch}", "JWKS fetches by outcome.");

    public static readonly Histogram<double> JwksFetchDuration = Meter.CreateHistogram<double>("portkeyjwt.jwks.fetch.duration", "s", "Duration of JWKS fetches.");
}
