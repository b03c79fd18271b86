namespace PortkeyJwt.TestKit.Tests;

public sealed class DisposeTests
{
    [Fact]
    public async Task Dispose_BuiltValidators_RejectWithKeysUnavailable_AndMintThrows()
    {
        var idp = new TestIdentityProvider();
        PortkeyJwtValidator validator = idp.CreateValidator();
        string token = idp.Mint();
        Assert.True((await validator.ValidateAsync(token, ["completions.write"])).IsValid);

        idp.Dispose();
        idp.Dispose(); // idempotent

        Assert.Equal(PortkeyJwtError.KeysUnavailable, (await validator.ValidateAsync(token)).Error);
        Assert.Throws<ObjectDisposedException>(() => idp.Mint());
        Assert.Throws<ObjectDisposedException>(() => idp.CreateValidator());
        Assert.Throws<ObjectDisposedException>(() => idp.RotateKey());
    }
}
