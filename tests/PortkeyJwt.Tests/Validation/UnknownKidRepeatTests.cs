using PortkeyJwt.Tests.Remote;
using RemoteKit = PortkeyJwt.Tests.Remote.Remote;
using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>
/// A token rejected twice in a row on a thread for an unknown kid has its header remembered, so its repeats skip decoding
/// and parsing the header. The shortcut must never change a verdict: the key set is consulted on every repeat, each
/// validator judges by its own options, and the structure rule still comes first. Validations here run synchronously on
/// the test's thread (no await between them), where the memo lives.
/// </summary>
public sealed class UnknownKidRepeatTests
{
    private static readonly TestKey Rotated = TestKey.Rsa("rotated-away");

    [Fact]
    public void UnknownKid_RejectedTwiceInARow_IsRemembered_AndEveryRepeatIsStillUnknownKey()
    {
        PortkeyJwtValidator validator = Tokens.Validator();
        string token = Tokens.Mint(key: Rotated);

        AssertRejected(PortkeyJwtError.UnknownKey, validator.ValidateNow(token));
        Assert.False(validator.RemembersUnknownKid(token), "Seen once: nothing is remembered (a random-kid flood never allocates).");
        AssertRejected(PortkeyJwtError.UnknownKey, validator.ValidateNow(token));
        Assert.True(validator.RemembersUnknownKid(token));

        for (int i = 0; i < 3; i++)
        {
            AssertRejected(PortkeyJwtError.UnknownKey, validator.ValidateNow(token));
        }

        // Another token with the same header (re-minted: new payload and signature) takes the same shortcut.
        string again = Tokens.Mint(Tokens.Claims().With(("uid", "someone-else")), key: Rotated);
        Assert.True(validator.RemembersUnknownKid(again));
        AssertRejected(PortkeyJwtError.UnknownKey, validator.ValidateNow(again));
    }

    /// <summary>Each thread's memo is bounded: a header segment over 1,024 characters is never remembered.</summary>
    [Fact]
    public void LongHeader_RejectedTwice_IsNotRemembered()
    {
        PortkeyJwtValidator validator = Tokens.Validator();
        string token = Tokens.Mint(header: Tokens.Header(Rotated).With(("x5u", new string('a', 800))), key: Rotated);
        Assert.True(token.IndexOf('.', StringComparison.Ordinal) > 1024);

        AssertRejected(PortkeyJwtError.UnknownKey, validator.ValidateNow(token));
        AssertRejected(PortkeyJwtError.UnknownKey, validator.ValidateNow(token));
        Assert.False(validator.RemembersUnknownKid(token));
    }

    [Fact]
    public void DistinctKids_OneAfterAnother_AreNeverRemembered()
    {
        PortkeyJwtValidator validator = Tokens.Validator();
        for (int i = 0; i < 50; i++)
        {
            string token = Tokens.Mint(header: Tokens.Header(TestKey.Default).With(("kid", $"random-{i}")));
            AssertRejected(PortkeyJwtError.UnknownKey, validator.ValidateNow(token));
            Assert.False(validator.RemembersUnknownKid(token));
        }
    }

    /// <summary>Variants that share the remembered header get the verdict a validator without the memo gives.</summary>
    [Fact]
    public void RememberedHeader_InVariantsOfTheToken_GivesTheVerdictOfTheFullPath()
    {
        PortkeyJwtValidator validator = Tokens.Validator();
        string token = Tokens.Mint(key: Rotated);
        validator.ValidateNow(token);
        validator.ValidateNow(token);
        Assert.True(validator.RemembersUnknownKid(token));
        string[] parts = token.Split('.');
        (string Variant, PortkeyJwtError Expected)[] cases =
        [
            (token + ".extra", PortkeyJwtError.Malformed),
            (parts[0] + "." + parts[1], PortkeyJwtError.Malformed),
            (parts[0] + ".." + parts[2], PortkeyJwtError.Malformed),
            (parts[0] + "." + parts[1] + ".", PortkeyJwtError.UnknownKey), // the signature is read only with a key
            (parts[0] + ".!!." + parts[2], PortkeyJwtError.UnknownKey), // so is the payload
            (parts[0] + "x." + parts[1] + "." + parts[2], PortkeyJwtError.Malformed),
            (parts[0][..^1] + "." + parts[1] + "." + parts[2], PortkeyJwtError.Malformed),
        ];

        foreach ((string variant, PortkeyJwtError expected) in cases)
        {
            AssertRejected(expected, Tokens.Validator().ValidateNow(variant)); // the full path, no memo
            AssertRejected(expected, validator.ValidateNow(variant));
            AssertRejected(PortkeyJwtError.UnknownKey, validator.ValidateNow(token));
        }
    }

    /// <summary>The memo is per validator: another validator on the same thread applies its own header policy.</summary>
    [Fact]
    public void RememberedHeader_IsJudgedAfreshByAValidatorWithOtherOptions()
    {
        string token = Tokens.Mint(key: Rotated);
        PortkeyJwtValidator lenient = Tokens.Validator();
        PortkeyJwtValidator psOnly = Tokens.Validator(new PortkeyJwtOptions { AllowedAlgorithms = ["PS256"] });
        PortkeyJwtValidator atJwt = Tokens.Validator(new PortkeyJwtOptions { RequiredType = "at+jwt" });
        lenient.ValidateNow(token);
        lenient.ValidateNow(token);
        Assert.True(lenient.RemembersUnknownKid(token));

        AssertRejected(PortkeyJwtError.UnsupportedAlgorithm, psOnly.ValidateNow(token));
        AssertRejected(PortkeyJwtError.InvalidType, atJwt.ValidateNow(token));
        Assert.False(psOnly.RemembersUnknownKid(token));
        AssertRejected(PortkeyJwtError.UnknownKey, lenient.ValidateNow(token));
    }

    /// <summary>The key set is looked at on every repeat: once the identity provider publishes the kid, the token validates.</summary>
    [Fact]
    public async Task RememberedKid_ThatTheIdentityProviderPublishes_Validates()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(RemoteKit.A));
        var clock = Tokens.Clock();
        using JwksKeyProvider provider = RemoteKit.Provider(server, clock);
        PortkeyJwtValidator validator = RemoteKit.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        string token = RemoteKit.Token(RemoteKit.B);

        // Within the cooldown of the warm-up fetch: rejected at once, remembered, and no fetch is made.
        AssertRejected(PortkeyJwtError.UnknownKey, RemoteKit.ValidateNow(validator, token));
        AssertRejected(PortkeyJwtError.UnknownKey, RemoteKit.ValidateNow(validator, token));
        Assert.True(validator.RemembersUnknownKid(token));
        AssertRejected(PortkeyJwtError.UnknownKey, RemoteKit.ValidateNow(validator, token));
        Assert.Equal(1, server.RequestCount);

        // B is published; after the cooldown the remembered token's kid triggers the fetch, and the token validates.
        server.Serve(TestKey.Jwks(RemoteKit.A, RemoteKit.B));
        clock.Advance(TimeSpan.FromSeconds(30));
        AssertValid(await validator.ValidateAsync(token));
        Assert.Equal(2, server.RequestCount);
        AssertValid(RemoteKit.ValidateNow(validator, token));
    }

    /// <summary>A refresh that loads the kid (no fetch of our own) is seen by the next repeat as well.</summary>
    [Fact]
    public async Task RememberedKid_LoadedByARefresh_ValidatesOnTheNextRepeat()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(RemoteKit.A));
        var clock = Tokens.Clock();
        using JwksKeyProvider provider = RemoteKit.Provider(server, clock);
        PortkeyJwtValidator validator = RemoteKit.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        string token = RemoteKit.Token(RemoteKit.B);
        RemoteKit.ValidateNow(validator, token);
        RemoteKit.ValidateNow(validator, token);
        Assert.True(validator.RemembersUnknownKid(token));

        server.Serve(TestKey.Jwks(RemoteKit.A, RemoteKit.B));
        Assert.True(await provider.RefreshAsync());

        AssertValid(RemoteKit.ValidateNow(validator, token));
    }
}
