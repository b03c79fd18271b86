namespace PortkeyJwt.TestKit.Tests;

/// <summary>Lifetimes follow the injected clock, for minting and for the built validators alike.</summary>
public sealed class LifetimeTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Mint_Defaults_AreIssuedNowOnTheInjectedClock_ForTheDefaultLifetime()
    {
        var clock = new FakeTimeProvider(Start);
        using var idp = new TestIdentityProvider(clock);

        JsonObject payload = Payload.Of(idp.Mint());

        Assert.Equal(Start.ToUnixTimeSeconds(), payload["iat"]!.GetValue<long>());
        Assert.Equal(Start.ToUnixTimeSeconds(), payload["nbf"]!.GetValue<long>());
        Assert.Equal((Start + TestIdentityProvider.DefaultLifetime).ToUnixTimeSeconds(), payload["exp"]!.GetValue<long>());
    }

    [Fact]
    public async Task Token_AfterTheClockPassesItsExpiry_IsExpired()
    {
        var clock = new FakeTimeProvider(Start);
        using var idp = new TestIdentityProvider(clock);
        PortkeyJwtValidator validator = idp.CreateValidator();
        string token = idp.Mint(expiresAt: Start.AddMinutes(5));
        Assert.True((await validator.ValidateAsync(token)).IsValid);

        clock.Advance(TimeSpan.FromMinutes(10)); // past exp and the 60 s clock skew

        Assert.Equal(PortkeyJwtError.Expired, (await validator.ValidateAsync(token)).Error);
    }

    [Fact]
    public async Task Token_IssuedInThePast_WithExpiryPassed_IsExpired()
    {
        var clock = new FakeTimeProvider(Start);
        using var idp = new TestIdentityProvider(clock);

        PortkeyJwtResult result = await idp.CreateValidator().ValidateAsync(idp.Mint(issuedAt: Start.AddHours(-2)));

        Assert.Equal(PortkeyJwtError.Expired, result.Error);
    }

    [Fact]
    public async Task Token_NotValidBeforeALaterTime_IsNotYetValid_UntilTheClockGetsThere()
    {
        var clock = new FakeTimeProvider(Start);
        using var idp = new TestIdentityProvider(clock);
        PortkeyJwtValidator validator = idp.CreateValidator();
        string token = idp.Mint(notBefore: Start.AddMinutes(5));

        Assert.Equal(PortkeyJwtError.NotYetValid, (await validator.ValidateAsync(token)).Error);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True((await validator.ValidateAsync(token)).IsValid);
    }
}
