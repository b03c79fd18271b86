using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace PortkeyJwt.Tests.Telemetry;

/// <summary>
/// The <c>PortkeyJwt</c> meter's measurements made by the creating test alone. The meter is one static instance and its
/// instruments carry no tag naming a validator, and tests run in parallel, so a plain listener also hears other tests'
/// validators. This one marks the test's flow of execution with an <see cref="AsyncLocal{T}"/> when it is created and keeps
/// only measurements recorded under that mark: a validation records on the caller's flow (synchronously, or in the
/// continuation after a key fetch, which flows the caller's context), and a provider's fetches on the flow that built it
/// (its timers capture it). So counts can be exact.
/// </summary>
internal sealed class OwnMeasurements : IDisposable
{
    private static readonly AsyncLocal<OwnMeasurements?> Owner = new();

    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _own = new();
    private int _others;

    /// <summary>Starts listening to <paramref name="instruments"/> of the <c>PortkeyJwt</c> meter, for the calling flow.</summary>
    /// <remarks>Create it in the test method itself (a constructor is synchronous, so the mark stays on the test's flow).</remarks>
    public OwnMeasurements(params string[] instruments)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "PortkeyJwt" && instruments.Contains(instrument.Name, StringComparer.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        Owner.Value = this;
        _listener.Start();
    }

    /// <summary>This test's measurements, in the order they were recorded.</summary>
    public IReadOnlyList<Measurement> All => [.. _own];

    /// <summary>How many measurements of the same instruments other tests made meanwhile (ignored).</summary>
    public int Others => Volatile.Read(ref _others);

    /// <summary>This test's measurements of <paramref name="instrument"/>.</summary>
    public IReadOnlyList<Measurement> Of(string instrument) => [.. _own.Where(m => m.Instrument == instrument)];

    /// <summary>The sum of <paramref name="instrument"/>'s values by the value of tag <paramref name="tag"/>.</summary>
    public IReadOnlyDictionary<string, double> Totals(string instrument, string tag) =>
        Of(instrument).GroupBy(m => m.Tag(tag) ?? "(none)", StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(m => m.Value), StringComparer.Ordinal);

    /// <summary>Collects the observable instruments (gauges) now; their callbacks run on this flow.</summary>
    public void RecordObservableInstruments() => _listener.RecordObservableInstruments();

    public void Dispose()
    {
        _listener.Dispose();
        if (Owner.Value == this)
        {
            Owner.Value = null;
        }
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct, IConvertible
    {
        if (Owner.Value != this)
        {
            Interlocked.Increment(ref _others);
            return;
        }

        _own.Enqueue(new Measurement(instrument.Name, value.ToDouble(System.Globalization.CultureInfo.InvariantCulture), tags.ToArray()));
    }

    /// <summary>One measurement: instrument name, value and tags.</summary>
    internal sealed record Measurement(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)
    {
        public string? Tag(string name) => Tags.FirstOrDefault(t => t.Key == name).Value as string;
    }
}
