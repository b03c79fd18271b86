using Microsoft.Extensions.Time.Testing;

namespace PortkeyJwt.Tests.Remote;

/// <summary>A way the identity provider's JWKS endpoint can fail.</summary>
public enum Fault
{
    Status500,
    Status404,
    Redirect302,
    Hang,
    BodyStalls,
    AbortedConnection,
    AbortedMidBody,
    TenMegabytesDeclared,
    TenMegabytesChunked,
    GarbageBody,
    NoUsableKeys,
    EmptyKeySet,
}

/// <summary>
/// The identity provider fails: the last good set keeps being served (degraded, not down) for up to MaxStaleness, failed
/// fetches are retried with exponential backoff, and the first good answer restores health.
/// </summary>
public sealed class OutageTests
{
    [Theory]
    [InlineData(Fault.Status500, "HTTP 500")]
    [InlineData(Fault.Status404, "HTTP 404")]
    [InlineData(Fault.Redirect302, "redirect")]
    [InlineData(Fault.Hang, "no complete response within 5 s")]
    [InlineData(Fault.BodyStalls, "no complete response within 5 s")]
    [InlineData(Fault.AbortedConnection, "network error")]
    [InlineData(Fault.AbortedMidBody, "network error")]
    [InlineData(Fault.TenMegabytesDeclared, "declares 10485760 bytes")]
    [InlineData(Fault.TenMegabytesChunked, "larger than the limit of 1048576 bytes")]
    [InlineData(Fault.GarbageBody, "invalid JWKS: the document is not a well-formed JSON object")]
    [InlineData(Fault.NoUsableKeys, "invalid JWKS: no key in the set is usable")]
    [InlineData(Fault.EmptyKeySet, "invalid JWKS: the \"keys\" array is empty")]
    public async Task FailedFetch_KeepsServingTheLastGoodSet_AndReportsDegraded(Fault fault, string error)
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());

        Inject(server, fault);
        await FailOneFetchAsync(provider, server, clock, fault);

        RuleKit.AssertValid(Remote.ValidateNow(validator, Remote.Token(Remote.A)));
        JwksKeyProviderStatus status = provider.Status;
        Assert.True(status.IsAvailable);
        Assert.False(status.IsHealthy);
        Assert.NotNull(status.LastError);
        Assert.StartsWith(server.Url + ": ", status.LastError, StringComparison.Ordinal);
        Assert.Contains(error, status.LastError, StringComparison.Ordinal);
        Assert.Equal(1, status.ConsecutiveFailures);
        Assert.Equal(1, status.KeyCount);
        Assert.Equal(Tokens.Now, status.LastSuccessAt);
    }

    [Fact]
    public async Task FailedFetches_AreRetried_AfterOneTwoFourSeconds_AndSoOn_CappedAtTheRefreshInterval()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock, o =>
        {
            o.RetryDelay = TimeSpan.FromSeconds(1);
            o.RefreshInterval = TimeSpan.FromMinutes(1);
            o.UnknownKeyCooldown = TimeSpan.FromHours(1); // so that "a fetch may start" means "a fetch is in flight"
        });
        Assert.True(await provider.WarmUpAsync());
        server.FailWith(500);
        Assert.False(await provider.RefreshAsync());

        int failures = 1;
        foreach (int seconds in new[] { 1, 2, 4, 8, 16, 32, 60, 60 })
        {
            await ExpectNextAttemptAfterAsync(provider, server, clock, TimeSpan.FromSeconds(seconds));
            Assert.Equal(++failures, provider.Status.ConsecutiveFailures);
        }

        // Recovery: the next retry finds a good set and resets the backoff.
        server.Serve(TestKey.Jwks(Remote.A, Remote.B));
        await ExpectNextAttemptAfterAsync(provider, server, clock, TimeSpan.FromSeconds(60));
        Assert.True(provider.Status.IsHealthy);
        Assert.Equal(0, provider.Status.ConsecutiveFailures);
        Assert.Equal(2, provider.KeyCount);

        // The next refresh comes a refresh interval later; when it fails, the backoff starts again from one second.
        server.FailWith(500);
        await ExpectNextAttemptAfterAsync(provider, server, clock, TimeSpan.FromMinutes(1));
        Assert.Equal(1, provider.Status.ConsecutiveFailures);
        await ExpectNextAttemptAfterAsync(provider, server, clock, TimeSpan.FromSeconds(1));
        Assert.Equal(2, provider.Status.ConsecutiveFailures);
    }

    [Fact]
    public async Task LastGoodSet_OlderThanMaxStaleness_IsNoLongerServed_ValidationsFailWithKeysUnavailable()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock, o => o.MaxStaleness = TimeSpan.FromMinutes(10));
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        server.FailWith(500);
        Assert.False(await provider.RefreshAsync());

        clock.Advance(TimeSpan.FromMinutes(10));
        RuleKit.AssertValid(await validator.ValidateAsync(Remote.Token(Remote.A)));
        Assert.True(provider.Status.IsAvailable);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        RuleKit.AssertRejected(PortkeyJwtError.KeysUnavailable, await validator.ValidateAsync(Remote.Token(Remote.A)));
        RuleKit.AssertRejected(PortkeyJwtError.KeysUnavailable, await validator.ValidateAsync(Remote.Token(Remote.B)));
        JwksKeyProviderStatus status = provider.Status;
        Assert.False(status.IsAvailable);
        Assert.False(status.IsHealthy);
        Assert.Equal(0, status.KeyCount);
        Assert.Equal(Tokens.Now, status.LastSuccessAt);
        Assert.Equal(TimeSpan.FromMinutes(10) + TimeSpan.FromMilliseconds(1), status.Staleness);
    }

    [Fact]
    public async Task StaleProvider_RecoversAvailability_WithTheNextSuccessfulFetch()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock, o => o.MaxStaleness = TimeSpan.FromMinutes(10));
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        server.FailWith(500);
        clock.Advance(TimeSpan.FromMinutes(11));
        RuleKit.AssertRejected(PortkeyJwtError.KeysUnavailable, await validator.ValidateAsync(Remote.Token(Remote.A)));

        server.Serve(TestKey.Jwks(Remote.A));
        Assert.True(await provider.RefreshAsync());

        RuleKit.AssertValid(Remote.ValidateNow(validator, Remote.Token(Remote.A)));
        JwksKeyProviderStatus status = provider.Status;
        Assert.True(status.IsHealthy);
        Assert.Equal(TimeSpan.Zero, status.Staleness);
        Assert.Equal(clock.GetUtcNow(), status.LastSuccessAt);
    }

    [Fact]
    public async Task NoSetEverLoaded_ValidationFetches_AndRecoversAsSoonAsTheServerDoes()
    {
        await using JwksServer server = await JwksServer.StartAsync();
        server.FailWith(503);
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock, o => o.RetryDelay = TimeSpan.FromHours(1)); // no background retry
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.False(await provider.WarmUpAsync());

        server.Serve(TestKey.Jwks(Remote.A));
        clock.Advance(TimeSpan.FromSeconds(30));
        int before = server.RequestCount;
        RuleKit.AssertValid(await validator.ValidateAsync(Remote.Token(Remote.A)));
        Assert.Equal(before + 1, server.RequestCount);
        Assert.True(provider.Status.IsHealthy);
    }

    [Theory]
    [InlineData(Fault.Status500)]
    [InlineData(Fault.GarbageBody)]
    [InlineData(Fault.AbortedConnection)]
    public async Task NoSetEverLoaded_ValidationsFailWithKeysUnavailable_NotUnknownKey(Fault fault)
    {
        await using JwksServer server = await JwksServer.StartAsync();
        Inject(server, fault);
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);

        Assert.False(await provider.WarmUpAsync());

        RuleKit.AssertRejected(PortkeyJwtError.KeysUnavailable, await validator.ValidateAsync(Remote.Token(Remote.A)));
        RuleKit.AssertRejected(PortkeyJwtError.KeysUnavailable, await validator.ValidateAsync(Remote.UnsignedToken("whatever")));
        JwksKeyProviderStatus status = provider.Status;
        Assert.False(status.IsAvailable);
        Assert.False(status.IsHealthy);
        Assert.NotNull(status.LastError);
        Assert.Null(status.LastSuccessAt);
        Assert.Null(status.Staleness);
        Assert.Equal(0, status.KeyCount);
    }

    [Fact]
    public async Task NoSetEverLoaded_DuringTheCooldown_ValidationFailsSynchronously_WithoutARequest()
    {
        await using JwksServer server = await JwksServer.StartAsync();
        server.FailWith(500);
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.False(await provider.WarmUpAsync());
        int before = server.RequestCount;

        RuleKit.AssertRejected(PortkeyJwtError.KeysUnavailable, Remote.ValidateNow(validator, Remote.Token(Remote.A)));
        Assert.Equal(before, server.RequestCount);
    }

    internal static void Inject(JwksServer server, Fault fault)
    {
        switch (fault)
        {
            case Fault.Status500: server.FailWith(500); break;
            case Fault.Status404: server.FailWith(404); break;
            case Fault.Redirect302: server.RedirectTo(server.SecondUrl); break;
            case Fault.Hang: server.Hold(); break;
            case Fault.BodyStalls: server.ServeHalfThen(TestKey.Jwks(Remote.A, Remote.B), abort: false); break;
            case Fault.AbortedConnection: server.AbortConnections(); break;
            case Fault.AbortedMidBody: server.ServeHalfThen(TestKey.Jwks(Remote.A, Remote.B), abort: true); break;
            case Fault.TenMegabytesDeclared: server.ServeBytes(10 * 1024 * 1024, declareLength: true); break;
            case Fault.TenMegabytesChunked: server.ServeBytes(10 * 1024 * 1024, declareLength: false); break;
            case Fault.GarbageBody: server.Serve("<html><body>Service Unavailable</body></html>"); break;
            case Fault.NoUsableKeys: server.Serve(Remote.NoUsableKeys); break;
            case Fault.EmptyKeySet: server.Serve("""{"keys":[]}"""); break;
            default: throw new ArgumentOutOfRangeException(nameof(fault));
        }
    }

    /// <summary>Forces one fetch and waits for it to fail; a hang is ended by the fetch timeout, on the fake clock.</summary>
    private static async Task FailOneFetchAsync(JwksKeyProvider provider, JwksServer server, FakeTimeProvider clock, Fault fault)
    {
        int before = server.RequestCount;
        Task<bool> refresh = provider.RefreshAsync();
        if (fault is Fault.Hang or Fault.BodyStalls)
        {
            await server.WaitForRequestsAsync(before + 1);
            Assert.False(refresh.IsCompleted);
            clock.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(1));
            Assert.False(refresh.IsCompleted, "The fetch timed out before FetchTimeout.");
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.False(await refresh);
        Assert.Equal(before + 1, server.RequestCount);
    }

    /// <summary>
    /// Asserts that the next background attempt happens <paramref name="delay"/> (±5 % jitter) after the last one
    /// completed: nothing just below the window, one request just above it.
    /// </summary>
    private static async Task ExpectNextAttemptAfterAsync(JwksKeyProvider provider, JwksServer server, FakeTimeProvider clock, TimeSpan delay)
    {
        int before = server.RequestCount;
        DateTimeOffset last = clock.GetUtcNow();
        clock.Advance((delay * 0.95) - TimeSpan.FromMilliseconds(2));
        Remote.AssertNoFetch(provider, server, before);

        clock.SetUtcNow(last + (delay * 1.05) + TimeSpan.FromMilliseconds(1));
        await server.WaitForRequestsAsync(before + 1);
        await Remote.WaitForAttemptAsync(provider, clock);
        Assert.Equal(before + 1, server.RequestCount);
    }
}
