namespace PortkeyJwt.Tests.Docs;

/// <summary>The "Many organisations" example does what its comments say.</summary>
public sealed class ManyOrganisationsExampleTests
{
    private const string Acme = "https://acme.okta.example/oauth2/default";
    private const string Globex = "https://login.globex.example/v2.0";

    private static readonly Lazy<TestKey> AcmeKey = new(() => TestKey.Ec("acme-1"));
    private static readonly Lazy<TestKey> GlobexKey = new(() => TestKey.Ec("globex-1"));

    private static string OktaToken(TestKey key, string issuer) => Tokens.Mint(
        Tokens.Claims().With(("iss", issuer), ("aud", "portkey-gateway"), ("portkey_oid", null), ("portkey_workspace", null)), key: key);

    private static string EntraToken(TestKey key, string workspace, string organisation = "org-globex") => Tokens.Mint(
        Tokens.Claims().With(("iss", Globex), ("aud", "api://portkey-gateway"), ("portkey_oid", organisation), ("portkey_workspace", workspace), ("scope", null), ("scp", "completions.write")), key: key);

    [Fact]
    public async Task Example_EachCustomersTokens_AreAcceptedWithTheirOrganisation_AndNothingElse()
    {
        await using JwksServer acme = await JwksServer.StartAsync(TestKey.Jwks(AcmeKey.Value));
        using var gateway = new ManyOrganisationsGateway(acme.Url, TestKey.Jwks(GlobexKey.Value), Tokens.Clock());
        Assert.Equal(0, acme.RequestCount);

        Assert.Equal("org-acme/ws-default", await gateway.AuthenticateAsync(OktaToken(AcmeKey.Value, Acme)));
        Assert.Equal("org-globex/ws-eu", await gateway.AuthenticateAsync(EntraToken(GlobexKey.Value, "ws-eu")));
        Assert.Equal("401 WorkspaceNotAllowed", await gateway.AuthenticateAsync(EntraToken(GlobexKey.Value, "ws-asia")));
        Assert.Equal("401 OrganisationNotAllowed", await gateway.AuthenticateAsync(EntraToken(GlobexKey.Value, "ws-eu", "org-acme")));
        Assert.Equal("401 UnknownKey", await gateway.AuthenticateAsync(EntraToken(AcmeKey.Value, "ws-eu"))); // Acme's key, Globex's iss
        Assert.Equal("401 UnknownIssuer", await gateway.AuthenticateAsync(OktaToken(AcmeKey.Value, "https://evil.example")));
        Assert.Equal(1, acme.RequestCount);
    }
}
