using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using PortkeyJwt.Internal;

namespace PortkeyJwt.Tests.Remote;

/// <summary>
/// Tokens with made-up kids cannot turn the gateway into a request amplifier: at most one fetch per cooldown window, and a
/// kid a fetch has just proven unknown fails fast.
/// </summary>
public sealed class FloodTests
{
    [Fact]
    public async Task HundredThousandRandomKids_OverFiveMinutes_CauseAtMostOneFetchPerCooldown_AndAllFailWithUnknownKey()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());

        var random = new Random(20260601);
        var waiting = new List<Task<PortkeyJwtResult>>();
        int synchronous = 0;
        int waited = 0;
        for (int i = 0; i < 100_000; i++)
        {
            if (i > 0 && i % 333 == 0)
            {
                waited += await ExpectAllUnknownAsync(waiting);
                clock.Advance(TimeSpan.FromSeconds(1));
            }

            string kid = random.NextInt64().ToString("x16", CultureInfo.InvariantCulture);
            if (Remote.Start(validator, Remote.UnsignedToken(kid), out Task<PortkeyJwtResult>? fetching) is { } result)
            {
                Assert.Equal(PortkeyJwtError.UnknownKey, result.Error);
                synchronous++;
            }
            else
            {
                waiting.Add(fetching!);
            }
        }

        waited += await ExpectAllUnknownAsync(waiting);

        Assert.Equal(Tokens.Now + TimeSpan.FromSeconds(300), clock.GetUtcNow());
        Assert.Equal(100_000, synchronous + waited);
        Assert.InRange(server.RequestCount, 10, 11); // the warm-up, then one per 30 s window of 300 s
        Assert.All(server.Requests, r =>
        {
            Assert.Equal("GET", r.Method);
            Assert.Equal(JwksServer.JwksPath, r.Path);
        });
        // Only the tokens that arrived while one of the ten fetches was in flight waited (at most one 1-second batch each).
        Assert.True(synchronous >= 100_000 - (10 * 333), $"Only {synchronous} of 100,000 unknown kids failed without waiting for a fetch.");
        Assert.True(provider.Status.IsHealthy);
    }

    [Fact]
    public async Task UnknownKid_DuringTheCooldown_FailsSynchronously_WithoutARequest()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());

        foreach (TimeSpan step in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(19.999) })
        {
            clock.Advance(step);
            RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, Remote.ValidateNow(validator, Remote.UnsignedToken("no-such-kid-" + step.Ticks)));
        }

        Assert.Equal(1, server.RequestCount);

        clock.Advance(TimeSpan.FromMilliseconds(1)); // 30 s after the warm-up completed
        Task<PortkeyJwtResult> offCooldown = validator.ValidateAsync(Remote.UnsignedToken("no-such-kid")).AsTask();
        Assert.False(offCooldown.IsCompleted, "Off cooldown, an unknown kid waits for a fetch.");
        RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, await offCooldown);
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task KidProvenUnknownByAFetch_IsNotFetchedForAgain_UntilItsCooldownEnds()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        clock.Advance(TimeSpan.FromSeconds(30));
        string bogus = Remote.UnsignedToken("bogus");

        RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, await validator.ValidateAsync(bogus));
        Assert.Equal(2, server.RequestCount);

        clock.Advance(TimeSpan.FromSeconds(29.999));
        RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, Remote.ValidateNow(validator, bogus));
        Assert.Equal(2, server.RequestCount);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, await validator.ValidateAsync(bogus));
        Assert.Equal(3, server.RequestCount);
    }

    [Fact]
    public async Task KidProvenUnknown_DoesNotJoinAFetchAlreadyInFlight_WhileAFreshUnknownKidDoes()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        clock.Advance(TimeSpan.FromSeconds(30));
        RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, await validator.ValidateAsync(Remote.UnsignedToken("proven-unknown")));

        TaskCompletionSource hold = server.Hold();
        clock.Advance(TimeSpan.FromSeconds(10));
        Task<bool> refresh = provider.RefreshAsync();
        await server.WaitForRequestsAsync(3);

        RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, Remote.ValidateNow(validator, Remote.UnsignedToken("proven-unknown")));
        Task<PortkeyJwtResult> fresh = validator.ValidateAsync(Remote.UnsignedToken("never-seen")).AsTask();
        Assert.False(fresh.IsCompleted, "A kid not yet proven unknown joins the fetch in flight.");

        hold.SetResult();
        Assert.True(await refresh);
        RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, await fresh);
        Assert.Equal(3, server.RequestCount);
    }

    [Fact]
    public void UnknownKeyCache_RemembersAKid_UntilItsDeadline()
    {
        var cache = new UnknownKeyCache(capacity: 16);
        cache.Add("kid", untilTicks: 1_000);

        Assert.True(cache.Contains("kid", nowTicks: 999));
        Assert.False(cache.Contains("kid", nowTicks: 1_000));
        Assert.False(cache.Contains("other", nowTicks: 0));
    }

    [Fact]
    public void UnknownKeyCache_WhenFull_IsEmptied_SoItNeverExceedsItsCapacity()
    {
        var cache = new UnknownKeyCache(capacity: 16);
        for (int i = 0; i < 16; i++)
        {
            cache.Add($"kid-{i}", long.MaxValue);
        }

        Assert.True(cache.Contains("kid-0", 0));
        cache.Add("kid-16", long.MaxValue);

        Assert.False(cache.Contains("kid-0", 0));
        Assert.False(cache.Contains("kid-15", 0));
        Assert.True(cache.Contains("kid-16", 0));
    }

    [Fact]
    public void UnknownKeyCache_Clear_ForgetsEveryKid()
    {
        var cache = new UnknownKeyCache(capacity: 16);
        cache.Add("kid", long.MaxValue);
        cache.Clear();

        Assert.False(cache.Contains("kid", 0));
    }

    private static async Task<int> ExpectAllUnknownAsync(List<Task<PortkeyJwtResult>> waiting)
    {
        PortkeyJwtResult[] results = await Task.WhenAll(waiting);
        Assert.All(results, r => Assert.Equal(PortkeyJwtError.UnknownKey, r.Error));
        waiting.Clear();
        return results.Length;
    }
}
