using Microsoft.AspNetCore.Authentication;
using PortkeyJwt.AspNetCore.Internal;

namespace PortkeyJwt.AspNetCore;

/// <summary>
/// Options of one PortkeyJwt authentication scheme. What tokens are accepted is set once for the application with
/// <see cref="PortkeyJwtServiceOptions"/>; a scheme can only require more.
/// </summary>
public sealed class PortkeyJwtAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>
    /// Scopes a token must grant to authenticate through this scheme, on top of
    /// <see cref="PortkeyJwtServiceOptions.RequiredScopes"/>; a token lacking one is answered 403 <c>insufficient_scope</c>.
    /// Default none.
    /// </summary>
    public IList<string> RequiredScopes { get; set; } = [];

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        foreach (string scope in RequiredScopes)
        {
            if (!PortkeyScopeRequirement.IsScopeName(scope))
            {
                throw new InvalidOperationException($"PortkeyJwt: RequiredScopes: '{scope}' is not a scope name ({PortkeyScopeRequirement.ScopeNameRule}).");
            }
        }
    }
}
