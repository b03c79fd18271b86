// The README's C# example. ReadmeExampleTests checks that README.md shows exactly the lines between the snippet markers
// and runs them; the README walkthrough runs them on the token the CLI minted (Program.cs); tests/package-consumer.sh
// builds them against the packed NuGet packages.
using PortkeyJwt;

namespace ReadmeExample;

// begin-snippet: static-jwks
/// <summary>Built once at startup (a field, or a DI singleton) and shared by every request: it is thread-safe.</summary>
public sealed class GatewayAuthentication : IDisposable
{
    private readonly JwksKeyProvider _keys;
    private readonly PortkeyJwtValidator _validator;

    public GatewayAuthentication(string jwksJson)
    {
        // A fixed {"keys":[...]} set; new JwksKeyProvider(new JwksKeyProviderOptions { JwksUrls = [...] }) fetches one.
        _keys = JwksKeyProvider.FromJson(jwksJson);
        _validator = new PortkeyJwtValidator(_keys, new PortkeyJwtOptions
        {
            ValidIssuers = ["https://auth.example.com"],
            ValidAudiences = ["portkey-gateway"],
            RequiredScopes = ["completions.write"],
        });
    }

    /// <summary>Per request: the token from x-portkey-api-key, or Authorization without its "Bearer " prefix.</summary>
    public async Task<string> AuthenticateAsync(string token, CancellationToken cancellationToken = default)
    {
        PortkeyJwtResult result = await _validator.ValidateAsync(token, cancellationToken);
        if (!result.IsValid)
        {
            // 401 (or 403 for InsufficientScope); Detail never contains the token.
            return $"{result.StatusCode} {result.Error}: {result.Detail}";
        }

        PortkeyPrincipal caller = result.Principal;
        return $"{caller.OrganisationId}/{caller.WorkspaceSlug} as {caller.UserId} [{string.Join(' ', caller.Scopes)}]";
    }

    public void Dispose() => _keys.Dispose();
}
// end-snippet
