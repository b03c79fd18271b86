using Microsoft.Extensions.Time.Testing;
using PortkeyJwt.Internal;

namespace PortkeyJwt.Tests.Remote;

/// <summary>
/// A refresh keeps a key object only when the JWK is exactly the same (kid, <c>alg</c> and key material:
/// VerificationKey.IsSameAs). A JWK republished under the same kid with anything changed is a new key: what the old one
/// verified, cached results included, no longer counts.
/// </summary>
public sealed class KeyReplacementTests
{
    [Fact]
    public async Task SameKidAndAlg_WithNewKeyMaterial_AfterTheBackgroundRefresh_OldSignaturesFail_NewOnesValidate()
    {
        // Remote.C and Remote.OtherC share the kid "key-c"; both JWKs also say alg ES256.
        await using JwksServer server = await JwksServer.StartAsync(Jwks(Remote.C, "ES256"));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock); // the validated-token cache is on
        Assert.True(await provider.WarmUpAsync());
        string oldToken = Remote.Token(Remote.C);
        string newToken = Remote.Token(Remote.OtherC);
        RuleKit.AssertValid(Remote.ValidateNow(validator, oldToken));
        RuleKit.AssertRejected(PortkeyJwtError.InvalidSignature, Remote.ValidateNow(validator, newToken));
        Assert.True(validator.Cache!.Contains(oldToken));
        VerificationKey before = Key(provider, "key-c");

        server.Serve(Jwks(Remote.OtherC, "ES256"));
        clock.Advance(TimeSpan.FromMinutes(15.75) + TimeSpan.FromMilliseconds(1)); // default refresh: 15 minutes, ±5 % jitter
        await server.WaitForRequestsAsync(2);
        await Remote.WaitForAttemptAsync(provider, clock);

        Assert.NotSame(before, Key(provider, "key-c"));
        Assert.False(validator.Cache.Contains(oldToken)); // its entry hung off the replaced key
        RuleKit.AssertRejected(PortkeyJwtError.InvalidSignature, Remote.ValidateNow(validator, oldToken));
        RuleKit.AssertValid(Remote.ValidateNow(validator, newToken));
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task SameKidAndMaterial_WithAnAlgAdded_AfterARefresh_TheKeyNoLongerVerifiesOtherAlgorithms()
    {
        await using JwksServer server = await JwksServer.StartAsync(Jwks(Remote.Rsa, alg: null));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        var validator = new PortkeyJwtValidator(provider, new PortkeyJwtOptions { AllowedAlgorithms = ["RS256", "PS256"] }, clock);
        Assert.True(await provider.WarmUpAsync());
        string ps256 = Token(Remote.Rsa, "PS256");
        string rs256 = Token(Remote.Rsa, "RS256");
        RuleKit.AssertValid(Remote.ValidateNow(validator, ps256)); // no alg on the JWK: any RSA algorithm allowed
        RuleKit.AssertValid(Remote.ValidateNow(validator, rs256));
        VerificationKey before = Key(provider, Remote.Rsa.Kid);

        server.Serve(Jwks(Remote.Rsa, "RS256"));
        Assert.True(await provider.RefreshAsync());

        Assert.NotSame(before, Key(provider, Remote.Rsa.Kid));
        Assert.False(validator.Cache!.Contains(ps256));
        RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, Remote.ValidateNow(validator, ps256)); // the key no longer fits PS256
        RuleKit.AssertValid(Remote.ValidateNow(validator, rs256));
    }

    [Fact]
    public async Task SameKidAlgAndMaterial_AfterARefresh_KeepsTheKeyObject()
    {
        await using JwksServer server = await JwksServer.StartAsync(Jwks(Remote.Rsa, "RS256"));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        Assert.True(await provider.WarmUpAsync());
        VerificationKey before = Key(provider, Remote.Rsa.Kid);

        // Member order and extra members do not make a different key.
        server.Serve(TestKey.Jwks(Remote.Rsa.PublicJwk(new Dictionary<string, JsonNode?> { ["alg"] = "RS256", ["x5t"] = "ignored" })));
        Assert.True(await provider.RefreshAsync());

        Assert.Same(before, Key(provider, Remote.Rsa.Kid));
    }

    private static string Jwks(TestKey key, string? alg) =>
        TestKey.Jwks(alg is null ? key.PublicJwk() : key.PublicJwk(new Dictionary<string, JsonNode?> { ["alg"] = alg }));

    private static string Token(TestKey key, string algorithm) =>
        Tokens.Mint(Tokens.Claims().With(("exp", JsonValue.Create(Tokens.NowSeconds + 2_592_000))), Tokens.Header(key, algorithm), key);

    private static VerificationKey Key(JwksKeyProvider provider, string kid)
    {
        Assert.True(provider.Current!.TryGetKey(kid, out VerificationKey key), $"No key '{kid}' is served.");
        return key;
    }
}
