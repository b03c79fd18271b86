using Microsoft.IdentityModel.Tokens;

namespace PortkeyJwt.IdentityModel.Internal;

/// <summary>
/// The <see cref="TokenValidationResult.SecurityToken"/> of a valid token that <see cref="Microsoft.IdentityModel.JsonWebTokens.JsonWebToken"/>
/// cannot parse (PortkeyJwt accepted it, IdentityModel's reader is stricter on some claim shapes): the validated facts, from the principal.
/// </summary>
internal sealed class PortkeySecurityToken(PortkeyPrincipal principal) : SecurityToken
{
    public override string Id => principal.JwtId ?? string.Empty;

    public override string Issuer => principal.Issuer ?? string.Empty;

    public override SecurityKey? SecurityKey => null;

    public override SecurityKey? SigningKey { get; set; }

    public override DateTime ValidFrom => (principal.NotBefore ?? principal.IssuedAt)?.UtcDateTime ?? DateTime.MinValue;

    public override DateTime ValidTo => principal.ExpiresAt.UtcDateTime;

    /// <summary>Names the caller, never the token (the base class would print nothing useful either).</summary>
    public override string ToString() => principal.ToString();
}
