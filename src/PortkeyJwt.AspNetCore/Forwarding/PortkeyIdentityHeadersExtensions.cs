using Microsoft.Extensions.DependencyInjection;
using PortkeyJwt.AspNetCore.Forwarding;
using Yarp.ReverseProxy.Transforms.Builder;

namespace PortkeyJwt.AspNetCore;

/// <summary>
/// Forwards the authenticated caller upstream through YARP as request headers that a client cannot spoof (see
/// <see cref="PortkeyIdentityHeadersOptions"/>).
/// </summary>
public static class PortkeyIdentityHeadersExtensions
{
    /// <summary>
    /// Adds the identity-headers request transform to this route: every mapped header (by default
    /// <c>x-portkey-organisation</c>, <c>x-portkey-workspace</c>, <c>x-portkey-user</c>, <c>x-portkey-scopes</c>) is removed
    /// from the proxied request, whatever its letter case, and set only from <see cref="PortkeyHttpContextExtensions.GetPortkeyPrincipal"/>;
    /// the token's headers are removed unless <see cref="PortkeyIdentityHeadersOptions.ForwardToken"/>. For use inside
    /// <c>AddTransforms(context => context.AddPortkeyIdentityHeaders())</c>.
    /// </summary>
    /// <param name="context">The route's transform builder context.</param>
    /// <returns><paramref name="context"/>, for chaining.</returns>
    public static TransformBuilderContext AddPortkeyIdentityHeaders(this TransformBuilderContext context) => AddPortkeyIdentityHeaders(context, configure: null);

    /// <summary>
    /// Adds the identity-headers request transform to this route, with the default mapping changed by
    /// <paramref name="configure"/> (see <see cref="AddPortkeyIdentityHeaders(TransformBuilderContext)"/>).
    /// </summary>
    /// <param name="context">The route's transform builder context.</param>
    /// <param name="configure">Changes to the default mapping; null keeps it.</param>
    /// <returns><paramref name="context"/>, for chaining.</returns>
    /// <exception cref="ArgumentException">A mapping <paramref name="configure"/> makes is refused (see <see cref="PortkeyIdentityHeadersOptions.Map"/>).</exception>
    public static TransformBuilderContext AddPortkeyIdentityHeaders(this TransformBuilderContext context, Action<PortkeyIdentityHeadersOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.RequestTransforms.Add(IdentityHeadersTransform.Create(configure));
        return context;
    }

    /// <summary>
    /// Adds the identity-headers request transform (as <see cref="AddPortkeyIdentityHeaders(TransformBuilderContext)"/>),
    /// with the default mapping, to every route of this proxy.
    /// </summary>
    /// <param name="builder">The reverse proxy builder (<c>services.AddReverseProxy()</c>).</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IReverseProxyBuilder AddPortkeyIdentityHeaders(this IReverseProxyBuilder builder) => AddPortkeyIdentityHeaders(builder, configure: null);

    /// <summary>
    /// Adds the identity-headers request transform (as <see cref="AddPortkeyIdentityHeaders(TransformBuilderContext)"/>),
    /// with the default mapping changed by <paramref name="configure"/>, to every route of this proxy.
    /// <paramref name="configure"/> runs once, now: a refused mapping throws here, not at the first request.
    /// </summary>
    /// <param name="builder">The reverse proxy builder (<c>services.AddReverseProxy()</c>).</param>
    /// <param name="configure">Changes to the default mapping; null keeps it.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentException">A mapping <paramref name="configure"/> makes is refused (see <see cref="PortkeyIdentityHeadersOptions.Map"/>).</exception>
    public static IReverseProxyBuilder AddPortkeyIdentityHeaders(this IReverseProxyBuilder builder, Action<PortkeyIdentityHeadersOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IdentityHeadersTransform transform = IdentityHeadersTransform.Create(configure);
        return builder.AddTransforms(context => context.RequestTransforms.Add(transform));
    }
}
