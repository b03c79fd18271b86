using System.Net;
using System.Text;

namespace PortkeyJwt.TestKit.Internal;

/// <summary>
/// The identity provider's JWKS endpoint without a network: answers a GET of <see cref="Url"/> with the document
/// <c>jwks</c> returns at that moment (200, <c>application/json</c>, no caching headers); anything else is 404.
/// </summary>
internal sealed class InMemoryJwksHandler(Func<string> jwks) : HttpMessageHandler
{
    /// <summary>Where validators built by the kit fetch the keys; only ever resolved by this handler.</summary>
    public static readonly Uri Url = new("https://idp.test/.well-known/jwks.json");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var response = new HttpResponseMessage(request.Method == HttpMethod.Get && request.RequestUri == Url ? HttpStatusCode.OK : HttpStatusCode.NotFound)
        {
            RequestMessage = request,
        };
        if (response.StatusCode == HttpStatusCode.OK)
        {
            response.Content = new StringContent(jwks(), Encoding.UTF8, "application/json");
        }

        return Task.FromResult(response);
    }
}
