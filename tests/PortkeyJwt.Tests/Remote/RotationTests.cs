using Microsoft.Extensions.Time.Testing;

namespace PortkeyJwt.Tests.Remote;

/// <summary>Key rotation at the identity provider: a new kid is fetched on first sight, a removed kid stops validating.</summary>
public sealed class RotationTests
{
    [Fact]
    public async Task NewKid_AfterTheCooldown_TriggersExactlyOneFetch_AndValidates()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        Assert.Equal(1, server.RequestCount);

        server.Serve(TestKey.Jwks(Remote.A, Remote.B));
        clock.Advance(TimeSpan.FromSeconds(30));
        Task<PortkeyJwtResult> first = validator.ValidateAsync(Remote.Token(Remote.B)).AsTask();
        Assert.False(first.IsCompleted, "The first token with the new kid waits for a fetch.");
        RuleKit.AssertValid(await first);
        Assert.Equal(2, server.RequestCount);

        RuleKit.AssertValid(Remote.ValidateNow(validator, Remote.Token(Remote.B)));
        RuleKit.AssertValid(await validator.ValidateAsync(Remote.Token(Remote.A)));
        Assert.Equal(2, server.RequestCount);
        Assert.Equal(2, provider.KeyCount);
    }

    [Fact]
    public async Task NewKid_WithinTheCooldownOfTheLastFetch_FailsFast_ThenValidatesOnceTheCooldownEnds()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        server.Serve(TestKey.Jwks(Remote.A, Remote.B));

        clock.Advance(TimeSpan.FromSeconds(29));
        RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, Remote.ValidateNow(validator, Remote.Token(Remote.B)));
        Assert.Equal(1, server.RequestCount);

        clock.Advance(TimeSpan.FromSeconds(1));
        RuleKit.AssertValid(await validator.ValidateAsync(Remote.Token(Remote.B)));
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task RemovedKid_AfterRefreshAsync_FailsWithUnknownKey()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A, Remote.B));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        RuleKit.AssertValid(await validator.ValidateAsync(Remote.Token(Remote.A)));

        server.Serve(TestKey.Jwks(Remote.B));
        Assert.True(await provider.RefreshAsync());

        RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, await validator.ValidateAsync(Remote.Token(Remote.A)));
        RuleKit.AssertValid(await validator.ValidateAsync(Remote.Token(Remote.B)));
        Assert.Equal(["key-b"], provider.KeyIds);
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task RemovedKid_AfterTheBackgroundRefresh_FailsWithUnknownKey_WithoutAnotherFetch()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A, Remote.B));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        server.Serve(TestKey.Jwks(Remote.B));

        // Default refresh interval: 15 minutes, ±5 % jitter.
        clock.Advance(TimeSpan.FromMinutes(15.75) + TimeSpan.FromMilliseconds(1));
        await server.WaitForRequestsAsync(2);
        await Remote.WaitForAttemptAsync(provider, clock);

        // Right after a fetch, an unknown kid fails fast (cooldown).
        RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, Remote.ValidateNow(validator, Remote.Token(Remote.A)));
        RuleKit.AssertValid(await validator.ValidateAsync(Remote.Token(Remote.B)));
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task RotatedKid_ProvenUnknownEarlier_ValidatesAsSoonAsAFetchLoadsIt()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        clock.Advance(TimeSpan.FromSeconds(30));
        RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, await validator.ValidateAsync(Remote.Token(Remote.B)));

        // The identity provider publishes B a moment later; a refresh forgets that B was unknown.
        server.Serve(TestKey.Jwks(Remote.A, Remote.B));
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await provider.RefreshAsync());

        RuleKit.AssertValid(await validator.ValidateAsync(Remote.Token(Remote.B)));
        Assert.Equal(3, server.RequestCount);
    }
}
