using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using PortkeyJwt.AspNetCore.Internal;

namespace PortkeyJwt.AspNetCore;

/// <summary>Requires Portkey token scopes on authorization policies and endpoints.</summary>
public static class PortkeyScopeAuthorizationExtensions
{
    /// <summary>
    /// Requires the caller's Portkey token to grant every one of <paramref name="scopes"/> (whole names; a leading
    /// <c>portkey.</c> is ignored on both sides). A caller without them is forbidden: the PortkeyJwt scheme answers 403
    /// with <c>WWW-Authenticate: Bearer error="insufficient_scope", scope="…"</c> naming the missing scopes.
    /// Needs no handler registration.
    /// </summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="scopes">The scopes required; at least one.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentException">
    /// No scope, or one that is not a scope name (printable ASCII without spaces, quotes or backslashes, not empty after a
    /// leading <c>portkey.</c>); thrown here, when the policy is built.
    /// </exception>
    public static AuthorizationPolicyBuilder RequirePortkeyScope(this AuthorizationPolicyBuilder builder, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRequirements(new PortkeyScopeRequirement(scopes));
    }

    /// <summary>
    /// Adds the authorization policy <paramref name="name"/>: a caller authenticated by the PortkeyJwt scheme
    /// (<see cref="PortkeyJwtDefaults.AuthenticationScheme"/>, whatever the default scheme is) whose token grants every one
    /// of <paramref name="scopes"/>. For what takes a policy by name, such as a YARP route's <c>AuthorizationPolicy</c>.
    /// No token or a rejected one is answered 401, a missing scope 403 <c>insufficient_scope</c> naming it.
    /// </summary>
    /// <param name="options">The authorization options.</param>
    /// <param name="name">The policy's name.</param>
    /// <param name="scopes">The scopes required; at least one.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="name"/> is empty, no scope is given, or one is not a scope name (as for
    /// <see cref="RequirePortkeyScope(AuthorizationPolicyBuilder, string[])"/>); thrown here.
    /// </exception>
    public static AuthorizationOptions AddPortkeyScopePolicy(this AuthorizationOptions options, string name, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var requirement = new PortkeyScopeRequirement(scopes); // checked now, not at the first request
        options.AddPolicy(name, policy => policy
            .AddAuthenticationSchemes(PortkeyJwtDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .AddRequirements(requirement));
        return options;
    }

    /// <summary>
    /// Requires an authenticated caller whose Portkey token grants every one of <paramref name="scopes"/> on these
    /// endpoints (for example <c>app.MapPost(…).RequirePortkeyScope("completions.write")</c>). The caller is
    /// authenticated by the default scheme; make it <see cref="PortkeyJwtDefaults.AuthenticationScheme"/>. When another
    /// scheme is the default (JwtBearer, say), use a policy that names the PortkeyJwt scheme instead:
    /// <c>policy.AddAuthenticationSchemes(PortkeyJwtDefaults.AuthenticationScheme).RequirePortkeyScope(…)</c>.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoints.</param>
    /// <param name="scopes">The scopes required; at least one.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentException">
    /// No scope, or one that is not a scope name (printable ASCII without spaces, quotes or backslashes, not empty after a
    /// leading <c>portkey.</c>); thrown here, when the policy is built.
    /// </exception>
    public static TBuilder RequirePortkeyScope<TBuilder>(this TBuilder builder, params string[] scopes)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var requirement = new PortkeyScopeRequirement(scopes); // checked now, not at the first request
        return builder.RequireAuthorization(policy => policy.RequireAuthenticatedUser().AddRequirements(requirement));
    }
}
