using System.Diagnostics;

namespace PortkeyJwt.Tests.Remote;

/// <summary>
/// The unknown-kid cooldown on the system clock. A provider given <see cref="TimeProvider.System"/> (or no clock) does not
/// read the wall clock for it but the monotonic <see cref="Environment.TickCount64"/> (JwksSource.CooldownOver); every
/// other spec runs on a <c>FakeTimeProvider</c> and so takes the other branch. These are the only specs here that wait
/// on real time: a cooldown of one second (the shortest allowed), polled with a bound, never a sleep of fixed length.
/// Claims are still checked on the fake clock: only the provider runs on the system clock.
/// </summary>
public sealed class SystemClockCooldownTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task UnknownKid_OnTheSystemClock_WithinTheDefaultCooldown_FailsFastWithoutAFetch()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        using var provider = new JwksKeyProvider(new JwksKeyProviderOptions { JwksUrls = [server.Url] }); // UnknownKeyCooldown: default 30 s
        PortkeyJwtValidator validator = Remote.Validator(provider, Tokens.Clock());
        await FirstFetchAsync(provider, server);
        server.Serve(TestKey.Jwks(Remote.A, Remote.B));

        // The first fetch has just completed: key-b is not fetched for, however often it is asked for.
        for (int i = 0; i < 3; i++)
        {
            RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, Remote.ValidateNow(validator, Remote.Token(Remote.B)));
            RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, Remote.ValidateNow(validator, Remote.UnsignedToken("never-published-" + i)));
        }

        Assert.Equal(1, server.RequestCount);
        RuleKit.AssertValid(Remote.ValidateNow(validator, Remote.Token(Remote.A)));
    }

    /// <summary>
    /// Waits (bounded) for the fetch the provider's own timer starts at construction. Not WarmUpAsync: on the system clock
    /// that timer's first callback runs on the thread pool and, on a busy machine, can run after a warm-up fetch has
    /// completed and start a second one. Nothing but that timer fetches here, and it is re-armed (15 minutes) only after.
    /// </summary>
    private static async Task FirstFetchAsync(JwksKeyProvider provider, JwksServer server)
    {
        await Eventually.Until(() => provider.KeyCount > 0, "the provider's first fetch");
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task UnknownKid_OnTheSystemClock_AfterTheCooldown_FetchesOnce_ThenCoolsDownAgain()
    {
        TimeSpan cooldown = TimeSpan.FromSeconds(1);
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        using var provider = new JwksKeyProvider(new JwksKeyProviderOptions { JwksUrls = [server.Url], UnknownKeyCooldown = cooldown }, timeProvider: TimeProvider.System);
        PortkeyJwtValidator validator = Remote.Validator(provider, Tokens.Clock());
        await FirstFetchAsync(provider, server);
        var sinceFirstFetch = Stopwatch.StartNew(); // started after the fetch was published: it under-counts the cooldown, never over-counts
        server.Serve(TestKey.Jwks(Remote.A, Remote.B));
        string tokenB = Remote.Token(Remote.B);

        // Until the cooldown ends key-b fails fast; the first attempt after it waits for one fetch, which finds key-b.
        Task<PortkeyJwtResult>? fetching = null;
        while (fetching is null)
        {
            PortkeyJwtResult? failedFast = Remote.Start(validator, tokenB, out fetching);
            if (failedFast is null)
            {
                break;
            }

            RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, failedFast);
            Assert.Equal(1, server.RequestCount);
            Assert.True(sinceFirstFetch.Elapsed < Bound, $"No fetch for an unknown kid within {Bound.TotalSeconds} s of a {cooldown.TotalSeconds} s cooldown.");
            await Task.Delay(10);
        }

        TimeSpan waited = sinceFirstFetch.Elapsed;
        RuleKit.AssertValid(await fetching!);
        var sinceFetch = Stopwatch.StartNew();
        Assert.Equal(2, server.RequestCount);

        // TickCount64 ticks in steps of a few milliseconds: allow them, not a fetch that ignored the cooldown.
        Assert.True(waited >= cooldown - TimeSpan.FromMilliseconds(50), $"The unknown kid was fetched for {waited.TotalMilliseconds:0} ms after the last fetch, within the {cooldown.TotalSeconds} s cooldown.");

        // That fetch started a new cooldown: another unknown kid right after it fails fast.
        PortkeyJwtResult? next = Remote.Start(validator, Remote.UnsignedToken("key-c"), out Task<PortkeyJwtResult>? nextFetch);
        TimeSpan asked = sinceFetch.Elapsed;
        if (next is not null)
        {
            RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, next);
            Assert.Equal(2, server.RequestCount);
        }
        else
        {
            // Only a stall of the whole cooldown between the two calls may excuse a fetch here.
            RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, await nextFetch!);
            Assert.True(asked >= cooldown, $"An unknown kid {asked.TotalMilliseconds:0} ms after a fetch started another one.");
        }
    }
}
