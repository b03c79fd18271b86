using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Telemetry;

/// <summary>
/// <see cref="PortkeyJwtOptions.TagMetricsWithIssuer"/>: with trust anchors, validation metrics may carry the configured
/// issuer of the anchor a token was routed to. Off by default; a token that names no anchor never puts its <c>iss</c> in
/// a tag, and organisations and users are never tags.
/// </summary>
public sealed class IssuerTagTests
{
    private const string Validations = "portkeyjwt.validations";
    private const string ValidationDuration = "portkeyjwt.validation.duration";
    private const string StrangerIssuer = "https://idp.stranger.example";

    [Fact]
    public async Task TagMetricsWithIssuer_TagsEachValidationWithItsAnchorsIssuer_OnEveryPath_AndNeverAnIssuerThatNamesNoAnchor()
    {
        await using JwksServer jwksB = await JwksServer.StartAsync(TestKey.Jwks(KeyB));
        using var own = new OwnMeasurements(Validations, ValidationDuration);
        PortkeyJwtOptions options = Options();
        options.TagMetricsWithIssuer = true;
        using TrustAnchorSet trust = Set(options: options, anchors: [Anchor(IssuerA, [KeyA], "org-a"), RemoteAnchor(IssuerB, jwksB, "org-b")]);
        string fromA = Token(KeyA, IssuerA, "org-a");

        await trust.Validator.ValidateAsync(fromA);                                 // A: validated
        await trust.Validator.ValidateAsync(fromA);                                 // A: a cache hit
        await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-b"));         // A: OrganisationNotAllowed
        await trust.Validator.ValidateAsync(Token(KeyB, IssuerA, "org-a"));         // B's key claiming A: judged under A
        await trust.Validator.ValidateAsync(Token(KeyB, IssuerB, "org-b"));         // B: after the first fetch of its keys
        await trust.Validator.ValidateAsync(Token(KeyA, StrangerIssuer, "org-a"));  // no anchor
        await trust.Validator.ValidateAsync("abc.def.ghi");                         // not routable

        Assert.Equal(1, jwksB.RequestCount); // B's validation took the fetch path
        IReadOnlyList<OwnMeasurements.Measurement> counted = own.Of(Validations);
        Assert.Equal(
            [(IssuerA, "None"), (IssuerA, "None"), (IssuerA, "OrganisationNotAllowed"), (IssuerA, "UnknownKey"), (IssuerB, "None"), (null, "UnknownIssuer"), (null, "Malformed")],
            counted.Select(m => (m.Tag("issuer"), m.Tag("result"))));
        Assert.Equal(counted.Select(m => m.Tag("issuer")), own.Of(ValidationDuration).Select(m => m.Tag("issuer")));
        Assert.All(own.All, m => Assert.All(m.Tags, t => Assert.Contains(t.Key, (string[])["result", "issuer"])));
        Assert.DoesNotContain(own.All, m => m.Tags.Any(t => t.Value is string value && (value.Contains("stranger", StringComparison.Ordinal) || value.StartsWith("org-", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task ByDefault_ValidationMetricsCarryOnlyTheResult()
    {
        using var own = new OwnMeasurements(Validations, ValidationDuration);
        using TrustAnchorSet trust = TwoProviders();

        await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a"));
        await trust.Validator.ValidateAsync(Token(KeyB, IssuerB, "org-b"));

        Assert.Equal(4, own.All.Count);
        Assert.All(own.All, m => Assert.Equal(["result"], m.Tags.Select(t => t.Key)));
    }

    [Fact]
    public async Task TagMetricsWithIssuer_OnASingleProviderValidator_AddsNoTag()
    {
        using var own = new OwnMeasurements(Validations);
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { TagMetricsWithIssuer = true });

        await validator.ValidateAsync(Tokens.Mint());

        Assert.Equal(["result"], Assert.Single(own.All).Tags.Select(t => t.Key));
    }
}
