using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>
/// Rule 5's NumericDate reader beyond a plain integer of at most 12 digits: other spellings (a sign, a fraction, an
/// exponent, more digits) go through the JSON reader, first as a whole number, then as a double. Both fallbacks keep
/// the range (0 to 253402300799, the last second of year 9999) and the unit (seconds, kept to the millisecond, rounded
/// down). Rows give raw claim text at <see cref="Tokens.Now"/> = 1780315200 (2026-06-01T12:00:00Z), the exact verdict and,
/// when valid, the exact instant read.
/// </summary>
public sealed class NumericDateFallbackTests
{
    private const long Now = 1_780_315_200;

    [Fact]
    public void Rows_AreWrittenFor_TokensNow() => Assert.Equal(Now, Tokens.NowSeconds);

    [Theory]
    [InlineData("1780315800.0", 1_780_315_800_000L)]
    [InlineData("1780315800.25", 1_780_315_800_250L)]
    [InlineData("1780315800.0005", 1_780_315_800_000L)] // rounded down to the millisecond
    [InlineData("1780315800.9999", 1_780_315_800_999L)]
    [InlineData("1.7803158e9", 1_780_315_800_000L)]
    [InlineData("17803158e2", 1_780_315_800_000L)]
    [InlineData("178031580025e-2", 1_780_315_800_250L)]
    [InlineData("1.79e9", 1_790_000_000_000L)]
    [InlineData("253402300799.0", 253_402_300_799_000L)] // the last second of year 9999, as a double
    [InlineData("2.53402300799e11", 253_402_300_799_000L)]
    public void Exp_AsANumberOtherThanAPlainInteger_IsReadInSecondsToTheMillisecond(string rawExp, long expectedUnixMilliseconds)
    {
        PortkeyPrincipal principal = AssertValid(Validate("exp", rawExp));

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(expectedUnixMilliseconds), principal.ExpiresAt);
    }

    [Theory]
    [InlineData("-0", PortkeyJwtError.Expired)] // a whole number through the reader: 0 is in range, and long past
    [InlineData("-0.0", PortkeyJwtError.Expired)] // a double: the same
    [InlineData("0.0", PortkeyJwtError.Expired)]
    [InlineData("0e0", PortkeyJwtError.Expired)]
    [InlineData("1780315140.5", PortkeyJwtError.None)] // 59.5 s ago, within the 60 s skew
    [InlineData("1780315140.0", PortkeyJwtError.Expired)] // exactly 60 s ago
    [InlineData("1780315139.999", PortkeyJwtError.Expired)]
    [InlineData("-1", PortkeyJwtError.InvalidClaim)]
    [InlineData("-0.001", PortkeyJwtError.InvalidClaim)]
    [InlineData("-1780315800", PortkeyJwtError.InvalidClaim)]
    [InlineData("1780315800000", PortkeyJwtError.InvalidClaim)] // milliseconds by mistake: 13 digits, beyond year 9999
    [InlineData("253402300799.001", PortkeyJwtError.InvalidClaim)] // past the last second of year 9999
    [InlineData("253402300800.0", PortkeyJwtError.InvalidClaim)]
    [InlineData("2.534023008e11", PortkeyJwtError.InvalidClaim)]
    [InlineData("9223372036854775807", PortkeyJwtError.InvalidClaim)] // long.MaxValue seconds
    [InlineData("9223372036854775808", PortkeyJwtError.InvalidClaim)] // one more: only a double holds it
    [InlineData("1e308", PortkeyJwtError.InvalidClaim)]
    public void Exp_AtTheEdgesOfTheFallbacks_GivesExactlyItsVerdict(string rawExp, PortkeyJwtError expected) =>
        AssertOutcome(expected, Validate("exp", rawExp), Failures.Invalid(Failures.Claim.Exp));

    [Theory]
    [InlineData("-0", 0L)]
    [InlineData("-0.0", 0L)]
    [InlineData("1.7e9", 1_700_000_000_000L)]
    [InlineData("1780315200.25", 1_780_315_200_250L)]
    [InlineData("1780315260.0", 1_780_315_260_000L)] // 60 s ahead: the skew's edge
    [InlineData("178031526e1", 1_780_315_260_000L)]
    public void Nbf_AsANumberOtherThanAPlainInteger_IsReadInSecondsToTheMillisecond(string rawNbf, long expectedUnixMilliseconds)
    {
        PortkeyPrincipal principal = AssertValid(Validate("nbf", rawNbf));

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(expectedUnixMilliseconds), principal.NotBefore);
    }

    [Theory]
    [InlineData("-0", 0L)]
    [InlineData("-0.0", 0L)]
    [InlineData("1.7e9", 1_700_000_000_000L)]
    [InlineData("1780315199.5", 1_780_315_199_500L)]
    [InlineData("1780315260.0", 1_780_315_260_000L)]
    public void Iat_AsANumberOtherThanAPlainInteger_IsReadInSecondsToTheMillisecond(string rawIat, long expectedUnixMilliseconds)
    {
        PortkeyPrincipal principal = AssertValid(Validate("iat", rawIat));

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(expectedUnixMilliseconds), principal.IssuedAt);
    }

    [Theory]
    [InlineData("nbf", "1780315260.5", PortkeyJwtError.NotYetValid)] // 60.5 s ahead: beyond the skew by half a second
    [InlineData("nbf", "1.780315261e9", PortkeyJwtError.NotYetValid)]
    [InlineData("nbf", "253402300799.0", PortkeyJwtError.NotYetValid)]
    [InlineData("nbf", "253402300799.5", PortkeyJwtError.InvalidClaim)]
    [InlineData("nbf", "-0.5", PortkeyJwtError.InvalidClaim)]
    [InlineData("nbf", "1780315800000", PortkeyJwtError.InvalidClaim)]
    [InlineData("iat", "1780315260.001", PortkeyJwtError.NotYetValid)]
    [InlineData("iat", "17803152601e-1", PortkeyJwtError.NotYetValid)]
    [InlineData("iat", "2.534023008e11", PortkeyJwtError.InvalidClaim)]
    [InlineData("iat", "-1e0", PortkeyJwtError.InvalidClaim)]
    [InlineData("iat", "-17", PortkeyJwtError.InvalidClaim)]
    public void NbfOrIat_AtTheEdgesOfTheFallbacks_GivesExactlyItsVerdict(string claim, string rawValue, PortkeyJwtError expected) =>
        AssertOutcome(expected, Validate(claim, rawValue), Failures.Invalid(claim == "nbf" ? Failures.Claim.Nbf : Failures.Claim.Iat));

    private static PortkeyJwtResult Validate(string claim, string rawValue) =>
        ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), ClaimsWithRaw(claim, rawValue)));

    private static void AssertOutcome(PortkeyJwtError expected, PortkeyJwtResult result, PortkeyJwtResult invalid)
    {
        if (expected == PortkeyJwtError.None)
        {
            AssertValid(result);
        }
        else if (expected == PortkeyJwtError.InvalidClaim)
        {
            AssertRejectedBy(invalid, result, "the claim named");
        }
        else
        {
            AssertRejected(expected, result);
        }
    }
}
