using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>Rule 4: the signature is checked over the exact received segments, before any claim is read.</summary>
public sealed class SignatureOrderTests
{
    [Theory]
    [InlineData("expired")]
    [InlineData("no exp")]
    [InlineData("exp as string")]
    [InlineData("not yet valid")]
    [InlineData("no organisation")]
    [InlineData("no scope")]
    [InlineData("scope as number")]
    [InlineData("duplicate exp")]
    [InlineData("payload not JSON")]
    [InlineData("payload nested 65 deep")]
    public void Token_WithBadSignatureAndBadClaims_IsInvalidSignature(string claimProblem)
    {
        string claims = claimProblem switch
        {
            "expired" => ClaimsWithRaw("exp", (Tokens.NowSeconds - 3600).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "no exp" => ClaimsWithRaw("exp", null),
            "exp as string" => ClaimsWithRaw("exp", "\"soon\""),
            "not yet valid" => ClaimsWithRaw("nbf", (Tokens.NowSeconds + 3600).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "no organisation" => ClaimsWithRaw("portkey_oid", null),
            "no scope" => ClaimsWithRaw("scope", null),
            "scope as number" => ClaimsWithRaw("scope", "7"),
            "duplicate exp" => Append(ClaimsJson(), "\"exp\":1"),
            "payload not JSON" => "not json at all",
            _ => Append(ClaimsJson(), "\"deep\":" + new string('[', 64) + new string(']', 64)),
        };

        // The signature is a genuine one from the same key, over a different payload.
        string token = WithSegment(Tokens.Mint(), 1, TestKey.B64(claims));

        AssertRejected(PortkeyJwtError.InvalidSignature, ValidateDefault(token));
    }

    [Theory]
    [InlineData("portkey_oid", "org-evil")]
    [InlineData("portkey_workspace", "ws-admin")]
    [InlineData("scope", "completions.write admin")]
    [InlineData("email_id", "ceo@example.com")]
    public void Payload_OneClaimChangedAndReencoded_IsInvalidSignature(string claim, string value)
    {
        string original = Tokens.Mint();
        string tampered = WithSegment(original, 1, TestKey.B64(Tokens.Claims().With((claim, value)).ToJsonString()));

        AssertRejected(PortkeyJwtError.InvalidSignature, ValidateDefault(tampered));
    }

    [Fact]
    public void Payload_ExpExtendedAndReencoded_IsInvalidSignature()
    {
        string tampered = WithSegment(Tokens.Mint(), 1, TestKey.B64(Tokens.Claims().With(("exp", Tokens.NowSeconds + 86_400)).ToJsonString()));

        AssertRejected(PortkeyJwtError.InvalidSignature, ValidateDefault(tampered));
    }

    [Fact]
    public void Header_ReencodedWithEquivalentTyp_IsInvalidSignature()
    {
        // The signing input is the received segments, not a re-serialisation: "jwt" is as valid as "JWT" but not signed.
        string tampered = WithSegment(Tokens.Mint(), 0, TestKey.B64(Tokens.Header(TestKey.Default).With(("typ", "jwt")).ToJsonString()));

        AssertRejected(PortkeyJwtError.InvalidSignature, ValidateDefault(tampered));
    }

    [Fact]
    public void Payload_ReencodedWithWhitespace_IsInvalidSignature()
    {
        string tampered = WithSegment(Tokens.Mint(), 1, TestKey.B64(" " + ClaimsJson()));

        AssertRejected(PortkeyJwtError.InvalidSignature, ValidateDefault(tampered));
    }

    [Fact]
    public void Token_SignedByAnotherKeyWithTheSameKid_IsInvalidSignature() =>
        AssertRejected(PortkeyJwtError.InvalidSignature, ValidateDefault(Tokens.Mint(key: Impostor)));

    [Fact]
    public void Token_SignedWithPssButLabelledRS256_IsInvalidSignature()
    {
        string token = TestKey.Default.SignRaw(HeaderJson(), ClaimsJson(), "PS256");

        AssertRejected(PortkeyJwtError.InvalidSignature, Tokens.Validator(AllAlgorithms()).ValidateNow(token));
    }

    [Theory]
    [InlineData("last byte dropped")]
    [InlineData("half")]
    [InlineData("one byte")]
    [InlineData("one byte appended")]
    [InlineData("doubled")]
    [InlineData("all zeros")]
    [InlineData("all ones")]
    [InlineData("first bit flipped")]
    [InlineData("last bit flipped")]
    public void Signature_Altered_IsInvalidSignature(string alteration)
    {
        string token = Tokens.Mint();
        byte[] s = SignatureBytes(token);
        byte[] altered = alteration switch
        {
            "last byte dropped" => s[..^1],
            "half" => s[..(s.Length / 2)],
            "one byte" => s[..1],
            "one byte appended" => [.. s, 0],
            "doubled" => [.. s, .. s],
            "all zeros" => new byte[s.Length],
            "all ones" => Enumerable.Repeat((byte)0xFF, s.Length).ToArray(),
            "first bit flipped" => [(byte)(s[0] ^ 0x80), .. s[1..]],
            _ => [.. s[..^1], (byte)(s[^1] ^ 0x01)],
        };

        AssertRejected(PortkeyJwtError.InvalidSignature, ValidateDefault(WithSignature(token, altered)));
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("ES384")]
    [InlineData("ES512")]
    public void EcSignature_AllZerosOrTruncated_IsInvalidSignature(string algorithm)
    {
        TestKey key = algorithm switch { "ES256" => Ec256, "ES384" => Ec384, _ => Ec521 };
        var validator = Tokens.Validator(AllAlgorithms(), null, key);
        string token = Tokens.Mint(key: key);
        byte[] s = SignatureBytes(token);

        AssertRejected(PortkeyJwtError.InvalidSignature, validator.ValidateNow(WithSignature(token, new byte[s.Length])));
        AssertRejected(PortkeyJwtError.InvalidSignature, validator.ValidateNow(WithSignature(token, s[..^1])));
        AssertRejected(PortkeyJwtError.InvalidSignature, validator.ValidateNow(WithSignature(token, [.. s[(s.Length / 2)..], .. s[..(s.Length / 2)]])));
    }

    [Fact]
    public void Signature_SwappedInFromAnotherValidToken_IsInvalidSignature()
    {
        string mine = Tokens.Mint(Tokens.Claims().With(("scope", "logs.view")));
        string other = Tokens.Mint(Tokens.Claims().With(("scope", "admin completions.write")));

        AssertValid(ValidateDefault(other));
        AssertRejected(PortkeyJwtError.InvalidSignature, ValidateDefault(WithSegment(mine, 2, Segment(other, 2))));
    }
}
