using System.Text;
using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>Rule 1: a token is exactly three canonical base64url segments holding a JSON object header and payload.</summary>
public sealed class StructureTests
{
    private const string Deep63 = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[";

    [Fact]
    public void Token_WellFormed_IsValid() => AssertValid(ValidateDefault(Tokens.Mint()));

    [Theory]
    [InlineData("empty string")]
    [InlineData("no dots")]
    [InlineData("two segments")]
    [InlineData("four segments")]
    [InlineData("trailing dot")]
    [InlineData("empty header")]
    [InlineData("empty payload")]
    [InlineData("only dots")]
    [InlineData("dots only, four")]
    public void Token_NotThreeNonEmptySegments_IsMalformed(string shape)
    {
        string t = Tokens.Mint();
        string h = Segment(t, 0), p = Segment(t, 1), s = Segment(t, 2);
        string token = shape switch
        {
            "empty string" => string.Empty,
            "no dots" => h + p + s,
            "two segments" => h + "." + p,
            "four segments" => t + "." + s,
            "trailing dot" => t + ".",
            "empty header" => "." + p + "." + s,
            "empty payload" => h + ".." + s,
            "only dots" => "..",
            _ => "...",
        };

        AssertRejected(PortkeyJwtError.Malformed, ValidateDefault(token));
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("bearer ")]
    [InlineData("BEARER ")]
    [InlineData("Bearer Bearer ")]
    public void Token_StartingWithABearerPrefix_IsMalformedSayingSo_WithoutEchoingIt(string prefix)
    {
        string token = prefix + Tokens.Mint();

        PortkeyJwtResult result = ValidateDefault(token);

        AssertRejected(PortkeyJwtError.Malformed, result);
        Assert.Contains("'Bearer ' prefix", result.Detail, StringComparison.Ordinal);
        foreach (string segment in token[prefix.Length..].Split('.'))
        {
            Assert.DoesNotContain(segment, result.Detail, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Bearer.a.b")]
    [InlineData("Bearerx.a.b")]
    [InlineData(" Bearer a.b.c")]
    public void Token_MerelyResemblingABearerPrefix_IsMalformedWithTheUsualDetail(string token)
    {
        PortkeyJwtResult result = ValidateDefault(token);

        AssertRejected(PortkeyJwtError.Malformed, result);
        Assert.DoesNotContain("Bearer", result.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Token_WithEmptySignatureSegment_IsInvalidSignature()
    {
        string t = Tokens.Mint();

        AssertRejected(PortkeyJwtError.InvalidSignature, ValidateDefault(t[..(t.LastIndexOf('.') + 1)]));
    }

    [Fact]
    public void UnsecuredAlgNoneToken_WithEmptySignature_IsUnsupportedAlgorithm()
    {
        string header = TestKey.B64("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + TestKey.Default.Kid + "\"}");
        string token = header + "." + Segment(Tokens.Mint(), 1) + ".";

        AssertRejected(PortkeyJwtError.UnsupportedAlgorithm, ValidateDefault(token));
    }

    [Theory]
    [InlineData("padding on header")]
    [InlineData("padding on signature")]
    [InlineData("plus in signature")]
    [InlineData("slash in payload")]
    [InlineData("leading space")]
    [InlineData("trailing space")]
    [InlineData("trailing newline")]
    [InlineData("newline inside payload")]
    [InlineData("tab inside header")]
    [InlineData("space after dot")]
    [InlineData("non-ASCII letter")]
    [InlineData("full-width digit")]
    [InlineData("NUL character")]
    [InlineData("non-canonical header tail")]
    [InlineData("non-canonical signature tail")]
    [InlineData("signature length 1 mod 4")]
    [InlineData("header length 1 mod 4")]
    public void Segment_NotStrictCanonicalBase64Url_IsMalformed(string corruption)
    {
        string t = Tokens.Mint();
        string h = Segment(t, 0), p = Segment(t, 1), s = Segment(t, 2);
        string token = corruption switch
        {
            "padding on header" => h + "=." + p + "." + s,
            "padding on signature" => h + "." + p + "." + s + "==",
            "plus in signature" => h + "." + p + "." + "+" + s[1..],
            "slash in payload" => h + "." + "/" + p[1..] + "." + s,
            "leading space" => " " + t,
            "trailing space" => t + " ",
            "trailing newline" => t + "\n",
            "newline inside payload" => h + "." + p[..8] + "\n" + p[8..] + "." + s,
            "tab inside header" => h[..4] + "\t" + h[4..] + "." + p + "." + s,
            "space after dot" => h + ". " + p + "." + s,
            "non-ASCII letter" => h + "." + p[..5] + "é" + p[6..] + "." + s,
            "full-width digit" => h + "." + p + "." + s[..^1] + "\uFF10",
            "NUL character" => h + "." + p + "\0." + s,
            "non-canonical header tail" => NonCanonicalTail(h) + "." + p + "." + s,
            "non-canonical signature tail" => h + "." + p + "." + NonCanonicalTail(s),
            "signature length 1 mod 4" => h + "." + p + "." + OneMod4(s),
            _ => OneMod4(h) + "." + p + "." + s,
        };

        AssertRejected(PortkeyJwtError.Malformed, ValidateDefault(token));

        static string OneMod4(string segment) => segment.Length % 4 == 1 ? segment : OneMod4(segment + "A");
    }

    [Fact]
    public void Segments_OfTheDefaultToken_HaveUnusedBitsToCorrupt()
    {
        // Guards the non-canonical rows above: they need header and signature lengths of 2 or 3 mod 4.
        string t = Tokens.Mint();
        Assert.InRange(Segment(t, 0).Length % 4, 2, 3);
        Assert.InRange(Segment(t, 2).Length % 4, 2, 3);
    }

    [Fact]
    public void Token_LongerThanMaxTokenLength_IsTokenTooLarge()
    {
        string token = Tokens.Mint();
        var validator = Tokens.Validator(new PortkeyJwtOptions { MaxTokenLength = token.Length - 1 });

        AssertRejected(PortkeyJwtError.TokenTooLarge, validator.ValidateNow(token));
    }

    [Fact]
    public void Token_ExactlyMaxTokenLength_IsValid()
    {
        string token = Tokens.Mint();
        var validator = Tokens.Validator(new PortkeyJwtOptions { MaxTokenLength = token.Length });

        AssertValid(validator.ValidateNow(token));
    }

    [Fact]
    public void Junk_OneOverDefaultLimit_IsTokenTooLarge_BeforeAnyDecoding() =>
        AssertRejected(PortkeyJwtError.TokenTooLarge, ValidateDefault(new string('!', (16 * 1024) + 1)));

    [Fact]
    public void Junk_AtDefaultLimit_IsMalformedNotTooLarge() =>
        AssertRejected(PortkeyJwtError.Malformed, ValidateDefault(new string('!', 16 * 1024)));

    [Fact]
    public void Token_LargerThanStackBuffer_IsValid()
    {
        // Over 2048 characters the validator decodes into pooled buffers instead of the stack.
        string token = Tokens.Mint(Tokens.Claims().With(("padding", new string('x', 3000))));
        Assert.True(token.Length > 4000);

        AssertValid(ValidateDefault(token));
    }

    [Theory]
    [InlineData("array", "[\"RS256\"]")]
    [InlineData("string", "\"RS256\"")]
    [InlineData("number", "42")]
    [InlineData("null", "null")]
    [InlineData("unterminated", "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"test-rsa-2048\"")]
    [InlineData("trailing comma", "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"test-rsa-2048\",}")]
    [InlineData("trailing garbage", "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"test-rsa-2048\"}x")]
    [InlineData("two objects", "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"test-rsa-2048\"}{}")]
    [InlineData("byte-order mark", "\uFEFF{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"test-rsa-2048\"}")]
    [InlineData("lone high surrogate escape", "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"test-rsa-2048\",\"x\":\"\\ud800\"}")]
    [InlineData("lone low surrogate escape", "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"test-rsa-2048\",\"x\":\"\\udc00\"}")]
    [InlineData("single quotes", "{'alg':'RS256','typ':'JWT','kid':'test-rsa-2048'}")]
    [InlineData("comment", "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"test-rsa-2048\"/* */}")]
    [InlineData("raw control character", "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"test-rsa-2048\",\"x\":\"a\tb\"}")]
    [InlineData("leading-zero number", "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"test-rsa-2048\",\"x\":01}")]
    public void Header_NotOneJsonObject_IsMalformed(string @case, string headerJson)
    {
        // Refused before the key and the signature: an impostor's signature gets the same answer.
        AssertRejectedBy(Failures.HeaderNotJson, ValidateDefault(TestKey.Default.SignRaw(headerJson, ClaimsJson())), @case);
        AssertRejectedBy(Failures.HeaderNotJson, ValidateDefault(Impostor.SignRaw(headerJson, ClaimsJson())), @case);
    }

    [Fact]
    public void Header_InvalidUtf8_IsMalformed()
    {
        byte[] header = [.. Encoding.UTF8.GetBytes(HeaderJson()[..^1] + ",\"x\":\""), 0xC3, 0x28, .. "\"}"u8];
        string token = SignBytes(TestKey.Default, header, Encoding.UTF8.GetBytes(ClaimsJson()));

        AssertRejected(PortkeyJwtError.Malformed, ValidateDefault(token));
    }

    [Theory]
    [InlineData("array", "[{\"exp\":1}]")]
    [InlineData("string", "\"claims\"")]
    [InlineData("number", "42")]
    [InlineData("null", "null")]
    [InlineData("empty", "")]
    [InlineData("unterminated", "{\"exp\":")]
    public void Payload_NotAJsonObject_IsMalformed(string @case, string payloadJson)
    {
        // An empty payload is an empty segment, refused with the structure; any other is read only after the signature verifies.
        bool empty = payloadJson.Length == 0;
        AssertRejectedBy(empty ? Failures.NotThreeSegments : Failures.PayloadNotJson, ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), payloadJson)), @case);
        AssertRejectedBy(empty ? Failures.NotThreeSegments : Failures.BadSignature, ValidateDefault(Impostor.SignRaw(HeaderJson(), payloadJson)), @case);
    }

    [Theory]
    [InlineData("trailing comma")]
    [InlineData("trailing garbage")]
    [InlineData("second object")]
    [InlineData("byte-order mark")]
    [InlineData("lone high surrogate escape")]
    [InlineData("high surrogate then letter")]
    [InlineData("NaN")]
    [InlineData("plus sign")]
    [InlineData("raw newline in string")]
    [InlineData("bad escape")]
    public void Payload_ValidClaimsWithBrokenJson_IsMalformed(string corruption)
    {
        // Every row keeps all claims valid, so only the JSON check can reject it.
        string claims = ClaimsJson();
        string payload = corruption switch
        {
            "trailing comma" => claims[..^1] + ",}",
            "trailing garbage" => claims + "x",
            "second object" => claims + "{}",
            "byte-order mark" => "\uFEFF" + claims,
            "lone high surrogate escape" => Append(claims, "\"note\":\"\\ud800\""),
            "high surrogate then letter" => Append(claims, "\"note\":\"\\ud800\\u0041\""),
            "NaN" => Append(claims, "\"note\":NaN"),
            "plus sign" => Append(claims, "\"note\":+1"),
            "raw newline in string" => Append(claims, "\"note\":\"a\nb\""),
            _ => Append(claims, "\"note\":\"\\x41\""),
        };

        AssertRejected(PortkeyJwtError.Malformed, ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), payload)));
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xE2, 0x82 })]
    public void Payload_InvalidUtf8InAClaim_IsMalformed(byte[] badBytes)
    {
        byte[] payload = [.. Encoding.UTF8.GetBytes(ClaimsJson()[..^1] + ",\"note\":\""), .. badBytes, .. "\"}"u8];
        string token = SignBytes(TestKey.Default, Encoding.UTF8.GetBytes(HeaderJson()), payload);

        AssertRejected(PortkeyJwtError.Malformed, ValidateDefault(token));
    }

    [Fact]
    public void Payload_NestedExactly64Deep_IsValid()
    {
        // The payload object is level 1; 63 arrays inside it reach level 64.
        string payload = Append(ClaimsJson(), "\"deep\":" + Deep63 + new string(']', 63));

        AssertValid(ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), payload)));
    }

    [Fact]
    public void Payload_Nested65Deep_IsMalformed()
    {
        string payload = Append(ClaimsJson(), "\"deep\":[" + Deep63 + new string(']', 64));

        AssertRejected(PortkeyJwtError.Malformed, ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), payload)));
    }

    [Fact]
    public void Header_NestedExactly64Deep_IsValid()
    {
        string header = Append(HeaderJson(), "\"deep\":" + Deep63 + new string(']', 63));

        AssertValid(ValidateDefault(TestKey.Default.SignRaw(header, ClaimsJson())));
    }

    [Theory]
    [InlineData(65)]
    [InlineData(1000)]
    public void Header_NestedDeeperThan64_IsMalformed(int depth)
    {
        string header = Append(HeaderJson(), "\"deep\":" + new string('[', depth - 1) + new string(']', depth - 1));

        AssertRejected(PortkeyJwtError.Malformed, ValidateDefault(TestKey.Default.SignRaw(header, ClaimsJson())));
    }

    [Theory]
    [InlineData("\"alg\":\"RS256\"")]
    [InlineData("\"typ\":\"JWT\"")]
    [InlineData("\"kid\":\"test-rsa-2048\"")]
    [InlineData("\"kid\":\"other\"")]
    [InlineData("\"\\u0061lg\":\"RS256\"")]
    public void Header_DuplicateParameter_IsMalformed(string duplicate)
    {
        string header = Append(HeaderJson(), duplicate);

        AssertRejected(PortkeyJwtError.Malformed, ValidateDefault(TestKey.Default.SignRaw(header, ClaimsJson())));
    }

    [Fact]
    public void Header_DuplicateCrit_IsMalformed()
    {
        string header = Append(HeaderJson(), "\"crit\":[\"a\"],\"crit\":[\"b\"]");

        AssertRejected(PortkeyJwtError.Malformed, ValidateDefault(TestKey.Default.SignRaw(header, ClaimsJson())));
    }

    [Theory]
    [InlineData("\"exp\":1780315800")]
    [InlineData("\"e\\u0078p\":1780315800")]
    [InlineData("\"portkey_oid\":\"org-evil\"")]
    [InlineData("\"organisation_id\":\"a\",\"organisation_id\":\"b\"")]
    [InlineData("\"portkey_workspace\":\"ws-evil\"")]
    [InlineData("\"scope\":\"admin\"")]
    [InlineData("\"scopes\":\"a\",\"scopes\":\"b\"")]
    [InlineData("\"email_id\":\"evil@example.com\"")]
    [InlineData("\"sub\":\"root\"")]
    [InlineData("\"uid\":\"a\",\"uid\":\"b\"")]
    [InlineData("\"nbf\":0")]
    [InlineData("\"iss\":\"https://a.example\",\"iss\":\"https://b.example\"")]
    [InlineData("\"aud\":\"a\",\"aud\":\"a\"")]
    public void Payload_DuplicateReadClaim_IsMalformed(string duplicate)
    {
        string payload = Append(ClaimsJson(), duplicate);

        AssertRejected(PortkeyJwtError.Malformed, ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), payload)));
    }

    [Fact]
    public void Payload_ClaimNamesSpelledWithEscapes_AreThoseClaims()
    {
        string payload = Append(
            Tokens.Claims().With(("portkey_oid", null), ("exp", null)).ToJsonString(),
            "\"portkey\\u005foid\":\"org-escaped\",\"\\u0065\\u0078\\u0070\":" + (Tokens.NowSeconds + 600));

        PortkeyPrincipal principal = AssertValid(ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), payload)));
        Assert.Equal("org-escaped", principal.OrganisationId);
    }

    [Fact]
    public void Payload_EscapedNameThatIsNoReadClaim_IsIgnored()
    {
        // Longer, once unescaped, than any claim the validator reads: not mistaken for one, and not a duplicate of one.
        string longName = string.Concat(Enumerable.Repeat("\\u0065", 18));
        string payload = Append(ClaimsJson(), $"\"{longName}\":1,\"e\\u0078p2\":2");

        AssertValid(ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), payload)));
    }

    [Fact]
    public void Payload_DuplicateUnreadClaim_IsIgnored()
    {
        string payload = Append(ClaimsJson(), "\"nonce\":\"a\",\"nonce\":\"b\"");

        AssertValid(ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), payload)));
    }
}
