using System.Collections.Concurrent;
using System.Diagnostics;

namespace PortkeyJwt.Tests.Telemetry;

/// <summary>
/// The <c>PortkeyJwt</c> meter and activity source. Listeners are process-wide and tests run in parallel, so meter specs
/// count only their own measurements (<see cref="OwnMeasurements"/>), exactly, and span specs tag their validations with
/// a unique organisation.
/// </summary>
public sealed class TelemetryTests
{
    private const string Validations = "portkeyjwt.validations";
    private const string ValidationDuration = "portkeyjwt.validation.duration";

    [Fact]
    public async Task Validations_AreCountedOnceEachByResult_AndTimedWithTheSameResult()
    {
        using var own = new OwnMeasurements(Validations, ValidationDuration);
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { ValidationCache = false });

        for (int i = 0; i < 3; i++)
        {
            await validator.ValidateAsync(Tokens.Mint());
        }

        await validator.ValidateAsync("abc.def.ghi.jkl");
        await validator.ValidateAsync(Tokens.Mint(Tokens.Claims().With(("exp", Tokens.NowSeconds - 3600))));

        Assert.Equal(Counts(("None", 3), ("Malformed", 1), ("Expired", 1)), own.Totals(Validations, "result"));
        Assert.All(own.Of(Validations), m => Assert.Equal(1, m.Value));
        IReadOnlyList<OwnMeasurements.Measurement> durations = own.Of(ValidationDuration);
        Assert.Equal(["Expired", "Malformed", "None", "None", "None"], durations.Select(m => m.Tag("result")).Order(StringComparer.Ordinal));
        Assert.All(durations, d => Assert.InRange(d.Value, 0, 10));
    }

    [Fact]
    public async Task CacheHitsAndMisses_AreCountedOncePerLookup()
    {
        using var own = new OwnMeasurements("portkeyjwt.cache.hits", "portkeyjwt.cache.misses");
        PortkeyJwtValidator validator = Tokens.Validator();
        string token = Tokens.Mint();
        string other = Tokens.Mint(Tokens.Claims().With(("sub", "user-43")));

        await validator.ValidateAsync(token);
        await validator.ValidateAsync(token);
        await validator.ValidateAsync(token);
        await validator.ValidateAsync(other);
        await validator.ValidateAsync(other);

        Assert.Equal(["portkeyjwt.cache.misses", "portkeyjwt.cache.hits", "portkeyjwt.cache.hits", "portkeyjwt.cache.misses", "portkeyjwt.cache.hits"], own.All.Select(m => m.Instrument));
        Assert.All(own.All, m => Assert.Equal(1, m.Value));
    }

    [Fact]
    public async Task JwksFetches_AreCountedAndTimedByOutcome_AndTheKeyGaugeReportsThisProvidersKeys()
    {
        using var own = new OwnMeasurements("portkeyjwt.jwks.fetches", "portkeyjwt.jwks.fetch.duration", "portkeyjwt.jwks.keys");
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.Remote.A, Remote.Remote.B));
        using JwksKeyProvider provider = Remote.Remote.Provider(server, Tokens.Clock());

        Assert.True(await provider.WarmUpAsync());
        server.FailWith(404);
        Assert.False(await provider.RefreshAsync());
        own.RecordObservableInstruments();

        Assert.Equal(Counts(("success", 1), ("http_error", 1)), own.Totals("portkeyjwt.jwks.fetches", "outcome"));
        Assert.Equal(["http_error", "success"], own.Of("portkeyjwt.jwks.fetch.duration").Select(m => m.Tag("outcome")).Order(StringComparer.Ordinal));

        // The gauge reports every live provider (tagged with its URL): this one's still serves its last good set.
        OwnMeasurements.Measurement keys = Assert.Single(own.Of("portkeyjwt.jwks.keys"), m => m.Tag("url.full") == server.Url.ToString());
        Assert.Equal(2, keys.Value);
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

    private static Dictionary<string, double> Counts(params (string Key, double Count)[] counts) =>
        counts.ToDictionary(c => c.Key, c => c.Count, StringComparer.Ordinal);
}
