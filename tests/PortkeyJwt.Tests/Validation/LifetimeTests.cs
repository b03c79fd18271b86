using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>Rule 5: exp, nbf and iat against the injected clock, with ClockSkew (default 60 seconds).</summary>
public sealed class LifetimeTests
{
    [Fact]
    public void Exp_Missing_IsMissingClaimNamingExp()
    {
        PortkeyJwtResult result = ValidateDefault(Tokens.Mint(Tokens.Claims().With(("exp", null))));

        AssertRejected(PortkeyJwtError.MissingClaim, result);
        Assert.Contains("'exp'", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("string", "\"1780315800\"")]
    [InlineData("bool", "true")]
    [InlineData("null", "null")]
    [InlineData("negative", "-1")]
    [InlineData("negative fraction", "-0.5")]
    [InlineData("overflowing double", "1e400")]
    [InlineData("beyond year 9999", "253402300800")]
    [InlineData("beyond long", "99999999999999999999")]
    [InlineData("array", "[1780315800]")]
    [InlineData("object", "{\"t\":1780315800}")]
    public void Exp_NotANumericDate_IsInvalidClaim(string @case, string rawExp)
    {
        AssertRejectedBy(Failures.Invalid(Failures.Claim.Exp), Validate(ClaimsWithRaw("exp", rawExp)), @case);
    }

    [Theory]
    [InlineData("nbf", "\"now\"")]
    [InlineData("nbf", "false")]
    [InlineData("nbf", "null")]
    [InlineData("nbf", "-5")]
    [InlineData("nbf", "[0]")]
    [InlineData("nbf", "1e400")]
    [InlineData("iat", "\"now\"")]
    [InlineData("iat", "true")]
    [InlineData("iat", "null")]
    [InlineData("iat", "-5")]
    [InlineData("iat", "{}")]
    [InlineData("iat", "1e400")]
    public void NbfOrIat_NotANumericDate_IsInvalidClaim(string claim, string rawValue) =>
        AssertRejected(PortkeyJwtError.InvalidClaim, Validate(ClaimsWithRaw(claim, rawValue)));

    /// <summary>A plain integer is read straight from the bytes; every other spelling of the same number through the reader.</summary>
    [Theory]
    [InlineData("{0}")]
    [InlineData("{0}.0")]
    [InlineData("{0}e0")]
    [InlineData("{0}0e-1")]
    [InlineData("{0}E+0")]
    public void Exp_SameSecondsInAnyNumberSpelling_IsTheSameTime(string format)
    {
        long exp = Tokens.NowSeconds + 600;
        string raw = string.Format(CultureInfo.InvariantCulture, format, exp);

        PortkeyPrincipal principal = AssertValid(Validate(ClaimsWithRaw("exp", raw)));

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(exp), principal.ExpiresAt);
    }

    [Theory]
    [InlineData("253402300799", true)] // 9999-12-31T23:59:59Z, the last second DateTimeOffset holds
    [InlineData("253402300800", false)]
    [InlineData("0253402300799", false)] // a leading zero is no JSON number: the payload is malformed
    public void Exp_AtTheEndOfYear9999_IsTheLastAcceptedSecond(string raw, bool valid)
    {
        PortkeyJwtResult result = Validate(ClaimsWithRaw("exp", raw));

        Assert.Equal(valid, result.IsValid);
    }

    [Fact]
    public void Exp_Fractional_IsValidAndKeepsMilliseconds()
    {
        string exp = (Tokens.NowSeconds + 600).ToString(CultureInfo.InvariantCulture) + ".25";
        PortkeyPrincipal principal = AssertValid(Validate(ClaimsWithRaw("exp", exp)));

        Assert.Equal(Tokens.Now.AddSeconds(600.25), principal.ExpiresAt);
    }

    [Fact]
    public void Exp_InExponentNotation_IsValid()
    {
        // 1.79e9 is 2026-09-21, after Tokens.Now.
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_790_000_000), AssertValid(Validate(ClaimsWithRaw("exp", "1.79e9"))).ExpiresAt);
    }

    [Theory]
    [InlineData("expired an hour ago", -3600, PortkeyJwtError.Expired)]
    [InlineData("expired 61s ago, beyond 60s skew", -61, PortkeyJwtError.Expired)]
    [InlineData("expired exactly 60s ago, skew boundary", -60, PortkeyJwtError.Expired)]
    [InlineData("expired 59s ago, within skew", -59, PortkeyJwtError.None)]
    [InlineData("expires now, within skew", 0, PortkeyJwtError.None)]
    [InlineData("expires in 10 minutes", 600, PortkeyJwtError.None)]
    public void Exp_RelativeToNowWithDefaultSkew_GivesExpected(string @case, int expOffsetSeconds, PortkeyJwtError expected)
    {
        PortkeyJwtResult result = Validate(Tokens.Claims().With(("exp", Tokens.NowSeconds + expOffsetSeconds)).ToJsonString());

        if (expected == PortkeyJwtError.None)
        {
            Assert.True(AssertValid(result).ExpiresAt == Tokens.Now.AddSeconds(expOffsetSeconds), $"Row '{@case}': ExpiresAt {result.Principal?.ExpiresAt:O}.");
        }
        else
        {
            AssertRejectedBy(Failures.Expired, result, @case);
        }
    }

    [Fact]
    public void Exp_Zero_IsExpired() =>
        AssertRejected(PortkeyJwtError.Expired, Validate(ClaimsWithRaw("exp", "0")));

    [Fact]
    public void Exp_OneMillisecondBeforeExpPlusSkew_IsValid_AndExpiredAtIt()
    {
        var clock = Tokens.Clock();
        var validator = Tokens.Validator(null, clock);
        string token = Tokens.Mint(Tokens.Claims().With(("exp", Tokens.NowSeconds), ("iat", null), ("nbf", null)));

        clock.SetUtcNow(Tokens.Now.AddSeconds(60).AddMilliseconds(-1));
        AssertValid(validator.ValidateNow(token));

        clock.SetUtcNow(Tokens.Now.AddSeconds(60));
        AssertRejected(PortkeyJwtError.Expired, validator.ValidateNow(token));
    }

    [Fact]
    public void Exp_WithZeroSkew_IsExpiredAtExp()
    {
        var validator = Tokens.Validator(new PortkeyJwtOptions { ClockSkew = TimeSpan.Zero });

        AssertRejected(PortkeyJwtError.Expired, validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("exp", Tokens.NowSeconds)))));
        AssertValid(validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("exp", Tokens.NowSeconds + 1)))));
    }

    [Fact]
    public void Exp_WithFiveMinuteSkew_ToleratesFourMinutesPast()
    {
        var validator = Tokens.Validator(new PortkeyJwtOptions { ClockSkew = TimeSpan.FromMinutes(5) });

        AssertValid(validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("exp", Tokens.NowSeconds - 240)))));
        AssertRejected(PortkeyJwtError.Expired, validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("exp", Tokens.NowSeconds - 300)))));
    }

    [Theory]
    [InlineData("nbf", 3600, PortkeyJwtError.NotYetValid)]
    [InlineData("nbf", 61, PortkeyJwtError.NotYetValid)]
    [InlineData("nbf", 60, PortkeyJwtError.None)]
    [InlineData("nbf", 30, PortkeyJwtError.None)]
    [InlineData("nbf", -30, PortkeyJwtError.None)]
    [InlineData("iat", 3600, PortkeyJwtError.NotYetValid)]
    [InlineData("iat", 61, PortkeyJwtError.NotYetValid)]
    [InlineData("iat", 60, PortkeyJwtError.None)]
    [InlineData("iat", -86400, PortkeyJwtError.None)]
    public void NbfOrIat_RelativeToNowWithDefaultSkew_GivesExpected(string claim, int offsetSeconds, PortkeyJwtError expected) =>
        AssertOutcome(expected, Validate(Tokens.Claims().With((claim, Tokens.NowSeconds + offsetSeconds)).ToJsonString()));

    [Fact]
    public void NbfAndIat_Absent_AreNotRequired() =>
        AssertValid(Validate(Tokens.Claims().With(("nbf", null), ("iat", null)).ToJsonString()));

    [Fact]
    public void Nbf_FutureWithZeroSkew_IsNotYetValid()
    {
        var validator = Tokens.Validator(new PortkeyJwtOptions { ClockSkew = TimeSpan.Zero });

        AssertRejected(PortkeyJwtError.NotYetValid, validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("nbf", Tokens.NowSeconds + 1)))));
    }

    [Fact]
    public void Clock_AdvancedPastExp_ExpiresAValidToken()
    {
        var clock = Tokens.Clock();
        var validator = Tokens.Validator(null, clock);
        string token = Tokens.Mint();
        AssertValid(validator.ValidateNow(token));

        clock.Advance(TimeSpan.FromSeconds(600 + 60));

        AssertRejected(PortkeyJwtError.Expired, validator.ValidateNow(token));
    }

    [Fact]
    public void Clock_AdvancedToNbf_MakesAFutureTokenValid()
    {
        var clock = Tokens.Clock();
        var validator = Tokens.Validator(null, clock);
        string token = Tokens.Mint(Tokens.Claims().With(("nbf", Tokens.NowSeconds + 300), ("iat", Tokens.NowSeconds + 300), ("exp", Tokens.NowSeconds + 900)));
        AssertRejected(PortkeyJwtError.NotYetValid, validator.ValidateNow(token));

        clock.Advance(TimeSpan.FromSeconds(240));

        AssertValid(validator.ValidateNow(token));
    }

    [Fact]
    public void Clock_AnHourBeforeIssue_IsNotYetValid()
    {
        var validator = Tokens.Validator(null, new FakeTimeProvider(Tokens.Now.AddHours(-1)));

        AssertRejected(PortkeyJwtError.NotYetValid, validator.ValidateNow(Tokens.Mint()));
    }

    private static PortkeyJwtResult Validate(string payloadJson) =>
        ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), payloadJson));

    private static void AssertOutcome(PortkeyJwtError expected, PortkeyJwtResult result)
    {
        if (expected == PortkeyJwtError.None)
        {
            AssertValid(result);
        }
        else
        {
            AssertRejected(expected, result);
        }
    }
}
