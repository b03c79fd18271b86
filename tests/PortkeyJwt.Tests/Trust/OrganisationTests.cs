using static PortkeyJwt.Tests.Support.RuleKit;
using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Trust;

/// <summary>
/// Trust rule 3: after the signature, the organisation must be one the anchor may assert and the workspace one of its
/// workspaces when it lists them; tokens without these claims take the anchor's defaults.
/// </summary>
public sealed class OrganisationTests
{
    private static TrustAnchorSet With(Action<TrustAnchor> configure)
    {
        TrustAnchor anchor = Anchor(IssuerA, [KeyA], "org-a", "org-a2");
        configure(anchor);
        return Set(anchors: [anchor, Anchor(IssuerB, [KeyB], "org-b")]);
    }

    private static PortkeyJwtResult Validate(TrustAnchorSet trust, params (string Name, JsonNode? Value)[] changes) =>
        trust.Validator.ValidateNow(Token(KeyA, IssuerA, "org-a", changes));

    [Theory]
    [InlineData("org-a")]
    [InlineData("org-a2")]
    public void Organisation_OneTheAnchorMayAssert_IsValid(string organisation) =>
        Assert.Equal(organisation, AssertValid(Validate(With(_ => { }), ("portkey_oid", organisation))).OrganisationId);

    [Theory]
    [InlineData("org-b")]
    [InlineData("ORG-A")]
    [InlineData("org-a ")]
    [InlineData("*")]
    public void Organisation_NotOneTheAnchorMayAssert_IsOrganisationNotAllowed(string organisation) =>
        AssertRejected(PortkeyJwtError.OrganisationNotAllowed, Validate(With(_ => { }), ("portkey_oid", organisation)));

    [Fact]
    public void Organisation_OfAnotherAnchor_InBsValidlySignedToken_IsOrganisationNotAllowed() =>
        AssertRejected(PortkeyJwtError.OrganisationNotAllowed, TwoProviders().Validator.ValidateNow(Token(KeyB, IssuerB, "org-a")));

    [Fact]
    public void Organisation_FromOrganisationIdAlone_IsCheckedToo() =>
        AssertRejected(PortkeyJwtError.OrganisationNotAllowed, Validate(With(_ => { }), ("portkey_oid", null), ("organisation_id", "org-b")));

    [Theory]
    [InlineData("org-anything")]
    [InlineData("org-b")]
    public void Organisation_UnderTheWildcard_IsAnyOrganisation(string organisation) =>
        Assert.Equal(organisation, AssertValid(Validate(With(a => a.Organisations = ["*"]), ("portkey_oid", organisation))).OrganisationId);

    [Fact]
    public void Organisation_BothClaimsEqual_IsValid() =>
        AssertValid(Validate(With(_ => { }), ("organisation_id", "org-a")));

    [Theory]
    [InlineData("org-a2")]
    [InlineData("org-b")]
    public void Organisation_BothClaimsDiffer_IsInvalidClaim(string organisationId) =>
        AssertRejected(PortkeyJwtError.InvalidClaim, Validate(With(a => a.Organisations = ["*"]), ("organisation_id", organisationId)));

    [Fact]
    public void Organisation_Absent_TakesTheAnchorsDefault() =>
        Assert.Equal("org-a2", AssertValid(Validate(With(a => a.DefaultOrganisation = "org-a2"), ("portkey_oid", null))).OrganisationId);

    [Fact]
    public void Organisation_Absent_WithNoDefault_IsMissingClaim() =>
        AssertRejected(PortkeyJwtError.MissingClaim, Validate(With(_ => { }), ("portkey_oid", null)));

    [Fact]
    public void Organisation_PresentWithADefault_IsStillChecked() =>
        AssertRejected(PortkeyJwtError.OrganisationNotAllowed, Validate(With(a => a.DefaultOrganisation = "org-a"), ("portkey_oid", "org-b")));

    [Theory]
    [InlineData("42")]
    [InlineData("\"\"")]
    public void Organisation_NotAnIdentifier_IsInvalidClaim(string raw) =>
        AssertRejected(PortkeyJwtError.InvalidClaim, With(a => a.Organisations = ["*"]).Validator.ValidateNow(
            TokenWithClaims(KeyA, ClaimsWithRaw("iss", "\"https://idp-a.example\"").Replace("\"org-3f2a\"", raw, StringComparison.Ordinal))));

    [Fact]
    public void Workspace_OneOfTheAnchorsWorkspaces_IsValid() =>
        Assert.Equal("ws-2", AssertValid(Validate(With(a => a.Workspaces = ["ws-1", "ws-2"]), ("portkey_workspace", "ws-2"))).WorkspaceSlug);

    [Theory]
    [InlineData("ws-3")]
    [InlineData("WS-1")]
    public void Workspace_NotOneOfTheAnchorsWorkspaces_IsWorkspaceNotAllowed(string workspace) =>
        AssertRejected(PortkeyJwtError.WorkspaceNotAllowed, Validate(With(a => a.Workspaces = ["ws-1", "ws-2"]), ("portkey_workspace", workspace)));

    [Fact]
    public void Workspace_FromWorkspaceSlug_IsCheckedToo() =>
        AssertRejected(PortkeyJwtError.WorkspaceNotAllowed, Validate(With(a => a.Workspaces = ["ws-1"]), ("portkey_workspace", null), ("workspace_slug", "ws-3")));

    [Fact]
    public void Workspace_WithNoWorkspacesListed_IsAnyWorkspace() =>
        Assert.Equal("ws-anything", AssertValid(Validate(With(_ => { }), ("portkey_workspace", "ws-anything"))).WorkspaceSlug);

    [Fact]
    public void Workspace_Absent_TakesTheAnchorsDefault() =>
        Assert.Equal("ws-1", AssertValid(Validate(With(a => a.DefaultWorkspace = "ws-1"), ("portkey_workspace", null))).WorkspaceSlug);

    [Fact]
    public void Workspace_Absent_WithNoDefault_IsMissingClaim() =>
        AssertRejected(PortkeyJwtError.MissingClaim, Validate(With(_ => { }), ("portkey_workspace", null)));

    [Fact]
    public void Workspace_PresentWithADefault_IsStillChecked() =>
        AssertRejected(PortkeyJwtError.WorkspaceNotAllowed, Validate(With(a => (a.Workspaces, a.DefaultWorkspace) = (["ws-1"], "ws-1")), ("portkey_workspace", "ws-2")));

    [Fact]
    public void StandardIdpToken_WithNoPortkeyClaims_TakesBothDefaults()
    {
        PortkeyPrincipal principal = AssertValid(Validate(
            With(a => (a.DefaultOrganisation, a.DefaultWorkspace) = ("org-a", "ws-1")), ("portkey_oid", null), ("portkey_workspace", null)));

        Assert.Equal(("org-a", "ws-1"), (principal.OrganisationId, principal.WorkspaceSlug));
    }

    [Fact]
    public void Organisation_IsCheckedOnlyAfterTheSignature() =>
        AssertRejected(PortkeyJwtError.InvalidSignature, TwoProviders().Validator.ValidateNow(
            WithSignature(Token(KeyA, IssuerA, "org-b"), SignatureBytes(Token(KeyA, IssuerA, "org-a")))));
}
