using Microsoft.Extensions.Time.Testing;

namespace PortkeyJwt.Tests.Remote;

/// <summary>
/// A kid rejected as unknown twice in a row is remembered per thread, so its repeats skip the header work. The memo is
/// only a shortcut: once the kid arrives in the key set, the next token naming it is validated in full and passes; and
/// without any key set the JWS layer reports the keys unavailable rather than waiting for a fetch it may not start.
/// </summary>
public sealed class UnknownKidArrivalTests
{
    [Fact]
    public async Task RememberedUnknownKid_OnceItArrives_ValidatesInFull()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock, o => o.UnknownKeyCooldown = TimeSpan.FromHours(1));
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());

        string token = Remote.Token(Remote.B);
        Assert.Equal(PortkeyJwtError.UnknownKey, Remote.ValidateNow(validator, token).Error); // in the cooldown: no fetch
        Assert.Equal(PortkeyJwtError.UnknownKey, Remote.ValidateNow(validator, token).Error);
        Assert.True(validator.RemembersUnknownKid(token));

        server.Serve(TestKey.Jwks(Remote.A, Remote.B));
#pragma warning disable xUnit1031 // the memo is per thread: awaiting could resume this test on another thread, where it is empty
        Assert.True(provider.RefreshAsync().Wait(TimeSpan.FromSeconds(30)));
#pragma warning restore xUnit1031
        Assert.True(validator.RemembersUnknownKid(token)); // still this thread, so the next validation meets the memo

        RuleKit.AssertValid(Remote.ValidateNow(validator, token));
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task VerifyJws_WithNoKeySetAndOffCooldown_IsKeysUnavailable_WithoutWaiting()
    {
        await using JwksServer server = await JwksServer.StartAsync();
        server.FailWith(503);
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.False(await provider.WarmUpAsync());
        clock.Advance(TimeSpan.FromMinutes(1)); // past the cooldown: a validation would fetch first; the JWS layer may not

        Assert.True(provider.ShouldFetchFor([]));
        Assert.Equal(PortkeyJwtError.KeysUnavailable, validator.VerifyJws(Remote.Token(Remote.A)));
    }
}
