using Microsoft.Extensions.Time.Testing;

namespace PortkeyJwt.Tests.Remote;

/// <summary>
/// A provider given no HttpClient makes its own, and keeps it for its lifetime: that client must recycle pooled
/// connections (so an identity provider's DNS change reaches a long-running gateway), follow no redirects and keep no
/// cookies, as the ASP.NET Core registration's client does.
/// </summary>
public sealed class DefaultHttpClientTests
{
    private static JwksKeyProviderOptions Options => new() { JwksUrls = [new Uri("https://127.0.0.1:1/jwks.json")] };

    [Fact]
    public void ProviderWithoutAClient_OwnHandler_RecyclesConnections_FollowsNoRedirects_KeepsNoCookies()
    {
        // A fake clock that never moves: the provider's first fetch is scheduled but never runs.
        using var provider = new JwksKeyProvider(Options, timeProvider: new FakeTimeProvider());

        SocketsHttpHandler handler = Assert.IsType<SocketsHttpHandler>(provider.OwnedHandler);
        Assert.Equal(TimeSpan.FromMinutes(5), handler.PooledConnectionLifetime);
        Assert.False(handler.AllowAutoRedirect);
        Assert.False(handler.UseCookies);
    }

    [Fact]
    public void ProviderWithAClient_MakesNoHandlerOfItsOwn()
    {
        using var client = new HttpClient();
        using var provider = new JwksKeyProvider(Options, client, new FakeTimeProvider());

        Assert.Null(provider.OwnedHandler);
    }
}
