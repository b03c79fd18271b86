using System.Text.Json.Nodes;
using PortkeyJwt.Internal;
using RemoteKit = PortkeyJwt.Tests.Remote.Remote;
using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>
/// A validator remembers the header segments of tokens whose signature verified, with the key each selected, and skips
/// reading such a header again (AcceptedHeaders). The memory is a speed-up only: it must never accept what the full header
/// and key rules would refuse, never skip the signature, and never outlive the key set it was made under.
/// </summary>
public sealed class AcceptedHeaderTests
{
    private static readonly PortkeyJwtOptions CacheOff = new() { ValidationCache = false, AllowedAlgorithms = ["ES256", "RS256"] };

    [Fact]
    public void RememberedHeader_StillHasItsSignatureChecked()
    {
        PortkeyJwtValidator validator = Tokens.Validator(CacheOff);
        string token = Tokens.Mint();
        AssertValid(validator.ValidateNow(token));

        byte[] signature = SignatureBytes(token);
        signature[^1] ^= 1;
        AssertRejected(PortkeyJwtError.InvalidSignature, validator.ValidateNow(WithSignature(token, signature)));
        string otherPayload = Segment(Tokens.Mint(Tokens.Claims().With(("portkey_oid", "org-other"))), 1);
        AssertRejected(PortkeyJwtError.InvalidSignature, validator.ValidateNow(WithSegment(token, 1, otherPayload)));
    }

    [Theory]
    [InlineData("typ", "JWX", PortkeyJwtError.InvalidType)] // same length as JWT: only the bytes differ
    [InlineData("kid", "test-rsa-2049", PortkeyJwtError.UnknownKey)]
    [InlineData("alg", "RS384", PortkeyJwtError.UnsupportedAlgorithm)]
    public void HeaderDifferingInOneCharacter_FromARememberedOne_IsReadInFull(string name, string value, PortkeyJwtError expected)
    {
        PortkeyJwtValidator validator = Tokens.Validator(CacheOff);
        JsonObject header = Tokens.Header(TestKey.Default);
        AssertValid(validator.ValidateNow(Tokens.Mint(header: header)));
        JsonObject changed = Tokens.Header(TestKey.Default).With((name, value));
        Assert.Equal(header.ToJsonString().Length, changed.ToJsonString().Length);

        AssertRejected(expected, validator.ValidateNow(Tokens.Mint(header: changed)));
    }

    [Fact]
    public void HeaderOfATokenWhoseSignatureFails_IsNotRemembered()
    {
        JwksKeyProvider provider = JwksKeyProvider.FromJson(TestKey.Jwks(TestKey.Default));
        var validator = new PortkeyJwtValidator(provider, CacheOff, Tokens.Clock());
        string token = Tokens.Mint();
        byte[] signature = SignatureBytes(token);
        signature[0] ^= 1;
        AssertRejected(PortkeyJwtError.InvalidSignature, validator.ValidateNow(WithSignature(token, signature)));
        KeySetSnapshot keys = provider.Current!;
        Assert.Null(validator.AcceptedHeaders.Find(Segment(token, 0), keys));

        AssertValid(validator.ValidateNow(token));
        Assert.Same(keys.Keys[TestKey.Default.Kid], validator.AcceptedHeaders.Find(Segment(token, 0), keys)!.Key);
    }

    [Fact]
    public async Task KeyDroppedAtARefresh_ItsRememberedHeader_NoLongerFindsIt()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(RemoteKit.A, RemoteKit.B));
        using JwksKeyProvider provider = RemoteKit.Provider(server, Tokens.Clock(), o => o.UnknownKeyCooldown = TimeSpan.FromHours(1));
        var validator = new PortkeyJwtValidator(provider, CacheOff, Tokens.Clock());
        Assert.True(await provider.WarmUpAsync());
        string token = RemoteKit.Token(RemoteKit.A);
        AssertValid(RemoteKit.ValidateNow(validator, token));

        server.Serve(TestKey.Jwks(RemoteKit.B));
        Assert.True(await provider.RefreshAsync());

        AssertRejected(PortkeyJwtError.UnknownKey, RemoteKit.ValidateNow(validator, token));
        AssertValid(RemoteKit.ValidateNow(validator, RemoteKit.Token(RemoteKit.B)));
    }

    [Fact]
    public async Task KidRepublishedWithNewMaterial_ItsRememberedHeader_SelectsTheNewKey()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(RemoteKit.C));
        using JwksKeyProvider provider = RemoteKit.Provider(server, Tokens.Clock());
        var validator = new PortkeyJwtValidator(provider, CacheOff, Tokens.Clock());
        Assert.True(await provider.WarmUpAsync());
        string oldToken = RemoteKit.Token(RemoteKit.C);
        string newToken = RemoteKit.Token(RemoteKit.OtherC);
        Assert.Equal(Segment(oldToken, 0), Segment(newToken, 0));
        AssertValid(RemoteKit.ValidateNow(validator, oldToken));

        server.Serve(TestKey.Jwks(RemoteKit.OtherC));
        Assert.True(await provider.RefreshAsync());

        AssertRejected(PortkeyJwtError.InvalidSignature, RemoteKit.ValidateNow(validator, oldToken));
        AssertValid(RemoteKit.ValidateNow(validator, newToken));
    }

    /// <summary>Six kids over four slots, from four threads: slots are replaced under readers, and no token ever meets another's key.</summary>
    [Fact]
    public void ManyHeadersFromManyThreads_EachTokenIsVerifiedWithItsOwnKey()
    {
        TestKey[] keys = [.. Enumerable.Range(0, 6).Select(i => TestKey.Ec($"kid-{i}"))];
        PortkeyJwtValidator validator = Tokens.Validator(CacheOff, null, keys);
        string[] tokens = [.. keys.Select(k => Tokens.Mint(key: k))];
        string[] forged = [.. tokens.Select((t, i) => WithSegment(t, 0, Segment(tokens[(i + 1) % tokens.Length], 0)))];
        int valid = 0, refused = 0;

        Parallel.For(0, 4, thread =>
        {
            for (int n = 0; n < 300; n++)
            {
                int which = (n * 7 + thread) % tokens.Length;
                PortkeyPrincipal principal = AssertValid(validator.ValidateNow(tokens[which]));
                Assert.Equal(keys[which].Kid, principal.KeyId);
                Interlocked.Increment(ref valid);
                AssertRejected(PortkeyJwtError.InvalidSignature, validator.ValidateNow(forged[which]));
                Interlocked.Increment(ref refused);
            }
        });

        Assert.Equal((1200, 1200), (valid, refused));
    }

    [Fact]
    public void Slots_PreferAnEmptyOrStaleOne_ThenTakeTurns()
    {
        var memory = new AcceptedHeaders();
        KeySetSnapshot old = Snapshot();
        KeySetSnapshot current = Snapshot();
        VerificationKey key = current.Keys[TestKey.Default.Kid];
        memory.Add("stale", old, JwsAlgorithm.RS256, key);
        for (int i = 0; i < 4; i++)
        {
            memory.Add($"h{i}", current, JwsAlgorithm.RS256, key); // the stale slot and the three empty ones
        }

        Assert.Null(memory.Find("stale", old));
        Assert.All(Enumerable.Range(0, 4), i => Assert.NotNull(memory.Find($"h{i}", current)));
        Assert.Null(memory.Find("h0", old)); // another key set never matches

        memory.Add("h4", current, JwsAlgorithm.RS256, key);
        Assert.NotNull(memory.Find("h4", current));
        Assert.Equal(3, Enumerable.Range(0, 4).Count(i => memory.Find($"h{i}", current) is not null));
    }

    [Fact]
    public void Segment_LongerThanTheLimit_IsNotKept()
    {
        var memory = new AcceptedHeaders();
        KeySetSnapshot keys = Snapshot();
        VerificationKey key = keys.Keys[TestKey.Default.Kid];
        string longest = new('h', AcceptedHeaders.MaxSegmentLength);

        memory.Add(longest, keys, JwsAlgorithm.RS256, key);
        memory.Add(longest + "h", keys, JwsAlgorithm.RS256, key);

        Assert.NotNull(memory.Find(longest, keys));
        Assert.Null(memory.Find(longest + "h", keys));
    }

    /// <summary>A new key set holding the default key.</summary>
    private static KeySetSnapshot Snapshot() => JwksKeyProvider.FromJson(TestKey.Jwks(TestKey.Default)).Current!;
}
