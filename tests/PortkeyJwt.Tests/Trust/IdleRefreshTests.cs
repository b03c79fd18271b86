using Microsoft.Extensions.Time.Testing;
using static PortkeyJwt.Tests.Support.RuleKit;
using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Trust;

/// <summary>
/// Only anchors in use are refreshed in the background: after <see cref="JwksKeyProviderOptions.AnchorIdleTimeout"/>
/// without a token an anchor stops fetching, keeps serving its last good keys within their staleness, and its next
/// token is validated at once while it starts a refresh. A provider outside a set keeps refreshing.
/// </summary>
public sealed class IdleRefreshTests
{
    [Fact]
    public async Task AnchorWithoutTokens_StopsRefreshing_AndTheNextTokenValidatesAndRefreshes()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        FakeTimeProvider clock = Tokens.Clock();
        using TrustAnchorSet trust = Set(new JwksKeyProviderOptions { RefreshInterval = TimeSpan.FromMinutes(10) }, clock, RemoteAnchor(IssuerA, server, "org-a"));
        AssertValid(await trust.Validator.ValidateAsync(LongLived()));
        Assert.Equal(1, server.RequestCount);

        await Advance(clock, TimeSpan.FromHours(2), () => trust.KeysOf(IssuerA));
        int whileIdle = server.RequestCount;
        Assert.InRange(whileIdle, 6, 8); // refreshed every ~10 minutes for the first hour, then stopped
        Assert.True(trust.KeysOf(IssuerA)!.IsSleeping);
        await Advance(clock, TimeSpan.FromHours(10), () => trust.KeysOf(IssuerA));
        Assert.Equal(whileIdle, server.RequestCount);

        PortkeyJwtResult result = trust.Validator.ValidateNow(LongLived(("sub", "back"))); // last good keys, no wait
        AssertValid(result);
        await server.WaitForRequestsAsync(whileIdle + 1);
        Assert.False(trust.KeysOf(IssuerA)!.IsSleeping);

        await Advance(clock, TimeSpan.FromMinutes(30), () => trust.KeysOf(IssuerA)); // the schedule resumes from that refresh
        Assert.InRange(server.RequestCount, whileIdle + 3, whileIdle + 5);
    }

    [Fact]
    public async Task AnchorWithCachedTokens_IsInUse_AndKeepsRefreshing()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        FakeTimeProvider clock = Tokens.Clock();
        using TrustAnchorSet trust = Set(new JwksKeyProviderOptions { RefreshInterval = TimeSpan.FromMinutes(10) }, clock, RemoteAnchor(IssuerA, server, "org-a"));
        string token = LongLived();
        AssertValid(await trust.Validator.ValidateAsync(token));

        for (int minute = 0; minute < 180; minute += 5)
        {
            await Advance(clock, TimeSpan.FromMinutes(5), () => trust.KeysOf(IssuerA));
            AssertValid(trust.Validator.ValidateNow(token)); // a cache hit: no routing, but the anchor is in use
        }

        Assert.False(trust.KeysOf(IssuerA)!.IsSleeping);
        Assert.InRange(server.RequestCount, 17, 20);
    }

    [Fact]
    public async Task ProviderOutsideASet_KeepsRefreshingWithoutTokens()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Remote.Provider(server, clock, o => o.RefreshInterval = TimeSpan.FromMinutes(10));
        Assert.True(await provider.WarmUpAsync());

        await Advance(clock, TimeSpan.FromHours(3), () => provider);

        Assert.False(provider.IsSleeping);
        Assert.InRange(server.RequestCount, 17, 20);
    }

    /// <summary>A token of provider A valid for 30 days, so the clock can move by hours.</summary>
    private static string LongLived(params (string Name, JsonNode? Value)[] changes) =>
        Token(KeyA, IssuerA, "org-a", [("exp", Tokens.NowSeconds + 2_592_000), .. changes]);

    /// <summary>
    /// Moves the clock a minute at a time and lets each fetch a timer starts complete before the next minute (a timer's
    /// fetch is in flight from its callback, inside <see cref="FakeTimeProvider.Advance"/>).
    /// </summary>
    private static async Task Advance(FakeTimeProvider clock, TimeSpan by, Func<JwksKeyProvider?> keys)
    {
        for (TimeSpan moved = TimeSpan.Zero; moved < by; moved += TimeSpan.FromMinutes(1))
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            await Eventually.Until(() => keys()?.IsFetching != true, "the refresh the clock started to complete");
        }
    }
}
