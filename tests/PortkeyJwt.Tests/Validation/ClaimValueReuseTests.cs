using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>
/// A validator keeps what it made of claim bytes it has seen (pooled identifiers, normalised scope sets), so a later token
/// with the same bytes costs a lookup. What it keeps must never change a verdict: only values that passed their checks
/// are kept, and what principals share cannot be changed through any of them.
/// </summary>
public sealed class ClaimValueReuseTests
{
    private static readonly PortkeyJwtOptions CacheOff = new() { ValidationCache = false };

    [Fact]
    public void SameScopeClaim_InTwoTokens_SharesOneReadOnlySet()
    {
        PortkeyJwtValidator validator = Tokens.Validator(CacheOff);
        PortkeyPrincipal first = AssertValid(validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("jti", "one")))));
        PortkeyPrincipal second = AssertValid(validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("jti", "two")))));

        Assert.Same(first.Scopes, second.Scopes);
        Assert.Equal(["completions.write", "logs.view"], second.Scopes);
        Assert.IsNotType<string[]>(first.Scopes); // an array could be cast back and written to
        var list = Assert.IsAssignableFrom<IList<string>>(first.Scopes);
        Assert.True(list.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => list[0] = "admin");
        Assert.False(second.HasScope("admin"));
    }

    [Fact]
    public void SameIdentifiers_InTwoTokens_AreOneInstanceEach()
    {
        PortkeyJwtValidator validator = Tokens.Validator(CacheOff);
        PortkeyPrincipal first = AssertValid(validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("jti", "one")))));
        PortkeyPrincipal second = AssertValid(validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("jti", "two")))));

        Assert.Same(first.OrganisationId, second.OrganisationId);
        Assert.Same(first.WorkspaceSlug, second.WorkspaceSlug);
        Assert.Same(first.Email, second.Email);
        Assert.Same(first.Subject, second.Subject);
        Assert.NotSame(first.JwtId, second.JwtId); // unique per token: never pooled
    }

    /// <summary>
    /// A raw DEL (legal JSON, not a legal identifier) is found only by decoding the value as text: a rejected value that
    /// was kept would be found by its bytes next time and pass.
    /// </summary>
    [Theory]
    [InlineData("portkey_oid", PortkeyJwtError.InvalidClaim)]
    [InlineData("portkey_workspace", PortkeyJwtError.InvalidClaim)]
    [InlineData("email_id", PortkeyJwtError.InvalidClaim)]
    [InlineData("scope", PortkeyJwtError.InvalidClaim)]
    [InlineData("aud", PortkeyJwtError.InvalidClaim)]
    public void RejectedValue_IsRejectedAgain_WhenSeenTwice(string claim, PortkeyJwtError expected)
    {
        PortkeyJwtValidator validator = Tokens.Validator(CacheOff);
        string payload = Tokens.Claims().With((claim, "bad\u007Fvalue")).ToJsonString().Replace("\\u007F", "\u007F", StringComparison.Ordinal);
        Assert.Contains('\u007F', payload); // raw, so the value is a plain string
        string token = TestKey.Default.SignRaw(Tokens.Header(TestKey.Default).ToJsonString(), payload);

        AssertRejected(expected, validator.ValidateNow(token));
        AssertRejected(expected, validator.ValidateNow(token));
    }

    [Fact]
    public void EscapedAndPlainSpellings_ReadTheSame()
    {
        PortkeyJwtValidator validator = Tokens.Validator(CacheOff);
        string plain = Tokens.Claims().With(("portkey_oid", "abc"), ("scope", "portkey.a b a")).ToJsonString();
        string escaped = plain.Replace("\"abc\"", "\"\\u0061bc\"", StringComparison.Ordinal).Replace("\"portkey.a b a\"", "\"\\u0070ortkey.a b a\"", StringComparison.Ordinal);
        Assert.NotEqual(plain, escaped);
        foreach (string payload in new[] { plain, escaped, plain, escaped })
        {
            PortkeyPrincipal principal = AssertValid(validator.ValidateNow(TestKey.Default.SignRaw(Tokens.Header(TestKey.Default).ToJsonString(), payload)));
            Assert.Equal("abc", principal.OrganisationId);
            Assert.Equal(["a", "b"], principal.Scopes);
        }
    }
}
