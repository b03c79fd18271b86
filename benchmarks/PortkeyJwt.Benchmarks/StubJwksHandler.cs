using System.Net;
using System.Text;

namespace PortkeyJwt.Benchmarks;

/// <summary>Answers every request with a fixed JWKS and counts requests, so a remote provider can be benchmarked offline.</summary>
internal sealed class StubJwksHandler(string jwks) : HttpMessageHandler
{
    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            RequestMessage = request,
            Content = new StringContent(jwks, Encoding.UTF8, "application/jwk-set+json"),
        });
    }
}
