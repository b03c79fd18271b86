using System.Text.Json;

namespace PortkeyJwt.AspNetCore.Forwarding;

/// <summary>One header and where its value comes from: a principal property, or a captured claim.</summary>
internal sealed class IdentityHeaderMapping
{
    private readonly PortkeyIdentityValue _value;
    private readonly string? _claim;

    public IdentityHeaderMapping(string headerName, PortkeyIdentityValue value)
    {
        HeaderName = headerName;
        _value = value;
    }

    public IdentityHeaderMapping(string headerName, string claim)
    {
        HeaderName = headerName;
        _claim = claim;
    }

    public string HeaderName { get; }

    /// <summary>The value to send for <paramref name="principal"/>, or null when it has none or none that may travel.</summary>
    public string? Read(PortkeyPrincipal principal)
    {
        string? value = _claim is not null ? ReadClaim(principal, _claim) : ReadProperty(principal, _value);
        return IdentityHeaderValues.IsForwardable(value) ? value : null;
    }

    private static string? ReadClaim(PortkeyPrincipal principal, string claim) =>
        principal.TryGetClaim(claim, out JsonElement value) ? IdentityHeaderValues.FromClaim(value) : null;

    private static string? ReadProperty(PortkeyPrincipal principal, PortkeyIdentityValue value) => value switch
    {
        PortkeyIdentityValue.Organisation => principal.OrganisationId,
        PortkeyIdentityValue.Workspace => principal.WorkspaceSlug,
        PortkeyIdentityValue.User => principal.UserId,
        PortkeyIdentityValue.Email => principal.Email,
        PortkeyIdentityValue.Subject => principal.Subject,
        PortkeyIdentityValue.Uid => principal.Uid,
        PortkeyIdentityValue.Scopes => IdentityHeaderValues.Join(principal.Scopes),
        PortkeyIdentityValue.Issuer => principal.Issuer,
        PortkeyIdentityValue.Audiences => IdentityHeaderValues.Join(principal.Audiences),
        PortkeyIdentityValue.JwtId => principal.JwtId,
        PortkeyIdentityValue.Roles => IdentityHeaderValues.Join(principal.Roles),
        _ => null,
    };
}
