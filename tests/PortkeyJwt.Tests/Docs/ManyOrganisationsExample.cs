// The README's "Many organisations" example. ManyOrganisationsExampleTests runs it; ReadmeExampleTests checks README.md
// shows exactly the lines between the snippet markers.
namespace PortkeyJwt.Tests.Docs;

// begin-snippet: many-organisations
/// <summary>One trust anchor per customer identity provider: each may speak only for its own organisations.</summary>
public sealed class ManyOrganisationsGateway : IDisposable
{
    private readonly TrustAnchorSet _trust;

    public ManyOrganisationsGateway(Uri acmeJwksUrl, string globexJwks, TimeProvider? timeProvider = null)
    {
        _trust = new TrustAnchorSet(
        [
            new TrustAnchor
            {
                // Acme's Okta: standard tokens, no portkey_oid; they all belong to org-acme, workspace ws-default.
                Issuer = "https://acme.okta.example/oauth2/default",
                JwksUrls = [acmeJwksUrl],          // fetched when the first Acme token arrives, not at startup
                Organisations = ["org-acme"],
                DefaultOrganisation = "org-acme",
                DefaultWorkspace = "ws-default",
            },
            new TrustAnchor
            {
                // Globex's Entra ID: scopes in "scp", two workspaces, its own audience.
                Issuer = "https://login.globex.example/v2.0",
                Jwks = globexJwks,                 // or JwksUrls
                Organisations = ["org-globex"],
                DefaultOrganisation = "org-globex",
                Workspaces = ["ws-eu", "ws-us"],
                ScopeClaims = ["scp"],
                Audiences = ["api://portkey-gateway"],
            },
        ],
        new PortkeyJwtOptions { AllowedAlgorithms = ["RS256", "ES256"], ValidAudiences = ["portkey-gateway"] },
        timeProvider: timeProvider);
    }

    /// <summary>Per request: routed by the token's iss; only that issuer's keys can verify it.</summary>
    public async Task<string> AuthenticateAsync(string token, CancellationToken cancellationToken = default)
    {
        PortkeyJwtResult result = await _trust.Validator.ValidateAsync(token, cancellationToken);
        return result.IsValid
            ? $"{result.Principal.OrganisationId}/{result.Principal.WorkspaceSlug}"
            : $"{result.StatusCode} {result.Error}"; // UnknownIssuer, OrganisationNotAllowed, WorkspaceNotAllowed, …
    }

    public void Dispose() => _trust.Dispose(); // stops every anchor's key provider
}
// end-snippet
