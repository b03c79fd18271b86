namespace PortkeyJwt.AspNetCore.Internal;

/// <summary>
/// What PortkeyJwt knows about the current request, kept in <c>HttpContext.Features</c>: the authenticated principal,
/// and the scopes a <c>RequirePortkeyScope</c> requirement found missing (named by the 403 challenge).
/// </summary>
internal sealed class PortkeyRequestFeature
{
    public PortkeyPrincipal? Principal { get; set; }

    /// <summary>Missing scopes, in the order the requirements found them, without duplicates.</summary>
    public List<string> MissingScopes { get; } = [];

    public void AddMissing(string scope)
    {
        if (!MissingScopes.Contains(scope, StringComparer.Ordinal))
        {
            MissingScopes.Add(scope);
        }
    }
}
