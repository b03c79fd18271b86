namespace PortkeyJwt.Internal;

/// <summary>The HTTP handler JWKS are fetched with when the caller brings no <see cref="HttpClient"/> of its own.</summary>
internal static class JwksHttp
{
    /// <summary>How long a pooled connection is reused: a provider keeps one client for its lifetime, so an identity provider's DNS change reaches a long-running gateway within this time.</summary>
    public static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A handler that follows no redirects (a JWKS must not move silently), keeps no cookies, and recycles pooled
    /// connections after <see cref="PooledConnectionLifetime"/>.
    /// </summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = PooledConnectionLifetime,
    };

    /// <summary>A client over <paramref name="handler"/> (from <see cref="CreateHandler"/>) with no timeout of its own: the provider enforces its fetch timeout.</summary>
    public static HttpClient CreateClient(SocketsHttpHandler handler) => new(handler) { Timeout = Timeout.InfiniteTimeSpan };
}
