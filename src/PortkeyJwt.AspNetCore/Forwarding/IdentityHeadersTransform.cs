using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using PortkeyJwt.AspNetCore.Internal;
using Yarp.ReverseProxy.Transforms;

namespace PortkeyJwt.AspNetCore.Forwarding;

/// <summary>
/// The request transform: removes every client copy of the mapped headers (and, unless told to keep it, the token), then
/// sets the mapped headers from the request's <see cref="PortkeyPrincipal"/>. Stateless; one instance serves every route.
/// </summary>
/// <remarks>
/// YARP has copied the client's headers onto <see cref="RequestTransformContext.ProxyRequest"/> before transforms run.
/// Mapped names are never content headers (the options refuse them), and neither are the token's headers, so every copy
/// sits in <see cref="HttpRequestMessage.Headers"/>, whose names compare without letter case: one
/// <see cref="HttpHeaders.Remove(string)"/> takes all of them, however the client spelled the name.
/// </remarks>
internal sealed class IdentityHeadersTransform : RequestTransform
{
    private readonly IdentityHeaderMapping[] _mappings;
    private readonly bool _forwardToken;

    private IdentityHeadersTransform(IdentityHeaderMapping[] mappings, bool forwardToken)
    {
        _mappings = mappings;
        _forwardToken = forwardToken;
    }

    /// <summary>A transform from the default options with <paramref name="configure"/> applied; a bad header name throws here.</summary>
    public static IdentityHeadersTransform Create(Action<PortkeyIdentityHeadersOptions>? configure)
    {
        var options = new PortkeyIdentityHeadersOptions();
        configure?.Invoke(options);
        return new IdentityHeadersTransform(options.Mappings(), options.ForwardToken);
    }

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        HttpRequestHeaders proxied = context.ProxyRequest.Headers;

        // First, principal or not: nothing the client sent under a mapped name travels on.
        foreach (IdentityHeaderMapping mapping in _mappings)
        {
            proxied.Remove(mapping.HeaderName);
        }

        if (!_forwardToken)
        {
            IHeaderDictionary received = context.HttpContext.Request.Headers;
            if (TokenHeaders.ReadsAuthorization(received))
            {
                proxied.Remove(Microsoft.Net.Http.Headers.HeaderNames.Authorization);
            }

            proxied.Remove(PortkeyJwtDefaults.ApiKeyHeaderName);
        }

        PortkeyPrincipal? principal = context.HttpContext.GetPortkeyPrincipal();
        if (principal is null)
        {
            return default;
        }

        foreach (IdentityHeaderMapping mapping in _mappings)
        {
            string? value = mapping.Read(principal);
            if (value is not null)
            {
                proxied.TryAddWithoutValidation(mapping.HeaderName, value);
            }
        }

        return default;
    }
}
