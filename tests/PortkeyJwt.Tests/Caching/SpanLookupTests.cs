using PortkeyJwt.Tests.Telemetry;
using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Caching;

/// <summary>
/// A cached token read where it stands, inside a header value (<c>TryValidateCached</c>, which the ASP.NET Core scheme
/// calls before copying a token out): the answer, the checks and the counting are those of a cached
/// <see cref="PortkeyJwtValidator.ValidateAsync(string, IReadOnlyList{string}?, CancellationToken)"/>, and a token the
/// cache does not hold is left to the full validation, uncounted.
/// </summary>
public sealed class SpanLookupTests
{
    [Fact]
    public void CachedToken_InsideAHeaderValue_IsAnsweredWithTheCachedResult()
    {
        PortkeyJwtValidator validator = Tokens.Validator();
        string token = Tokens.Mint();
        PortkeyJwtResult first = validator.ValidateNow(token);
        string header = "Bearer " + token + "  ";

        Assert.True(validator.TryValidateCached(header.AsSpan(7, token.Length), null, out PortkeyJwtResult? result));

        Assert.Same(first, result);
        Assert.False(validator.TryValidateCached(header.AsSpan(7, token.Length - 1), null, out _)); // a prefix is another token
        Assert.False(validator.TryValidateCached(header.AsSpan(6, token.Length), null, out _));
    }

    [Fact]
    public void TokenNotCached_IsLeftToTheFullValidation_AndNothingIsCounted()
    {
        using var own = new OwnMeasurements("portkeyjwt.validations", "portkeyjwt.cache.hits", "portkeyjwt.cache.misses");
        PortkeyJwtValidator validator = Tokens.Validator();
        string token = Tokens.Mint();

        Assert.False(validator.TryValidateCached(token, null, out PortkeyJwtResult? result));
        Assert.Null(result);
        Assert.Empty(own.All);

        validator.ValidateNow(token);
        Assert.True(validator.TryValidateCached(token, null, out _));
        Assert.Equal(["portkeyjwt.cache.misses", "portkeyjwt.validations", "portkeyjwt.cache.hits", "portkeyjwt.validations"], own.All.Select(m => m.Instrument));
    }

    [Fact]
    public void CacheOff_NeverAnswers()
    {
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { ValidationCache = false });
        string token = Tokens.Mint();
        AssertValid(validator.ValidateNow(token));

        Assert.False(validator.TryValidateCached(token, null, out _));
    }

    [Fact]
    public void CachedToken_StillHasTheCallsScopesChecked()
    {
        PortkeyJwtValidator validator = Tokens.Validator();
        string token = Tokens.Mint();
        validator.ValidateNow(token);

        Assert.True(validator.TryValidateCached(token, ["admin.write"], out PortkeyJwtResult? lacking));
        AssertRejected(PortkeyJwtError.InsufficientScope, lacking!);
        Assert.True(validator.TryValidateCached(token, ["portkey.completions.write"], out PortkeyJwtResult? granted));
        AssertValid(granted!);
        Assert.Throws<ArgumentException>(() => validator.TryValidateCached(token, ["not a scope"], out _));
    }

    [Fact]
    public void CachedToken_RevokedSinceItWasCached_IsRevoked()
    {
        var clock = Tokens.Clock();
        var list = new RevocationList(clock);
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { Revocations = list }, clock);
        string token = Tokens.Mint(Tokens.Claims().With(("jti", "jti-span")));
        validator.ValidateNow(token);

        list.Add(PortkeyJwt.Revocation.Token("jti-span", Tokens.Now.AddHours(1)));

        Assert.True(validator.TryValidateCached(token, null, out PortkeyJwtResult? result));
        AssertRejected(PortkeyJwtError.Revoked, result!);
    }

    [Fact]
    public void CachedToken_PastItsExpiry_IsNoLongerAnswered_AndTheFullValidationSaysExpired()
    {
        var clock = Tokens.Clock();
        PortkeyJwtValidator validator = Tokens.Validator(null, clock);
        string token = Tokens.Mint();
        validator.ValidateNow(token);
        Assert.True(validator.TryValidateCached(token, null, out _));

        clock.Advance(TimeSpan.FromMinutes(12)); // exp is 10 minutes out, the skew 1 minute

        Assert.False(validator.TryValidateCached(token, null, out _));
        AssertRejected(PortkeyJwtError.Expired, validator.ValidateNow(token));
    }
}
