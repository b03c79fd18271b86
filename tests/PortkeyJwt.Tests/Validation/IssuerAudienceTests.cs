using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>Rule 6: iss against ValidIssuers and aud against ValidAudiences, each checked only when configured.</summary>
public sealed class IssuerAudienceTests
{
    private const string Issuer = "https://auth.portkey.example";

    private static readonly PortkeyJwtOptions IssuerOptions = new() { ValidIssuers = ["https://other.example", Issuer] };
    private static readonly PortkeyJwtOptions AudienceOptions = new() { ValidAudiences = ["gateway", "gateway-eu"] };

    [Theory]
    [InlineData("\"https://auth.portkey.example\"")]
    [InlineData("\"https://other.example\"")]
    [InlineData("\"https:\\/\\/auth.portkey.example\"")]
    [InlineData("\"\\u0068ttps://auth.portkey.example\"")]
    public void Iss_EqualToAConfiguredIssuer_IsValid(string rawIss)
    {
        PortkeyPrincipal principal = AssertValid(Validate(IssuerOptions, ClaimsWithRaw("iss", rawIss)));

        Assert.Equal(System.Text.Json.JsonSerializer.Deserialize<string>(rawIss), principal.Issuer);
    }

    [Theory]
    [InlineData("\"https://AUTH.portkey.example\"")]
    [InlineData("\"https://auth.portkey.example/\"")]
    [InlineData("\"https://auth.portkey.example \"")]
    [InlineData("\"auth.portkey.example\"")]
    [InlineData("\"https://auth.portkey.example.attacker.example\"")]
    [InlineData("\"\"")]
    [InlineData(null)]
    public void Iss_MissingOrNotOrdinallyConfigured_IsInvalidIssuer(string? rawIss) =>
        AssertRejected(PortkeyJwtError.InvalidIssuer, Validate(IssuerOptions, ClaimsWithRaw("iss", rawIss)));

    [Theory]
    [InlineData("42")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[\"https://auth.portkey.example\"]")]
    [InlineData("{}")]
    public void Iss_NotAString_IsInvalidClaim(string rawIss)
    {
        AssertRejected(PortkeyJwtError.InvalidClaim, Validate(IssuerOptions, ClaimsWithRaw("iss", rawIss)));
        AssertRejected(PortkeyJwtError.InvalidClaim, Validate(null, ClaimsWithRaw("iss", rawIss)));
    }

    [Theory]
    [InlineData("\"https://anyone.example\"")]
    [InlineData("\"HTTPS://AUTH.PORTKEY.EXAMPLE\"")]
    public void Iss_WithNoValidIssuersConfigured_IsNotCheckedButReported(string rawIss)
    {
        PortkeyPrincipal principal = AssertValid(Validate(null, ClaimsWithRaw("iss", rawIss)));

        Assert.Equal(System.Text.Json.JsonSerializer.Deserialize<string>(rawIss), principal.Issuer);
    }

    [Fact]
    public void Iss_AbsentWithNoValidIssuersConfigured_IsValidWithNullIssuer() =>
        Assert.Null(AssertValid(Validate(null, ClaimsJson())).Issuer);

    [Theory]
    [InlineData("\"gateway\"")]
    [InlineData("\"gateway-eu\"")]
    [InlineData("[\"gateway\"]")]
    [InlineData("[\"billing\",\"gateway\"]")]
    [InlineData("[\"gateway\",\"gateway\"]")]
    [InlineData("\"gate\\u0077ay\"")]
    public void Aud_NamingAConfiguredAudience_IsValid(string rawAud) =>
        AssertValid(Validate(AudienceOptions, ClaimsWithRaw("aud", rawAud)));

    [Theory]
    [InlineData("\"billing\"")]
    [InlineData("\"Gateway\"")]
    [InlineData("\"gateway \"")]
    [InlineData("\"gateway-eu-west\"")]
    [InlineData("\"gateway gateway-eu\"")]
    [InlineData("\"\"")]
    [InlineData("[\"billing\"]")]
    [InlineData("[\"GATEWAY\"]")]
    [InlineData("[]")]
    [InlineData(null)]
    public void Aud_MissingOrNamingNoConfiguredAudience_IsInvalidAudience(string? rawAud) =>
        AssertRejected(PortkeyJwtError.InvalidAudience, Validate(AudienceOptions, ClaimsWithRaw("aud", rawAud)));

    [Theory]
    [InlineData("42")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("{\"gateway\":true}")]
    [InlineData("[\"gateway\",42]")]
    [InlineData("[42,\"gateway\"]")]
    [InlineData("[null]")]
    [InlineData("[[\"gateway\"]]")]
    public void Aud_NotAStringOrArrayOfStrings_IsInvalidClaim(string rawAud) =>
        AssertRejected(PortkeyJwtError.InvalidClaim, Validate(AudienceOptions, ClaimsWithRaw("aud", rawAud)));

    [Theory]
    [InlineData("\"anything\"")]
    [InlineData("[\"a\",\"b\"]")]
    [InlineData("[]")]
    [InlineData(null)]
    public void Aud_WithNoValidAudiencesConfigured_IsNotMatched(string? rawAud) =>
        AssertValid(Validate(null, ClaimsWithRaw("aud", rawAud)));

    [Fact]
    public void Aud_OfWrongTypeWithNoValidAudiencesConfigured_IsStillInvalidClaim() =>
        AssertRejected(PortkeyJwtError.InvalidClaim, Validate(null, ClaimsWithRaw("aud", "42")));

    [Fact]
    public void IssuerAndAudience_BothConfiguredAndMatching_IsValid()
    {
        var options = new PortkeyJwtOptions { ValidIssuers = [Issuer], ValidAudiences = ["gateway"] };
        string payload = Tokens.Claims().With(("iss", Issuer), ("aud", new JsonArray("x", "gateway"))).ToJsonString();

        Assert.Equal(Issuer, AssertValid(Validate(options, payload)).Issuer);
    }

    private static PortkeyJwtResult Validate(PortkeyJwtOptions? options, string payloadJson) =>
        Tokens.Validator(options).ValidateNow(TestKey.Default.SignRaw(HeaderJson(), payloadJson));
}
