using Microsoft.Extensions.Time.Testing;
using PortkeyJwt.Tests.Remote;

namespace PortkeyJwt.Tests.Caching;

/// <summary>Cached validations follow the key set: a removed key evicts what it verified; an unchanged refresh keeps it.</summary>
public sealed class CacheKeyRotationTests
{
    [Fact]
    public async Task KeyRemovedFromTheJwks_EvictsItsCachedValidations_AtTheSwap()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.Remote.A, Remote.Remote.B));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        string tokenA = Remote.Remote.Token(Remote.Remote.A);
        string tokenB = Remote.Remote.Token(Remote.Remote.B);
        RuleKit.AssertValid(await validator.ValidateAsync(tokenA));
        RuleKit.AssertValid(await validator.ValidateAsync(tokenB));
        Assert.True(Cache(validator).Contains(tokenA));
        Assert.True(Cache(validator).Contains(tokenB));

        server.Serve(TestKey.Jwks(Remote.Remote.B));
        Assert.True(await provider.RefreshAsync());

        Assert.False(Cache(validator).Contains(tokenA)); // A's entry expired at the swap, before any lookup touched it
        Assert.True(Cache(validator).Contains(tokenB));
        RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, await validator.ValidateAsync(tokenA));
        RuleKit.AssertValid(await validator.ValidateAsync(tokenB));
    }

    [Fact]
    public async Task RefreshServingTheSameKeys_KeepsTheKeyObjects_AndTheCachedValidations()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        string token = Remote.Remote.Token(Remote.Remote.A);
        PortkeyJwtResult first = await validator.ValidateAsync(token);
        provider.Current!.TryGetKey(Remote.Remote.A.Kid, out PortkeyJwt.Internal.VerificationKey before);

        Assert.True(await provider.RefreshAsync()); // a full 200 with the same document (no ETag)
        provider.Current!.TryGetKey(Remote.Remote.A.Kid, out PortkeyJwt.Internal.VerificationKey after);

        Assert.Equal(2, server.RequestCount);
        Assert.Same(before, after);
        Assert.Same(first, await validator.ValidateAsync(token));
    }

    [Fact]
    public async Task ProviderDisposed_EvictsEverything_AndValidationsReportKeysUnavailable()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        JwksKeyProvider provider = Remote.Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        string token = Remote.Remote.Token(Remote.Remote.A);
        RuleKit.AssertValid(await validator.ValidateAsync(token));

        provider.Dispose();

        Assert.False(Cache(validator).Contains(token));
        RuleKit.AssertRejected(PortkeyJwtError.KeysUnavailable, await validator.ValidateAsync(token));
    }

    private static PortkeyJwt.Internal.ValidationCache Cache(PortkeyJwtValidator validator) => validator.Cache!;
}
