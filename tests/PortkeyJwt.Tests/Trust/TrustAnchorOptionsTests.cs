using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Trust;

/// <summary>A misconfigured anchor fails when the set is built, naming the anchor and the option.</summary>
public sealed class TrustAnchorOptionsTests
{
    public static TheoryData<string, string> BadAnchors => new()
    {
        { "issuer-empty", "anchors[0].Issuer" },
        { "issuer-duplicate", "anchors[1].Issuer" },
        { "organisations-empty", "anchors[0].Organisations" },
        { "organisations-wildcard-and-more", "anchors[0].Organisations" },
        { "organisations-control-character", "anchors[0].Organisations" },
        { "default-organisation-not-listed", "anchors[0].DefaultOrganisation" },
        { "workspaces-empty", "anchors[0].Workspaces" },
        { "default-workspace-not-listed", "anchors[0].DefaultWorkspace" },
        { "no-key-source", "anchors[0].JwksUrls" },
        { "two-key-sources", "anchors[0].JwksUrls" },
        { "jwks-not-a-jwks", "anchors[0].Jwks" },
        { "url-plain-http", "anchors[0].JwksUrls" },
        { "authority-and-jwks", "anchors[0].JwksUrls" },
        { "authority-plain-http", "anchors[0].Authority" },
        { "authority-with-query", "anchors[0].Authority" },
        { "audiences-empty", "anchors[0].Audiences" },
        { "algorithms-hmac", "anchors[0].AllowedAlgorithms" },
        { "required-scope-bad", "anchors[0].RequiredScopes" },
        { "scope-claims-reserved", "anchors[0].ScopeClaims" },
        { "scope-claims-three", "anchors[0].ScopeClaims" },
        { "scope-claims-quote", "anchors[0].ScopeClaims" },
    };

    [Theory]
    [MemberData(nameof(BadAnchors))]
    public void Build_WithAMisconfiguredAnchor_ThrowsNamingIt(string problem, string option)
    {
        TrustAnchor anchor = Anchor(IssuerA, [KeyA], "org-a");
        TrustAnchor other = Anchor(IssuerB, [KeyB], "org-b");
        switch (problem)
        {
            case "issuer-empty": anchor.Issuer = ""; break;
            case "issuer-duplicate": other.Issuer = IssuerA; break;
            case "organisations-empty": anchor.Organisations = []; break;
            case "organisations-wildcard-and-more": anchor.Organisations = ["*", "org-a"]; break;
            case "organisations-control-character": anchor.Organisations = ["org\n"]; break;
            case "default-organisation-not-listed": anchor.DefaultOrganisation = "org-b"; break;
            case "workspaces-empty": anchor.Workspaces = []; break;
            case "default-workspace-not-listed": (anchor.Workspaces, anchor.DefaultWorkspace) = (["ws-1"], "ws-2"); break;
            case "no-key-source": anchor.Jwks = null; break;
            case "two-key-sources": anchor.JwksUrls = [new Uri("https://idp-a.example/jwks")]; break;
            case "jwks-not-a-jwks": anchor.Jwks = "{}"; break;
            case "url-plain-http": (anchor.Jwks, anchor.JwksUrls) = (null, [new Uri("http://idp-a.example/jwks")]); break;
            case "authority-and-jwks": anchor.Authority = new Uri("https://idp-a.example"); break;
            case "authority-plain-http": (anchor.Jwks, anchor.Authority) = (null, new Uri("http://idp-a.example")); break;
            case "authority-with-query": (anchor.Jwks, anchor.Authority) = (null, new Uri("https://idp-a.example/?tenant=a")); break;
            case "audiences-empty": anchor.Audiences = []; break;
            case "algorithms-hmac": anchor.AllowedAlgorithms = ["HS256"]; break;
            case "required-scope-bad": anchor.RequiredScopes = ["two words"]; break;
            case "scope-claims-reserved": anchor.ScopeClaims = ["sub"]; break;
            case "scope-claims-three": anchor.ScopeClaims = ["a", "b", "c"]; break;
            case "scope-claims-quote": anchor.ScopeClaims = ["sc\"p"]; break;
        }

        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => Set(anchors: [anchor, other]));

        Assert.Equal(option, e.ParamName);
    }

    [Fact]
    public void Build_WithNoAnchors_Throws() =>
        Assert.Equal("anchors", Assert.Throws<ArgumentException>(() => Set(anchors: [])).ParamName);

    [Fact]
    public void Build_WithGlobalValidIssuers_Throws()
    {
        PortkeyJwtOptions options = Options();
        options.ValidIssuers = [IssuerA];

        Assert.Equal("ValidIssuers", Assert.Throws<ArgumentException>(() => Set(options: options, anchors: [Anchor(IssuerA, [KeyA], "*")])).ParamName);
    }

    [Fact]
    public void Build_WithSharedFetchUrls_Throws() =>
        Assert.Equal("JwksUrls", Assert.Throws<ArgumentException>(() => new TrustAnchorSet(
            [Anchor(IssuerA, [KeyA], "*")], Options(), new JwksKeyProviderOptions { JwksUrls = [new Uri("https://idp.example/jwks")] })).ParamName);

    [Fact]
    public void Build_WithBadSharedFetchSettings_ThrowsAtOnce_NotAtTheFirstToken() =>
        Assert.Equal("FetchTimeout", Assert.ThrowsAny<ArgumentException>(() => new TrustAnchorSet(
            [new TrustAnchor { Issuer = IssuerA, JwksUrls = [new Uri("https://idp-a.example/jwks")], Organisations = ["*"] }],
            Options(), new JwksKeyProviderOptions { FetchTimeout = TimeSpan.Zero })).ParamName);

    [Fact]
    public void Build_CopiesTheAnchors_LaterChangesDoNotAffectIt()
    {
        TrustAnchor anchor = Anchor(IssuerA, [KeyA]);
        anchor.Organisations = new List<string> { "org-a" };
        using TrustAnchorSet trust = Set(anchors: [anchor]);

        anchor.Organisations.Add("org-b");
        anchor.Organisations = ["*"];

        RuleKit.AssertRejected(PortkeyJwtError.OrganisationNotAllowed, trust.Validator.ValidateNow(Token(KeyA, IssuerA, "org-b")));
    }
}
