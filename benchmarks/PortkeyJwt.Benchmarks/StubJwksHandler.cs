using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace PortkeyJwt.Benchmarks;

/// <summary>Answers every request with a fixed JWKS and counts requests and the URLs asked for, so a remote provider can be benchmarked offline.</summary>
internal sealed class StubJwksHandler(string jwks) : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, int> _urls = new(StringComparer.Ordinal);
    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>How many different URLs were fetched: one per anchor that fetched, however often each did.</summary>
    public int DistinctUrls => _urls.Count;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        _urls.AddOrUpdate(request.RequestUri?.AbsoluteUri ?? string.Empty, 1, (_, n) => n + 1);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            RequestMessage = request,
            Content = new StringContent(jwks, Encoding.UTF8, "application/jwk-set+json"),
        });
    }
}
