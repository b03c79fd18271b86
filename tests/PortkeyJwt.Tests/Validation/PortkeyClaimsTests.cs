using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>Rule 7: organisation, workspace and user identity, each from its primary claim or its alias.</summary>
public sealed class PortkeyClaimsTests
{
    [Fact]
    public void Organisation_FromPortkeyOid_IsMapped() =>
        Assert.Equal("org-3f2a", Validate(Tokens.Claims()).OrganisationId);

    [Fact]
    public void Organisation_FromOrganisationIdAlias_WhenPortkeyOidAbsent() =>
        Assert.Equal("org-alias", Validate(Tokens.Claims().With(("portkey_oid", null), ("organisation_id", "org-alias"))).OrganisationId);

    [Fact]
    public void Organisation_WithBothClaims_PortkeyOidWins()
    {
        Assert.Equal("org-3f2a", Validate(Tokens.Claims().With(("organisation_id", "org-alias"))).OrganisationId);

        // Member order in the payload does not matter.
        string aliasFirst = Append("{\"organisation_id\":\"org-alias\"}", ClaimsJson()[1..^1]);
        Assert.Equal("org-3f2a", AssertValid(ValidateRaw(aliasFirst)).OrganisationId);
    }

    [Fact]
    public void Workspace_FromPortkeyWorkspace_IsMapped() =>
        Assert.Equal("ws-default", Validate(Tokens.Claims()).WorkspaceSlug);

    [Fact]
    public void Workspace_FromWorkspaceSlugAlias_WhenPortkeyWorkspaceAbsent() =>
        Assert.Equal("ws-alias", Validate(Tokens.Claims().With(("portkey_workspace", null), ("workspace_slug", "ws-alias"))).WorkspaceSlug);

    [Fact]
    public void Workspace_WithBothClaims_PortkeyWorkspaceWins() =>
        Assert.Equal("ws-default", Validate(Tokens.Claims().With(("workspace_slug", "ws-alias"))).WorkspaceSlug);

    [Theory]
    [InlineData("portkey_oid", "organisation_id", "'portkey_oid'")]
    [InlineData("portkey_workspace", "workspace_slug", "'portkey_workspace'")]
    public void PortkeyClaim_MissingWithItsAlias_IsMissingClaimNamingIt(string claim, string alias, string named)
    {
        PortkeyJwtResult result = ValidateRaw(Tokens.Claims().With((claim, null), (alias, null)).ToJsonString());

        AssertRejected(PortkeyJwtError.MissingClaim, result);
        Assert.Contains(named, result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("portkey_oid", "42")]
    [InlineData("portkey_oid", "true")]
    [InlineData("portkey_oid", "null")]
    [InlineData("portkey_oid", "[\"org-3f2a\"]")]
    [InlineData("portkey_oid", "{\"id\":\"org-3f2a\"}")]
    [InlineData("portkey_oid", "\"\"")]
    [InlineData("portkey_oid", "\"org\\u0000x\"")]
    [InlineData("portkey_oid", "\"org\\nx\"")]
    [InlineData("portkey_oid", "\"org\\tx\"")]
    [InlineData("portkey_oid", "\"org\\u001fx\"")]
    [InlineData("portkey_oid", "\"org\\u007fx\"")]
    [InlineData("organisation_id", "42")]
    [InlineData("organisation_id", "\"\"")]
    [InlineData("organisation_id", "\"org\\rx\"")]
    [InlineData("portkey_workspace", "42")]
    [InlineData("portkey_workspace", "\"\"")]
    [InlineData("portkey_workspace", "[]")]
    [InlineData("portkey_workspace", "\"ws\\u0000\"")]
    [InlineData("workspace_slug", "false")]
    [InlineData("workspace_slug", "\"\"")]
    public void PortkeyClaim_WrongTypeEmptyOrControlCharacters_IsInvalidClaim(string claim, string rawValue)
    {
        // An alias is only consulted when its primary is absent, so remove the primary when testing the alias.
        string payload = claim switch
        {
            "organisation_id" => WithRaw(ClaimsWithRaw("portkey_oid", null), claim, rawValue),
            "workspace_slug" => WithRaw(ClaimsWithRaw("portkey_workspace", null), claim, rawValue),
            _ => ClaimsWithRaw(claim, rawValue),
        };

        AssertRejected(PortkeyJwtError.InvalidClaim, ValidateRaw(payload));
    }

    [Fact]
    public void PortkeyOid_InvalidWithValidAlias_IsInvalidClaim() =>
        AssertRejected(PortkeyJwtError.InvalidClaim, ValidateRaw(WithRaw(ClaimsWithRaw("portkey_oid", "\"\""), "organisation_id", "\"org-alias\"")));

    [Fact]
    public void Organisation_LongerThan1024Bytes_IsInvalidClaim() =>
        AssertRejected(PortkeyJwtError.InvalidClaim, ValidateRaw(Tokens.Claims().With(("portkey_oid", new string('o', 1025))).ToJsonString()));

    /// <summary>Strings without escapes are decoded straight from the bytes, others through the reader: the same text either way.</summary>
    [Theory]
    [InlineData("\"org-caf\u00e9\"", "org-café")]
    [InlineData("\"org\\u002dcaf\\u00e9\"", "org-café")]
    [InlineData("\"org\\/x\"", "org/x")]
    [InlineData("\"\\ud83d\\udd11-org\"", "🔑-org")]
    public void Organisation_EscapedOrNot_IsTheSameText(string rawValue, string expected) =>
        Assert.Equal(expected, AssertValid(ValidateRaw(ClaimsWithRaw("portkey_oid", rawValue))).OrganisationId);

    [Fact]
    public void Organisation_Unicode_IsAccepted() =>
        Assert.Equal("société-ü", Validate(Tokens.Claims().With(("portkey_oid", "société-ü"))).OrganisationId);

    [Fact]
    public void UserId_WithEmailSubAndUid_IsEmail()
    {
        PortkeyPrincipal principal = Validate(Tokens.Claims().With(("uid", "u-7")));

        Assert.Equal("dev@example.com", principal.UserId);
        Assert.Equal(("dev@example.com", "user-42", "u-7"), (principal.Email, principal.Subject, principal.Uid));
    }

    [Fact]
    public void UserId_WithoutEmail_IsSub() =>
        Assert.Equal("user-42", Validate(Tokens.Claims().With(("email_id", null), ("uid", "u-7"))).UserId);

    [Fact]
    public void UserId_WithOnlyUid_IsUid() =>
        Assert.Equal("u-7", Validate(Tokens.Claims().With(("email_id", null), ("sub", null), ("uid", "u-7"))).UserId);

    [Fact]
    public void UserId_WithNoUserClaims_IsNull()
    {
        PortkeyPrincipal principal = Validate(Tokens.Claims().With(("email_id", null), ("sub", null)));

        Assert.Null(principal.UserId);
        Assert.Equal((null, null, null), (principal.Email, principal.Subject, principal.Uid));
    }

    [Theory]
    [InlineData("email_id", "42")]
    [InlineData("email_id", "null")]
    [InlineData("email_id", "\"\"")]
    [InlineData("email_id", "[\"dev@example.com\"]")]
    [InlineData("sub", "true")]
    [InlineData("sub", "42")]
    [InlineData("sub", "\"\"")]
    [InlineData("sub", "\"user\\u0000\"")]
    [InlineData("uid", "7")]
    [InlineData("uid", "[]")]
    [InlineData("uid", "{}")]
    public void UserClaim_NotANonEmptyString_IsInvalidClaim(string claim, string rawValue) =>
        AssertRejected(PortkeyJwtError.InvalidClaim, ValidateRaw(ClaimsWithRaw(claim, rawValue)));

    [Fact]
    public void Sub_InvalidEvenWhenEmailPresent_IsInvalidClaim() =>
        AssertRejected(PortkeyJwtError.InvalidClaim, ValidateRaw(WithRaw(ClaimsWithRaw("sub", "42"), "uid", "\"u-7\"")));

    [Fact]
    public void UnknownClaims_AnyShape_AreIgnored()
    {
        string payload = Append(ClaimsJson(), "\"nonce\":1,\"roles\":[\"a\",{\"b\":null}],\"Portkey_Oid\":42,\"EXP\":\"x\"");

        AssertValid(ValidateRaw(payload));
    }

    private static PortkeyPrincipal Validate(JsonObject claims) => AssertValid(ValidateDefault(Tokens.Mint(claims)));

    private static PortkeyJwtResult ValidateRaw(string payloadJson) =>
        ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), payloadJson));
}
