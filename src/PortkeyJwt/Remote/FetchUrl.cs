using System.Diagnostics.CodeAnalysis;

namespace PortkeyJwt.Internal;

/// <summary>
/// The rule every URL keys are fetched from obeys, configured (<see cref="JwksKeyProviderOptions.JwksUrls"/>,
/// <see cref="TrustAnchor.Authority"/>) or discovered (a discovery document's <c>jwks_uri</c>): absolute http(s), and
/// HTTPS unless the host is loopback or <see cref="JwksKeyProviderOptions.RequireHttps"/> is off.
/// </summary>
internal static class FetchUrl
{
    /// <summary>Whether <paramref name="url"/> is an absolute <c>http</c> or <c>https</c> URL.</summary>
    public static bool IsAbsoluteHttp([NotNullWhen(true)] Uri? url) =>
        url is not null && url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp);

    /// <summary>Whether <paramref name="url"/> (absolute http(s)) is plain HTTP to a host that is not loopback while HTTPS is required.</summary>
    public static bool IsRefusedPlainHttp(Uri url, bool requireHttps) =>
        requireHttps && url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback;
}
