using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PortkeyJwt.Internal;

namespace PortkeyJwt.Tests.Remote;

/// <summary>What the provider sends and how it reads the answer: headers, caching, redirects, limits, several sources.</summary>
public sealed class HttpBehaviourTests
{
    [Fact]
    public async Task Request_IsAGet_AcceptingExactlyJwkSetJsonAndJson_WithoutConditionalHeadersTheFirstTime()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        using JwksKeyProvider provider = Remote.Provider(server, Tokens.Clock());
        Assert.True(await provider.WarmUpAsync());

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal(JwksServer.JwksPath, request.Path);
        Assert.Equal("application/jwk-set+json, application/json", request.Accept);
        Assert.Equal(string.Empty, request.IfNoneMatch);
        Assert.Equal(string.Empty, request.IfModifiedSince);
    }

    [Theory]
    [InlineData(120, 120)] // honoured
    [InlineData(5, 60)] // raised to MinRefreshInterval (1 minute)
    [InlineData(999_999, 3000)] // lowered to MaxRefreshInterval (50 minutes here)
    [InlineData(null, 900)] // no max-age: RefreshInterval (15 minutes)
    public async Task MaxAge_SetsTheNextBackgroundRefresh_ClampedToMinAndMaxRefreshInterval(int? maxAge, int expectedSeconds)
    {
        await using JwksServer server = await JwksServer.StartAsync();
        server.Serve(TestKey.Jwks(Remote.A), maxAgeSeconds: maxAge);
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock, o =>
        {
            o.MaxRefreshInterval = TimeSpan.FromMinutes(50);
            o.UnknownKeyCooldown = TimeSpan.FromHours(1); // so that "a fetch may start" means "a fetch is in flight"
        });
        Assert.True(await provider.WarmUpAsync());

        TimeSpan expected = TimeSpan.FromSeconds(expectedSeconds);
        clock.Advance((expected * 0.95) - TimeSpan.FromMilliseconds(2));
        Remote.AssertNoFetch(provider, server, 1);

        clock.SetUtcNow(Tokens.Now + (expected * 1.05) + TimeSpan.FromMilliseconds(1));
        await server.WaitForRequestsAsync(2);
        await Remote.WaitForAttemptAsync(provider, clock);
        Assert.Equal(clock.GetUtcNow(), provider.Status.LastSuccessAt);
    }

    [Fact]
    public async Task ETag_IsSentBackAsIfNoneMatch_AndA304RenewsTheSetWithoutReimport()
    {
        await using JwksServer server = await JwksServer.StartAsync();
        server.Serve(TestKey.Jwks(Remote.A), etag: "\"v1\"");
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock, o => o.MaxStaleness = TimeSpan.FromMinutes(10));
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        KeySetSnapshot loaded = provider.Current!;
        Assert.Equal(Tokens.Now + TimeSpan.FromMinutes(10), loaded.ServeUntil);

        clock.Advance(TimeSpan.FromMinutes(8));
        Assert.True(await provider.RefreshAsync());

        Assert.Equal("\"v1\"", server.Requests[1].IfNoneMatch);
        Assert.Equal(1, server.NotModifiedCount);
        KeySetSnapshot renewed = provider.Current!;
        Assert.Same(loaded.Keys["key-a"], renewed.Keys["key-a"]);
        Assert.Equal(Tokens.Now, renewed.LoadedAt);
        Assert.Equal(Tokens.Now + TimeSpan.FromMinutes(8), provider.Status.LastSuccessAt);
        Assert.Equal(Tokens.Now + TimeSpan.FromMinutes(18), renewed.ServeUntil);
        Assert.True(provider.Status.IsHealthy);

        // Past the first deadline, the renewed set is still served while the identity provider fails.
        server.FailWith(500);
        clock.Advance(TimeSpan.FromMinutes(4));
        RuleKit.AssertValid(Remote.ValidateNow(validator, Remote.Token(Remote.A)));
    }

    [Fact]
    public async Task ETag_IsKeptAcrossA304_SoTheNextRequestSendsItAgain()
    {
        await using JwksServer server = await JwksServer.StartAsync();
        server.Serve(TestKey.Jwks(Remote.A), etag: "\"v1\"");
        using JwksKeyProvider provider = Remote.Provider(server, Tokens.Clock());
        Assert.True(await provider.WarmUpAsync());

        Assert.True(await provider.RefreshAsync());
        Assert.True(await provider.RefreshAsync());

        Assert.Equal(["", "\"v1\"", "\"v1\""], server.Requests.Select(r => r.IfNoneMatch));
        Assert.Equal(2, server.NotModifiedCount);
    }

    [Fact]
    public async Task ChangedETag_ServesTheNewSet()
    {
        await using JwksServer server = await JwksServer.StartAsync();
        server.Serve(TestKey.Jwks(Remote.A), etag: "\"v1\"");
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());

        server.Serve(TestKey.Jwks(Remote.B), etag: "\"v2\"");
        Assert.True(await provider.RefreshAsync());

        Assert.Equal(0, server.NotModifiedCount);
        RuleKit.AssertValid(Remote.ValidateNow(validator, Remote.Token(Remote.B)));
        Assert.Equal(["key-b"], provider.KeyIds);
    }

    [Fact]
    public async Task LastModified_IsSentBackAsIfModifiedSince()
    {
        var modified = new DateTimeOffset(2026, 5, 31, 8, 30, 0, TimeSpan.Zero);
        await using JwksServer server = await JwksServer.StartAsync();
        server.Serve(TestKey.Jwks(Remote.A), lastModified: modified);
        using JwksKeyProvider provider = Remote.Provider(server, Tokens.Clock());
        Assert.True(await provider.WarmUpAsync());

        Assert.True(await provider.RefreshAsync());

        Assert.Equal(string.Empty, server.Requests[0].IfModifiedSince);
        Assert.Equal(modified.ToString("R", CultureInfo.InvariantCulture), server.Requests[1].IfModifiedSince);
    }

    [Fact]
    public async Task Redirect302_IsRefused_AndItsLocationIsNeverRequested()
    {
        await using JwksServer server = await JwksServer.StartAsync();
        server.RedirectTo(server.SecondUrl);
        server.Serve(TestKey.Jwks(Remote.A), JwksServer.SecondPath);
        using JwksKeyProvider provider = Remote.Provider(server, Tokens.Clock());

        Assert.False(await provider.WarmUpAsync());

        Assert.Contains("redirect", provider.Status.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, server.RequestsTo(JwksServer.SecondPath));
        Assert.Equal(0, provider.KeyCount);
    }

    [Fact]
    public async Task Redirect_FollowedByTheCallersHttpClient_IsDetected_AndItsSetNotLoaded()
    {
        await using JwksServer server = await JwksServer.StartAsync();
        server.RedirectTo(server.SecondUrl);
        server.Serve(TestKey.Jwks(Remote.A), JwksServer.SecondPath);
        using var followingClient = new HttpClient(); // AllowAutoRedirect is on by default
        using var provider = new JwksKeyProvider(new JwksKeyProviderOptions { JwksUrls = [server.Url] }, followingClient, Tokens.Clock(), NullLogger.Instance);

        Assert.False(await provider.WarmUpAsync());

        Assert.Contains("redirect", provider.Status.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, provider.KeyCount);
    }

    [Theory]
    [InlineData("http://example.com/jwks.json")]
    [InlineData("http://10.0.0.5/jwks.json")]
    [InlineData("http://idp.internal:8080/jwks.json")]
    public void PlainHttp_ToANonLoopbackHost_IsRefusedAtConstruction(string url)
    {
        using var handler = new OfflineHandler();
        using var client = new HttpClient(handler);

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(
            () => new JwksKeyProvider(new JwksKeyProviderOptions { JwksUrls = [new Uri(url)] }, client, Tokens.Clock()));

        Assert.Equal(nameof(JwksKeyProviderOptions.JwksUrls), error.ParamName);
        Assert.Empty(handler.Requested);
    }

    [Theory]
    [InlineData("http://example.com/jwks.json", false)]
    [InlineData("http://127.0.0.1:8080/jwks.json", true)]
    [InlineData("http://localhost:8080/jwks.json", true)]
    [InlineData("http://[::1]:8080/jwks.json", true)]
    [InlineData("https://example.com/jwks.json", true)]
    public async Task Url_AllowedByTheHttpsPolicy_IsFetched(string url, bool requireHttps)
    {
        using var handler = new OfflineHandler();
        using var client = new HttpClient(handler);
        using var provider = new JwksKeyProvider(new JwksKeyProviderOptions { JwksUrls = [new Uri(url)], RequireHttps = requireHttps }, client, Tokens.Clock());

        Assert.False(await provider.WarmUpAsync());

        Assert.Equal(new Uri(url), handler.Requested[0]);
        Assert.Contains("HTTP 503", provider.Status.LastError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Response_OfExactlyMaxResponseBytes_Loads(bool declareLength)
    {
        await using JwksServer server = await JwksServer.StartAsync();
        server.Serve(Remote.PadTo(TestKey.Jwks(Remote.A), 1024 * 1024), declareLength: declareLength);
        using JwksKeyProvider provider = Remote.Provider(server, Tokens.Clock());

        Assert.True(await provider.WarmUpAsync(), provider.Status.LastError);
        Assert.Equal(1, provider.KeyCount);
    }

    [Theory]
    [InlineData(true, "declares 1048577 bytes, more than the limit of 1048576")]
    [InlineData(false, "larger than the limit of 1048576 bytes")]
    public async Task Response_OneByteOverMaxResponseBytes_FailsTheFetch(bool declareLength, string error)
    {
        await using JwksServer server = await JwksServer.StartAsync();
        server.Serve(Remote.PadTo(TestKey.Jwks(Remote.A), (1024 * 1024) + 1), declareLength: declareLength);
        using JwksKeyProvider provider = Remote.Provider(server, Tokens.Clock());

        Assert.False(await provider.WarmUpAsync());
        Assert.Contains(error, provider.Status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_OverASmallerConfiguredMaxResponseBytes_FailsTheFetch()
    {
        await using JwksServer server = await JwksServer.StartAsync();
        server.Serve(Remote.PadTo(TestKey.Jwks(Remote.A), 1025));
        using JwksKeyProvider provider = Remote.Provider(server, Tokens.Clock(), o => o.MaxResponseBytes = 1024);

        Assert.False(await provider.WarmUpAsync());
        Assert.Contains("more than the limit of 1024", provider.Status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeySet_OfMaxKeys_Loads_ButOneMoreFailsTheFetch()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A, Remote.B));
        using JwksKeyProvider provider = Remote.Provider(server, Tokens.Clock(), o => o.MaxKeys = 2);
        Assert.True(await provider.WarmUpAsync());
        Assert.Equal(2, provider.KeyCount);

        server.Serve(TestKey.Jwks(Remote.A, Remote.B, Remote.C));
        Assert.False(await provider.RefreshAsync());

        Assert.Contains("holds 3 keys, more than the limit of 2", provider.Status.LastError, StringComparison.Ordinal);
        Assert.Equal(2, provider.KeyCount); // the last good set stays
    }

    [Fact]
    public async Task TwoUrls_AreMerged_AndAKidBothServeWithDifferentMaterialIsDropped()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A, Remote.C));
        server.Serve(TestKey.Jwks(Remote.B, Remote.OtherC), JwksServer.SecondPath);
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock, o => o.JwksUrls = [server.Url, server.SecondUrl]);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);

        Assert.True(await provider.WarmUpAsync());

        RuleKit.AssertValid(Remote.ValidateNow(validator, Remote.Token(Remote.A)));
        RuleKit.AssertValid(Remote.ValidateNow(validator, Remote.Token(Remote.B)));
        RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, Remote.ValidateNow(validator, Remote.Token(Remote.C)));
        RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, Remote.ValidateNow(validator, Remote.Token(Remote.OtherC)));
        Assert.Equal(["key-a", "key-b"], provider.KeyIds.Order(StringComparer.Ordinal));
        Assert.Equal(1, server.RequestsTo(JwksServer.JwksPath));
        Assert.Equal(1, server.RequestsTo(JwksServer.SecondPath));
        Assert.True(provider.Status.IsHealthy);
    }

    [Fact]
    public async Task TwoUrls_ServingTheSameKey_KeepItOnce()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        server.Serve(TestKey.Jwks(Remote.A, Remote.B), JwksServer.SecondPath);
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock, o => o.JwksUrls = [server.Url, server.SecondUrl]);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);

        Assert.True(await provider.WarmUpAsync());

        Assert.Equal(2, provider.KeyCount);
        RuleKit.AssertValid(Remote.ValidateNow(validator, Remote.Token(Remote.A)));
    }

    [Fact]
    public async Task TwoUrls_OneFailing_StillServesTheOther_AndReportsTheFailingOne()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        server.FailWith(500, JwksServer.SecondPath);
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock, o => o.JwksUrls = [server.Url, server.SecondUrl]);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);

        Assert.True(await provider.WarmUpAsync(), "One source is enough to serve keys.");

        RuleKit.AssertValid(Remote.ValidateNow(validator, Remote.Token(Remote.A)));
        JwksKeyProviderStatus status = provider.Status;
        Assert.True(status.IsAvailable);
        Assert.False(status.IsHealthy);
        Assert.StartsWith(server.SecondUrl + ": HTTP 500", status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpClientThrowingAnUnexpectedException_FailsOnlyThatFetch_AndTheNextOneSucceeds()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        var handler = new ThrowingWhileOpen();
        using var client = new HttpClient(handler);
        FakeTimeProvider clock = Tokens.Clock();
        using var provider = new JwksKeyProvider(new JwksKeyProviderOptions { JwksUrls = [server.Url] }, client, clock, NullLogger.Instance);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);

        Assert.False(await provider.WarmUpAsync());
        Assert.Contains("circuit is open", provider.Status.LastError, StringComparison.Ordinal);
        Assert.Equal(0, server.RequestCount);

        handler.Open = false; // the fetches above completed: had one stayed "in flight", this refresh would join it and fail
        Assert.True(await provider.RefreshAsync());
        RuleKit.AssertValid(Remote.ValidateNow(validator, Remote.Token(Remote.A)));
        Assert.Equal(1, server.RequestCount);
    }

    /// <summary>
    /// A caller's handler (a resilience pipeline, say) that throws something other than HttpRequestException while its
    /// circuit is open. A switch, not a call count: the constructor's background fetch and WarmUpAsync may be one fetch
    /// or two, depending on whether the first one finished before WarmUpAsync looked.
    /// </summary>
    private sealed class ThrowingWhileOpen() : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        private volatile bool _open = true;

        public bool Open { get => _open; set => _open = value; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            _open
                ? throw new InvalidOperationException("The circuit is open.")
                : base.SendAsync(request, cancellationToken);
    }
}
