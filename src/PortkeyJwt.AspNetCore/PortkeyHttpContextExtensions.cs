using Microsoft.AspNetCore.Http;
using PortkeyJwt.AspNetCore.Internal;

namespace PortkeyJwt.AspNetCore;

/// <summary>Reaches the authenticated <see cref="PortkeyPrincipal"/> of a request.</summary>
public static class PortkeyHttpContextExtensions
{
    /// <summary>
    /// The caller the PortkeyJwt scheme authenticated on this request (organisation, workspace, user, scopes); null when
    /// the scheme has not run or the request carried no valid token.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <returns>The principal, or null.</returns>
    public static PortkeyPrincipal? GetPortkeyPrincipal(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<PortkeyRequestFeature>()?.Principal;
    }
}
