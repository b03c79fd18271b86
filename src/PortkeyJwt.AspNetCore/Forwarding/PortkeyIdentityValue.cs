namespace PortkeyJwt.AspNetCore;

/// <summary>
/// A property of the authenticated <see cref="PortkeyPrincipal"/> that
/// <see cref="PortkeyIdentityHeadersOptions.Map(PortkeyIdentityValue, string)"/> forwards upstream as a request header.
/// </summary>
public enum PortkeyIdentityValue
{
    /// <summary><see cref="PortkeyPrincipal.OrganisationId"/>.</summary>
    Organisation,

    /// <summary><see cref="PortkeyPrincipal.WorkspaceSlug"/>.</summary>
    Workspace,

    /// <summary><see cref="PortkeyPrincipal.UserId"/>: the email, else the subject, else the uid.</summary>
    User,

    /// <summary><see cref="PortkeyPrincipal.Email"/>.</summary>
    Email,

    /// <summary><see cref="PortkeyPrincipal.Subject"/> (<c>sub</c>).</summary>
    Subject,

    /// <summary><see cref="PortkeyPrincipal.Uid"/>.</summary>
    Uid,

    /// <summary><see cref="PortkeyPrincipal.Scopes"/>, joined by <see cref="PortkeyIdentityHeadersOptions.Separator"/>.</summary>
    Scopes,

    /// <summary><see cref="PortkeyPrincipal.Issuer"/> (<c>iss</c>).</summary>
    Issuer,

    /// <summary><see cref="PortkeyPrincipal.Audiences"/> (<c>aud</c>), joined by <see cref="PortkeyIdentityHeadersOptions.Separator"/>.</summary>
    Audiences,

    /// <summary><see cref="PortkeyPrincipal.JwtId"/> (<c>jti</c>).</summary>
    JwtId,

    /// <summary><see cref="PortkeyPrincipal.Roles"/>, joined by <see cref="PortkeyIdentityHeadersOptions.Separator"/>.</summary>
    Roles,
}
