namespace PortkeyJwt.TestKit.Tests;

/// <summary>Rotation and retirement reach validators built before them, with no clock to move.</summary>
public sealed class RotationTests
{
    [Fact]
    public async Task RotateKey_NewKeysToken_ValidatesThroughAValidatorBuiltBefore_AndTheOldKeyStillDoes()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow); // frozen: no cooldown or refresh timer can help
        using var idp = new TestIdentityProvider(clock);
        PortkeyJwtValidator validator = idp.CreateValidator();
        string oldToken = idp.Mint();
        Assert.True((await validator.ValidateAsync(oldToken)).IsValid);

        string kid = idp.RotateKey();
        PortkeyJwtResult fresh = await validator.ValidateAsync(idp.Mint());

        Assert.Equal("key-2", kid);
        Assert.Equal("key-2", idp.CurrentKeyId);
        Assert.Equal(["key-1", "key-2"], idp.KeyIds);
        Assert.True(fresh.IsValid, fresh.ToString());
        Assert.Equal("key-2", fresh.Principal.KeyId);
        Assert.True((await validator.ValidateAsync(oldToken)).IsValid);
    }

    [Fact]
    public async Task RetireKey_ItsTokens_FailWithUnknownKey_ThroughAValidatorBuiltBefore()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var idp = new TestIdentityProvider(clock);
        PortkeyJwtValidator validator = idp.CreateValidator();
        string oldToken = idp.Mint();
        Assert.True((await validator.ValidateAsync(oldToken)).IsValid); // now in the validated-token cache too

        idp.RotateKey();
        idp.RetireKey("key-1");

        Assert.Equal(["key-2"], idp.KeyIds);
        Assert.Equal(PortkeyJwtError.UnknownKey, (await validator.ValidateAsync(oldToken)).Error);
        Assert.Equal(PortkeyJwtError.UnknownKey, (await validator.ValidateAsync(idp.Mint(keyId: "key-1"))).Error);
        Assert.True((await validator.ValidateAsync(idp.Mint())).IsValid);
    }

    [Fact]
    public async Task CreateValidator_AfterRotation_SeesThePublishedSet()
    {
        using var idp = new TestIdentityProvider();
        idp.RotateKey();
        idp.RetireKey("key-1");

        PortkeyJwtValidator validator = idp.CreateValidator();

        Assert.True((await validator.ValidateAsync(idp.Mint())).IsValid);
        Assert.Equal(PortkeyJwtError.UnknownKey, (await validator.ValidateAsync(idp.Mint(keyId: "key-1"))).Error);
    }

    [Fact]
    public void RetireKey_TheCurrentKey_Throws()
    {
        using var idp = new TestIdentityProvider();

        Assert.Throws<InvalidOperationException>(() => idp.RetireKey("key-1"));
    }

    [Fact]
    public void RetireKey_AnUnpublishedKey_Throws()
    {
        using var idp = new TestIdentityProvider();
        idp.RotateKey();
        idp.RetireKey("key-1");

        Assert.Throws<ArgumentException>(() => idp.RetireKey("key-1"));
    }
}
