using Microsoft.AspNetCore.Authentication;
using PortkeyJwt;
using PortkeyJwt.AspNetCore;
using PortkeyJwt.AspNetCore.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the PortkeyJwt authentication scheme.</summary>
public static class PortkeyJwtAuthenticationBuilderExtensions
{
    /// <summary>
    /// Adds the scheme <see cref="PortkeyJwtDefaults.AuthenticationScheme"/>. It reads <c>x-portkey-api-key</c>, then
    /// <c>Authorization: Bearer</c>, and validates with the <see cref="PortkeyJwtValidator"/> registered by
    /// <c>services.AddPortkeyJwt(…)</c>. A plain (non-JWT) <c>x-portkey-api-key</c> gives no result, so another scheme can
    /// accept it. Failures answer 401 <c>invalid_token</c>, missing scopes 403 <c>insufficient_scope</c> (RFC 6750).
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static AuthenticationBuilder AddPortkeyJwt(this AuthenticationBuilder builder) =>
        builder.AddPortkeyJwt(PortkeyJwtDefaults.AuthenticationScheme, configureOptions: null);

    /// <summary>Adds the scheme <see cref="PortkeyJwtDefaults.AuthenticationScheme"/> with options; see <see cref="AddPortkeyJwt(AuthenticationBuilder)"/>.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="configureOptions">Configures the scheme (for example scheme-wide required scopes).</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static AuthenticationBuilder AddPortkeyJwt(this AuthenticationBuilder builder, Action<PortkeyJwtAuthenticationOptions> configureOptions) =>
        builder.AddPortkeyJwt(PortkeyJwtDefaults.AuthenticationScheme, configureOptions);

    /// <summary>Adds a PortkeyJwt scheme under <paramref name="authenticationScheme"/>; see <see cref="AddPortkeyJwt(AuthenticationBuilder)"/>.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name.</param>
    /// <param name="configureOptions">Configures the scheme; may be null.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static AuthenticationBuilder AddPortkeyJwt(this AuthenticationBuilder builder, string authenticationScheme, Action<PortkeyJwtAuthenticationOptions>? configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(authenticationScheme);
        return builder.AddScheme<PortkeyJwtAuthenticationOptions, PortkeyJwtAuthenticationHandler>(authenticationScheme, displayName: "Portkey JWT", configureOptions);
    }
}
