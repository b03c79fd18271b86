// The README's usage example. ReadmeExampleTests runs it and checks that README.md shows exactly these lines.
namespace PortkeyJwt.Tests.Docs;

internal static class ReadmeExample
{
    // begin-snippet: static-jwks
    public static async Task<string> AuthenticateAsync(string jwksJson, string token)
    {
        JwksKeyProvider keys = JwksKeyProvider.FromJson(jwksJson); // {"keys":[...]} with public JWKs
        var validator = new PortkeyJwtValidator(keys, new PortkeyJwtOptions
        {
            ValidIssuers = ["https://auth.example.com"],
            RequiredScopes = ["completions.write"],
        });

        PortkeyJwtResult result = await validator.ValidateAsync(token);
        if (!result.IsValid)
        {
            // 401 (or 403 for InsufficientScope); Detail never contains the token.
            return $"{result.StatusCode} {result.Error}: {result.Detail}";
        }

        PortkeyPrincipal caller = result.Principal;
        return $"{caller.OrganisationId}/{caller.WorkspaceSlug} as {caller.UserId} [{string.Join(' ', caller.Scopes)}]";
    }
    // end-snippet
}
