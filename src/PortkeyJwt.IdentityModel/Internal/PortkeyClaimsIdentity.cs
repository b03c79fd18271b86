using System.Security.Claims;

namespace PortkeyJwt.IdentityModel.Internal;

/// <summary>
/// The identity <see cref="PortkeyPrincipal.ToClaimsPrincipal"/> builds (same claims, authentication type, name and role
/// claim types), carrying the <see cref="PortkeyPrincipal"/> it was built from, so
/// <see cref="PortkeyTokenHandler.GetPortkeyPrincipal"/> finds it on <c>HttpContext.User</c>. A clone keeps it.
/// </summary>
internal sealed class PortkeyClaimsIdentity : ClaimsIdentity
{
    private PortkeyClaimsIdentity(ClaimsIdentity identity, PortkeyPrincipal principal)
        : base(identity)
    {
        Principal = principal;
    }

    /// <summary>The principal the claims were made from.</summary>
    public PortkeyPrincipal Principal { get; }

    /// <summary>The identity of <see cref="PortkeyPrincipal.ToClaimsPrincipal"/>, carrying <paramref name="principal"/>.</summary>
    public static PortkeyClaimsIdentity From(PortkeyPrincipal principal) =>
        new((ClaimsIdentity)principal.ToClaimsPrincipal().Identity!, principal);

    /// <inheritdoc />
    public override ClaimsIdentity Clone() => new PortkeyClaimsIdentity(this, Principal);
}
