using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PortkeyJwt.Tests.Telemetry;

/// <summary>
/// The <c>PortkeyJwt</c> meter and activity source. Listeners are process-wide and tests run in parallel, so each test
/// tags its validations with a unique organisation or counts only its own results.
/// </summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task Validations_AreCountedByResult_AndTimed()
    {
        var counts = new ConcurrentDictionary<string, long>();
        var durations = new ConcurrentBag<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "PortkeyJwt" && instrument.Name is "portkeyjwt.validations" or "portkeyjwt.validation.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => counts.AddOrUpdate(ResultTag(tags), value, (_, v) => v + value));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => durations.Add(value));
        listener.Start();
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { ValidationCache = false });

        for (int i = 0; i < 3; i++)
        {
            await validator.ValidateAsync(Tokens.Mint());
        }

        await validator.ValidateAsync("abc.def.ghi.jkl");

        Assert.True(counts.GetValueOrDefault("None") >= 3, $"counted: {string.Join(", ", counts)}");
        Assert.True(counts.GetValueOrDefault("Malformed") >= 1, $"counted: {string.Join(", ", counts)}");
        Assert.NotEmpty(durations);
        Assert.All(durations, d => Assert.InRange(d, 0, 10));
    }

    [Fact]
    public async Task CacheHitsAndMisses_AreCounted()
    {
        long hits = 0, misses = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "PortkeyJwt" && instrument.Name.StartsWith("portkeyjwt.cache.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "portkeyjwt.cache.hits")
            {
                Interlocked.Add(ref hits, value);
            }
            else
            {
                Interlocked.Add(ref misses, value);
            }
        });
        listener.Start();
        PortkeyJwtValidator validator = Tokens.Validator();
        string token = Tokens.Mint();

        await validator.ValidateAsync(token);
        await validator.ValidateAsync(token);
        await validator.ValidateAsync(token);

        Assert.True(Interlocked.Read(ref misses) >= 1);
        Assert.True(Interlocked.Read(ref hits) >= 2);
    }

    [Fact]
    public async Task EachValidation_IsASpan_WithResultKidAndOrganisation_AndNeverTheToken()
    {
        string organisation = "org-span-" + Guid.NewGuid().ToString("N");
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "PortkeyJwt",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        string token = Tokens.Mint(Tokens.Claims().With(("portkey_oid", organisation)));

        PortkeyJwtResult result = await Tokens.Validator().ValidateAsync(token);

        Assert.True(result.IsValid);
        Activity span = Assert.Single(spans, s => (string?)s.GetTagItem("portkeyjwt.organisation") == organisation);
        Assert.Equal("PortkeyJwt.Validate", span.OperationName);
        Assert.Equal("None", span.GetTagItem("portkeyjwt.result"));
        Assert.Equal(TestKey.Default.Kid, span.GetTagItem("portkeyjwt.kid"));
        Assert.DoesNotContain(span.TagObjects, t => t.Value is string v && (v.Contains(token, StringComparison.Ordinal) || v.Contains(token.Split('.')[2], StringComparison.Ordinal)));
    }

    private static string ResultTag(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "result")
            {
                return (string)tag.Value!;
            }
        }

        return "(none)";
    }
}
