using System.Net.Http.Headers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PortkeyJwt.Internal;
using static PortkeyJwt.Tests.Support.RuleKit;
using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Trust;

/// <summary>
/// Trust rule 5: an anchor's <see cref="TrustAnchor.Authority"/> names its keys through its OIDC discovery document, whose
/// <c>issuer</c> must be the anchor's exactly and whose <c>jwks_uri</c> must be HTTPS; the document is fetched with the
/// JWKS fetch's hardening, and the JWKS behind it behaves like a configured one. Each spec runs a real loopback server
/// playing the identity provider (document and JWKS) and counts what it was asked.
/// </summary>
public sealed class DiscoveryTests
{
    private const string DocumentPath = "/.well-known/openid-configuration";

    /// <summary>Tokens of these specs expire in 30 days, so the clock can move by hours.</summary>
    private static readonly (string, JsonNode?) LongLived = ("exp", JsonValue.Create(Tokens.NowSeconds + 2_592_000));

    public static TheoryData<string, string?> ForeignIssuers => new()
    {
        { "another provider's issuer", IssuerB },
        { "a trailing slash", IssuerA + "/" },
        { "another case", IssuerA.ToUpperInvariant() },
        { "a trailing space", IssuerA + " " },
        { "a path below it", IssuerA + "/tenant" },
        { "a prefix of it", IssuerA[..^1] },
        { "empty", "" },
        { "absent", null },
    };

    public static TheoryData<string, string> BadDocuments => new()
    {
        { "not JSON", "<html>login</html>" },
        { "a JSON array", "[]" },
        { "truncated", """{"issuer":"https://idp-a.example","jwks_uri":""" },
        { "an issuer that is a number", """{"issuer":5,"jwks_uri":"http://127.0.0.1/jwks.json"}""" },
        { "a jwks_uri that is an object", """{"issuer":"https://idp-a.example","jwks_uri":{"href":"http://127.0.0.1/jwks.json"}}""" },
        { "nested 64 levels deep", """{"issuer":"https://idp-a.example","x":""" + new string('[', 64) + new string(']', 64) + "}" },
        { "empty", "" },
        { "issuer twice, the anchor's last", """{"issuer":"https://idp-b.example","issuer":"https://idp-a.example","jwks_uri":"http://127.0.0.1/jwks.json"}""" },
        { "issuer twice, once escaped", """{"issuer":"https://idp-a.example","\u0069ssuer":"https://idp-b.example","jwks_uri":"http://127.0.0.1/jwks.json"}""" },
        { "jwks_uri twice", """{"issuer":"https://idp-a.example","jwks_uri":"http://127.0.0.1/a.json","jwks_uri":"http://127.0.0.1/jwks.json"}""" },
    };

    // ------------------------------------------------------------------ the happy path, laziness, the document's URL

    [Fact]
    public async Task Build_WithAuthority_FetchesNothing_AndTheFirstTokenFetchesTheDocumentThenTheJwks()
    {
        await using JwksServer idp = await IdentityProviderAsync(IssuerA, KeyA);
        using TrustAnchorSet trust = Set(anchors: [Discovered(IssuerA, idp, "org-a")]);
        Assert.Equal(0, idp.RequestCount);

        AssertValid(await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a")));

        Assert.Equal([DocumentPath, JwksServer.JwksPath], idp.Requests.Select(r => r.Path));
        Assert.Equal("application/json", idp.Requests[0].Accept);
    }

    [Theory]
    [InlineData("", DocumentPath)]
    [InlineData("/", DocumentPath)]
    [InlineData("/tenant/v2.0", "/tenant/v2.0" + DocumentPath)]
    [InlineData("/tenant/v2.0/", "/tenant/v2.0" + DocumentPath)]
    public async Task Authority_WithAPathOrOneTrailingSlash_FetchesTheDocumentUnderThatPath(string authorityPath, string documentPath)
    {
        await using JwksServer idp = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        idp.Serve(Document(IssuerA, idp.Url), documentPath);
        TrustAnchor anchor = Discovered(IssuerA, idp, "org-a");
        anchor.Authority = new Uri(Root(idp).ToString().TrimEnd('/') + authorityPath);
        using TrustAnchorSet trust = Set(anchors: [anchor]);

        AssertValid(await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a")));

        Assert.Equal([documentPath, JwksServer.JwksPath], idp.Requests.Select(r => r.Path));
    }

    [Theory]
    [InlineData("https://login.example/tenant/v2.0", "https://login.example/tenant/v2.0/.well-known/openid-configuration")]
    [InlineData("https://login.example/tenant/v2.0/", "https://login.example/tenant/v2.0/.well-known/openid-configuration")]
    [InlineData("https://login.example", "https://login.example/.well-known/openid-configuration")]
    [InlineData("https://login.example:8443/", "https://login.example:8443/.well-known/openid-configuration")]
    public void DocumentUrl_OfAnAuthority_IsItsPathFollowedByTheWellKnownPath(string authority, string expected) =>
        Assert.Equal(new Uri(expected), DiscoveryDocument.DocumentUrlOf(new Uri(authority)));

    [Fact]
    public async Task ConcurrentFirstTokens_ForADiscoveredAnchor_ShareOneDocumentFetchAndOneJwksFetch()
    {
        await using JwksServer idp = await IdentityProviderAsync(IssuerA, KeyA);
        using TrustAnchorSet trust = Set(anchors: [Discovered(IssuerA, idp, "org-a")]);
        TaskCompletionSource hold = idp.Hold(DocumentPath);
        string[] tokens = [.. Enumerable.Range(0, 8).Select(i => Token(KeyA, IssuerA, "org-a", ("sub", $"user-{i}")))];
        var validations = new Task<PortkeyJwtResult>[200];

        Parallel.For(0, validations.Length, i => validations[i] = trust.Validator.ValidateAsync(tokens[i % tokens.Length]).AsTask());
        await idp.WaitForRequestsAsync(1, DocumentPath);
        hold.SetResult();
        PortkeyJwtResult[] results = await Task.WhenAll(validations);

        Assert.All(results, r => Assert.True(r.IsValid, r.ToString()));
        Assert.Equal((1, 1), (idp.RequestsTo(DocumentPath), idp.RequestsTo(JwksServer.JwksPath)));
    }

    // ------------------------------------------------------------------ issuer equality

    [Theory]
    [MemberData(nameof(ForeignIssuers))]
    public async Task Document_WhoseIssuerIsNotTheAnchorsExactly_LeavesTheAnchorWithoutKeys_AndTheJwksIsNeverFetched(string attack, string? documentIssuer)
    {
        _ = attack;
        await using JwksServer idp = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        idp.Serve(Document(documentIssuer, idp.Url), DocumentPath);
        using TrustAnchorSet trust = Set(anchors: [Discovered(IssuerA, idp, "org-a")]);

        AssertRejected(PortkeyJwtError.KeysUnavailable, await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a")));

        Assert.Equal((1, 0), (idp.RequestsTo(DocumentPath), idp.RequestsTo(JwksServer.JwksPath)));
        string error = trust.KeysOf(IssuerA)!.Status.LastError!;
        if (string.IsNullOrEmpty(documentIssuer))
        {
            Assert.Contains("invalid discovery document: it has no issuer", error, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("issuer mismatch", error, StringComparison.Ordinal);
            Assert.Contains($"'{documentIssuer}'", error, StringComparison.Ordinal);
            Assert.Contains($"'{IssuerA}'", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Document_WithAForeignIssuer_IsRetried_ButItsJwksIsNeverFetched()
    {
        await using JwksServer idp = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        idp.Serve(Document(IssuerB, idp.Url), DocumentPath);
        FakeTimeProvider clock = Tokens.Clock();
        using TrustAnchorSet trust = Set(clock, anchors: [Discovered(IssuerA, idp, "org-a")]);
        AssertRejected(PortkeyJwtError.KeysUnavailable, await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a")));
        JwksKeyProvider keys = trust.KeysOf(IssuerA)!;

        for (int retry = 2; retry <= 4; retry++)
        {
            clock.Advance(TimeSpan.FromMinutes(1)); // past each backoff delay (1 s, 2 s, 4 s)
            await idp.WaitForRequestsAsync(retry, DocumentPath);
            await Remote.Remote.WaitForAttemptAsync(keys, clock);
        }

        Assert.Equal(0, idp.RequestsTo(JwksServer.JwksPath));
        Assert.False(keys.Status.IsAvailable);
        Assert.Equal(4, keys.Status.ConsecutiveFailures);
    }

    [Fact]
    public async Task Document_WithAnEscapedButEqualIssuer_IsAccepted()
    {
        // JSON escapes are not a difference: "https:\/\/idp-a.example" is the string https://idp-a.example.
        await using JwksServer idp = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        idp.Serve($$"""{"issuer":"https:\/\/idp-a.example","jwks_uri":"{{idp.Url}}"}""", DocumentPath);
        using TrustAnchorSet trust = Set(anchors: [Discovered(IssuerA, idp, "org-a")]);

        AssertValid(await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a")));
    }

    // ------------------------------------------------------------------ jwks_uri

    [Theory]
    [InlineData("absent", null, "it has no jwks_uri")]
    [InlineData("empty", "", "it has no jwks_uri")]
    [InlineData("relative", "/jwks.json", "is not an absolute http(s) URL")]
    [InlineData("not http", "ftp://127.0.0.1/jwks.json", "is not an absolute http(s) URL")]
    [InlineData("a file", "file:///etc/jwks.json", "is not an absolute http(s) URL")]
    [InlineData("plain HTTP to a remote host", "http://idp-a.example/jwks.json", "must use HTTPS")]
    public async Task Document_WithAnUnusableJwksUri_LeavesTheAnchorWithoutKeys(string attack, string? jwksUri, string reason)
    {
        _ = attack;
        await using JwksServer idp = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        idp.Serve(Document(IssuerA, jwksUri), DocumentPath);
        using TrustAnchorSet trust = Set(anchors: [Discovered(IssuerA, idp, "org-a")]);

        AssertRejected(PortkeyJwtError.KeysUnavailable, await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a")));

        Assert.Equal(1, idp.RequestCount); // the document only
        string error = trust.KeysOf(IssuerA)!.Status.LastError!;
        Assert.Contains("invalid discovery document", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://idp-a.example/jwks.json", true, "must use HTTPS")]
    [InlineData("http://idp-a.example/jwks.json", false, null)]
    [InlineData("http://127.0.0.1:8080/jwks.json", true, null)]
    [InlineData("http://localhost/jwks.json", true, null)]
    [InlineData("https://idp-a.example/jwks.json", true, null)]
    public void JwksUri_PlainHttp_IsAllowedOnlyToLoopback_OrWithoutRequireHttps(string jwksUri, bool requireHttps, string? reason)
    {
        DiscoveryFailure? failure = DiscoveryDocument.Read(Utf8(Document(IssuerA, jwksUri)), IssuerA, requireHttps, out Uri? found);

        if (reason is null)
        {
            Assert.Null(failure);
            Assert.Equal(new Uri(jwksUri), found);
        }
        else
        {
            Assert.Contains(reason, failure!.Error, StringComparison.Ordinal);
            Assert.Null(found);
        }
    }

    // ------------------------------------------------------------------ documents that are not documents

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public async Task Document_ThatIsNotAnOpenIdConfiguration_IsAFailureValue_AndTheJwksIsNeverFetched(string attack, string body)
    {
        _ = attack;
        Assert.Contains("invalid discovery document: ", DiscoveryDocument.Read(Utf8(body), IssuerA, true, out _)!.Error, StringComparison.Ordinal);
        await using JwksServer idp = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        idp.Serve(body, DocumentPath);
        using TrustAnchorSet trust = Set(anchors: [Discovered(IssuerA, idp, "org-a")]);

        AssertRejected(PortkeyJwtError.KeysUnavailable, await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a")));

        Assert.Equal((1, 0), (idp.RequestsTo(DocumentPath), idp.RequestsTo(JwksServer.JwksPath)));
        Assert.Contains("invalid discovery document: ", trust.KeysOf(IssuerA)!.Status.LastError, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ the hardened fetch: redirects, size, timeout

    [Theory]
    [InlineData(false)] // the provider's own client: the 302 itself is refused
    [InlineData(true)] // a caller's client that follows redirects: the followed redirect is detected and refused
    public async Task Document_Redirected_IsRefused_EvenToAValidDocument(bool clientFollowsRedirects)
    {
        await using JwksServer idp = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        const string movedPath = "/moved" + DocumentPath;
        idp.Serve(Document(IssuerA, idp.Url), movedPath);
        idp.RedirectTo(new Uri(Root(idp), movedPath), DocumentPath);
        using var handler = new SocketsHttpHandler { AllowAutoRedirect = true };
        using var following = new HttpClient(handler);
        using var trust = new TrustAnchorSet(
            [Discovered(IssuerA, idp, "org-a")], Options(), new JwksKeyProviderOptions(), clientFollowsRedirects ? following : null, Tokens.Clock(), NullLogger.Instance);

        AssertRejected(PortkeyJwtError.KeysUnavailable, await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a")));

        Assert.Equal((clientFollowsRedirects ? 1 : 0, 0), (idp.RequestsTo(movedPath), idp.RequestsTo(JwksServer.JwksPath)));
        Assert.Contains("discovery document: ", trust.KeysOf(IssuerA)!.Status.LastError, StringComparison.Ordinal);
        Assert.Contains("redirect", trust.KeysOf(IssuerA)!.Status.LastError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "declares 1048577 bytes, more than the limit of 1048576")]
    [InlineData(false, "larger than the limit of 1048576 bytes")]
    public async Task Document_LargerThanMaxResponseBytes_IsRefused(bool declareLength, string reason)
    {
        await using JwksServer idp = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        idp.ServeBytes((1024 * 1024) + 1, declareLength, DocumentPath);
        using TrustAnchorSet trust = Set(anchors: [Discovered(IssuerA, idp, "org-a")]);

        AssertRejected(PortkeyJwtError.KeysUnavailable, await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a")));

        Assert.Equal(0, idp.RequestsTo(JwksServer.JwksPath));
        Assert.Contains(reason, trust.KeysOf(IssuerA)!.Status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Document_ExactlyMaxResponseBytes_IsRead()
    {
        await using JwksServer idp = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        idp.Serve(Remote.Remote.PadTo(Document(IssuerA, idp.Url), 1024 * 1024), DocumentPath);
        using TrustAnchorSet trust = Set(anchors: [Discovered(IssuerA, idp, "org-a")]);

        AssertValid(await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a")));
    }

    [Fact]
    public async Task Document_ThatNeverAnswers_FailsAfterFetchTimeout_AndTheJwksIsNeverFetched()
    {
        await using JwksServer idp = await IdentityProviderAsync(IssuerA, KeyA);
        FakeTimeProvider clock = Tokens.Clock();
        using TrustAnchorSet trust = Set(clock, anchors: [Discovered(IssuerA, idp, "org-a")]);
        _ = idp.Hold(DocumentPath); // released when the server is disposed

        Task<PortkeyJwtResult> validation = trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a")).AsTask();
        await idp.WaitForRequestsAsync(1, DocumentPath);
        Assert.False(validation.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(5)); // FetchTimeout

        AssertRejected(PortkeyJwtError.KeysUnavailable, await validation.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, idp.RequestsTo(JwksServer.JwksPath));
        Assert.Contains("discovery document: no complete response within 5 s", trust.KeysOf(IssuerA)!.Status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Document_FailingFirst_IsRetriedWithBackoff_ThenTheKeysLoad()
    {
        await using JwksServer idp = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        idp.FailWith(503, DocumentPath);
        FakeTimeProvider clock = Tokens.Clock();
        using TrustAnchorSet trust = Set(clock, anchors: [Discovered(IssuerA, idp, "org-a")]);
        AssertRejected(PortkeyJwtError.KeysUnavailable, await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a", LongLived)));
        JwksKeyProvider keys = trust.KeysOf(IssuerA)!;
        Assert.Contains("discovery document: HTTP 503", keys.Status.LastError, StringComparison.Ordinal);

        idp.Serve(Document(IssuerA, idp.Url), DocumentPath);
        clock.Advance(TimeSpan.FromSeconds(2)); // past the first retry delay (1 s, jittered)
        await idp.WaitForRequestsAsync(1, JwksServer.JwksPath);
        await Remote.Remote.WaitForAttemptAsync(keys, clock);

        Assert.True(keys.Status.IsHealthy);
        AssertValid(await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a", LongLived)));
        Assert.Equal((2, 1), (idp.RequestsTo(DocumentPath), idp.RequestsTo(JwksServer.JwksPath)));
    }

    // ------------------------------------------------------------------ the JWKS behind jwks_uri, and the document's refresh

    [Fact]
    public async Task Jwks_IsRefreshedInTheBackground_WithoutRefetchingTheDocument_UntilDiscoveryRefreshInterval()
    {
        await using JwksServer idp = await IdentityProviderAsync(IssuerA, KeyA);
        FakeTimeProvider clock = Tokens.Clock();
        using TrustAnchorSet trust = SetWith(clock, Fetch(o => { o.DiscoveryRefreshInterval = TimeSpan.FromHours(1); o.AnchorIdleTimeout = TimeSpan.FromDays(1); }), Discovered(IssuerA, idp, "org-a"));
        AssertValid(await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a", LongLived)));
        JwksKeyProvider keys = trust.KeysOf(IssuerA)!;

        clock.Advance(TimeSpan.FromMinutes(15.75) + TimeSpan.FromMilliseconds(1)); // past the 15 min refresh, jittered
        await idp.WaitForRequestsAsync(2, JwksServer.JwksPath);
        await Remote.Remote.WaitForAttemptAsync(keys, clock);
        Assert.Equal((1, 2), (idp.RequestsTo(DocumentPath), idp.RequestsTo(JwksServer.JwksPath)));

        clock.Advance(TimeSpan.FromHours(1)); // the document is now over an hour old: the next JWKS fetch refetches it first
        await idp.WaitForRequestsAsync(3, JwksServer.JwksPath);
        await Remote.Remote.WaitForAttemptAsync(keys, clock);
        Assert.Equal((2, 3), (idp.RequestsTo(DocumentPath), idp.RequestsTo(JwksServer.JwksPath)));
        Assert.Equal([DocumentPath, JwksServer.JwksPath, JwksServer.JwksPath, DocumentPath, JwksServer.JwksPath], idp.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task UnknownKid_AfterTheCooldown_RefetchesTheJwks_NotTheFreshDocument()
    {
        await using JwksServer idp = await IdentityProviderAsync(IssuerA, KeyA);
        FakeTimeProvider clock = Tokens.Clock();
        using TrustAnchorSet trust = Set(clock, anchors: [Discovered(IssuerA, idp, "org-a")]);
        AssertValid(await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a", LongLived)));

        idp.Serve(TestKey.Jwks(KeyA, KeyB)); // the provider rotates in key B
        AssertRejected(PortkeyJwtError.UnknownKey, await trust.Validator.ValidateAsync(Token(KeyB, IssuerA, "org-a", LongLived))); // within the cooldown
        clock.Advance(TimeSpan.FromSeconds(30));
        AssertValid(await trust.Validator.ValidateAsync(Token(KeyB, IssuerA, "org-a", LongLived, ("sub", "after-cooldown"))));

        Assert.Equal((1, 2), (idp.RequestsTo(DocumentPath), idp.RequestsTo(JwksServer.JwksPath)));
    }

    [Fact]
    public async Task Jwks_FromADiscoveredUri_IsRevalidatedWithItsETag()
    {
        await using JwksServer idp = await JwksServer.StartAsync();
        idp.Serve(Document(IssuerA, idp.Url), DocumentPath);
        idp.Serve(TestKey.Jwks(KeyA), etag: "\"v1\"");
        FakeTimeProvider clock = Tokens.Clock();
        using TrustAnchorSet trust = Set(clock, anchors: [Discovered(IssuerA, idp, "org-a")]);
        AssertValid(await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a", LongLived)));
        JwksKeyProvider keys = trust.KeysOf(IssuerA)!;

        Assert.True(await keys.RefreshAsync());

        Assert.Equal("\"v1\"", idp.Requests[^1].IfNoneMatch);
        Assert.Equal(1, idp.NotModifiedCount);
    }

    [Fact]
    public async Task JwksUri_Changed_DropsTheOldUrlsETag_AndLoadsTheNewSet()
    {
        // Both URLs answer 304 to If-None-Match "v1": a validator carried over from the old URL would keep the old keys.
        await using JwksServer idp = await JwksServer.StartAsync();
        idp.Serve(Document(IssuerA, idp.Url), DocumentPath);
        idp.Serve(TestKey.Jwks(KeyA), etag: "\"v1\"");
        idp.Serve(TestKey.Jwks(KeyB), JwksServer.SecondPath, etag: "\"v1\"");
        FakeTimeProvider clock = Tokens.Clock();
        using TrustAnchorSet trust = SetWith(clock, Fetch(o => o.DiscoveryRefreshInterval = TimeSpan.FromMinutes(1)), Discovered(IssuerA, idp, "org-a"));
        AssertValid(await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a", LongLived)));
        JwksKeyProvider keys = trust.KeysOf(IssuerA)!;

        idp.Serve(Document(IssuerA, idp.SecondUrl), DocumentPath);
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await keys.RefreshAsync());

        RecordedRequest fromSecond = Assert.Single(idp.Requests, r => r.Path == JwksServer.SecondPath);
        Assert.Equal(string.Empty, fromSecond.IfNoneMatch);
        Assert.Equal(0, idp.NotModifiedCount);
        AssertValid(await trust.Validator.ValidateAsync(Token(KeyB, IssuerA, "org-a", LongLived)));
        AssertRejected(PortkeyJwtError.UnknownKey, await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a", LongLived, ("sub", "old-key"))));
    }

    [Theory]
    [InlineData("an HTTP error")]
    [InlineData("a foreign issuer")]
    [InlineData("an unusable jwks_uri")]
    public async Task DocumentRefresh_Failing_KeepsTheLastGoodDocument_AndTheJwksKeepsRefreshing(string failure)
    {
        await using JwksServer idp = await IdentityProviderAsync(IssuerA, KeyA);
        FakeTimeProvider clock = Tokens.Clock();
        using TrustAnchorSet trust = SetWith(clock, Fetch(o => o.DiscoveryRefreshInterval = TimeSpan.FromMinutes(1)), Discovered(IssuerA, idp, "org-a"));
        AssertValid(await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a", LongLived)));
        JwksKeyProvider keys = trust.KeysOf(IssuerA)!;
        switch (failure)
        {
            case "an HTTP error": idp.FailWith(503, DocumentPath); break;
            case "a foreign issuer": idp.Serve(Document(IssuerB, idp.SecondUrl), DocumentPath); break;
            case "an unusable jwks_uri": idp.Serve(Document(IssuerA, "http://idp-a.example/jwks.json"), DocumentPath); break;
        }

        idp.Serve(TestKey.Jwks(KeyB)); // the provider rotates, at the last good jwks_uri
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await keys.RefreshAsync());

        Assert.Equal((2, 2, 0), (idp.RequestsTo(DocumentPath), idp.RequestsTo(JwksServer.JwksPath), idp.RequestsTo(JwksServer.SecondPath)));
        Assert.True(keys.Status.IsHealthy, keys.Status.LastError);
        AssertValid(await trust.Validator.ValidateAsync(Token(KeyB, IssuerA, "org-a", LongLived)));
    }

    // ------------------------------------------------------------------ isolation between anchors

    [Theory]
    [InlineData("B's own kid", PortkeyJwtError.UnknownKey)]
    [InlineData("a kid A also publishes", PortkeyJwtError.InvalidSignature)]
    public async Task TokenSignedByB_WithIssuerA_IsRejected_WhenAIsDiscovered(string attack, PortkeyJwtError expected)
    {
        bool sharedKid = attack == "a kid A also publishes";
        TestKey keyOfA = sharedKid ? SharedKidA : KeyA;
        TestKey keyOfB = sharedKid ? SharedKidB : KeyB;
        await using JwksServer idpA = await IdentityProviderAsync(IssuerA, keyOfA);
        await using JwksServer idpB = await JwksServer.StartAsync(TestKey.Jwks(keyOfB));
        using TrustAnchorSet trust = Set(anchors: [Discovered(IssuerA, idpA, "*"), RemoteAnchor(IssuerB, idpB, "*")]);

        AssertRejected(expected, await trust.Validator.ValidateAsync(Token(keyOfB, IssuerA, "org-a")));

        Assert.Equal((2, 0), (idpA.RequestCount, idpB.RequestCount));
        AssertValid(await trust.Validator.ValidateAsync(Token(keyOfA, IssuerA, "org-a")));
        AssertValid(await trust.Validator.ValidateAsync(Token(keyOfB, IssuerB, "org-b")));
    }

    [Fact]
    public async Task Document_OfOneAnchor_NamingAnotherAnchorsIssuer_GivesNoKeysToEither()
    {
        // B's authority serves a document claiming A's issuer (and B's keys): A's tokens never see B's keys through it.
        await using JwksServer idpA = await IdentityProviderAsync(IssuerA, KeyA);
        await using JwksServer idpB = await JwksServer.StartAsync(TestKey.Jwks(KeyB));
        idpB.Serve(Document(IssuerA, idpB.Url), DocumentPath);
        using TrustAnchorSet trust = Set(anchors: [Discovered(IssuerA, idpA, "*"), Discovered(IssuerB, idpB, "*")]);

        AssertRejected(PortkeyJwtError.KeysUnavailable, await trust.Validator.ValidateAsync(Token(KeyB, IssuerB, "org-b")));
        AssertRejected(PortkeyJwtError.UnknownKey, await trust.Validator.ValidateAsync(Token(KeyB, IssuerA, "org-a")));

        Assert.Equal(0, idpB.RequestsTo(JwksServer.JwksPath));
    }

    // ------------------------------------------------------------------ configuration

    [Theory]
    [InlineData("http://idp-a.example", false)] // plain HTTP is fine once RequireHttps is off
    [InlineData("http://127.0.0.1:1", true)]
    [InlineData("https://idp-a.example/tenant/v2.0", true)]
    public void Build_WithAUsableAuthority_FetchesNothing(string authority, bool requireHttps)
    {
        using var handler = new Remote.OfflineHandler();
        using var client = new HttpClient(handler);
        TrustAnchor anchor = new() { Issuer = IssuerA, Authority = new Uri(authority), Organisations = ["org-a"] };

        using var trust = new TrustAnchorSet([anchor], Options(), new JwksKeyProviderOptions { RequireHttps = requireHttps }, client, Tokens.Clock(), NullLogger.Instance);

        Assert.Empty(handler.Requested);
    }

    [Theory]
    [InlineData("plain HTTP to a remote host", "http://idp-a.example", "must use HTTPS")]
    [InlineData("not http", "ftp://idp-a.example", "absolute http(s)")]
    [InlineData("a file", "file:///etc/openid-configuration", "absolute http(s)")]
    [InlineData("relative", "/tenant", "absolute http(s)")]
    [InlineData("a query", "https://idp-a.example/?tenant=a", "no query or fragment")]
    [InlineData("a fragment", "https://idp-a.example/#a", "no query or fragment")]
    public void Build_WithAnUnusableAuthority_ThrowsNamingIt(string problem, string authority, string reason)
    {
        _ = problem;
        TrustAnchor anchor = new() { Issuer = IssuerA, Authority = new Uri(authority, UriKind.RelativeOrAbsolute), Organisations = ["org-a"] };

        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => Set(anchors: [anchor]));

        Assert.Equal("anchors[0].Authority", e.ParamName);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Authority and JwksUrls")]
    [InlineData("Authority and Jwks")]
    [InlineData("all three")]
    public void Build_WithAuthorityAndAnotherKeySource_Throws(string sources)
    {
        TrustAnchor anchor = new() { Issuer = IssuerA, Authority = new Uri("https://idp-a.example"), Organisations = ["org-a"] };
        if (sources != "Authority and Jwks")
        {
            anchor.JwksUrls = [new Uri("https://idp-a.example/jwks")];
        }

        if (sources != "Authority and JwksUrls")
        {
            anchor.Jwks = TestKey.Jwks(KeyA);
        }

        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => Set(anchors: [anchor]));

        Assert.Equal("anchors[0].JwksUrls", e.ParamName);
        Assert.Contains("Exactly one key source is required: JwksUrls, Authority or Jwks.", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:59.999")]
    [InlineData("30.00:00:00.001")]
    public void Build_WithDiscoveryRefreshIntervalOutOfRange_ThrowsNamingIt(string interval)
    {
        JwksKeyProviderOptions fetch = Fetch(o => o.DiscoveryRefreshInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture));
        TrustAnchor anchor = new() { Issuer = IssuerA, Authority = new Uri("https://idp-a.example"), Organisations = ["org-a"] };

        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => new TrustAnchorSet([anchor], Options(), fetch));

        Assert.Equal(nameof(JwksKeyProviderOptions.DiscoveryRefreshInterval), e.ParamName);
    }

    // ------------------------------------------------------------------ reload

    [Fact]
    public async Task Replace_WithOnlyTheAuthorityChanged_MovesTheAnchorToTheNewProvider()
    {
        await using JwksServer before = await IdentityProviderAsync(IssuerA, KeyA);
        await using JwksServer after = await IdentityProviderAsync(IssuerA, KeyB); // the customer moved to a new IdP
        using TrustAnchorSet trust = Set(anchors: [Discovered(IssuerA, before, "org-a")]);
        AssertValid(await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a")));

        trust.Replace([Discovered(IssuerA, after, "org-a")]);

        AssertValid(await trust.Validator.ValidateAsync(Token(KeyB, IssuerA, "org-a")));
        Assert.Equal((1, 1), (after.RequestsTo(DocumentPath), after.RequestsTo(JwksServer.JwksPath)));
        Assert.Equal(2, before.RequestCount); // the old provider is not asked about the new key
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>A loopback identity provider: the discovery document of <paramref name="issuer"/> naming its JWKS, which holds <paramref name="key"/>.</summary>
    private static async Task<JwksServer> IdentityProviderAsync(string issuer, TestKey key)
    {
        JwksServer idp = await JwksServer.StartAsync(TestKey.Jwks(key));
        idp.Serve(Document(issuer, idp.Url), DocumentPath);
        return idp;
    }

    /// <summary>An anchor whose authority is <paramref name="idp"/>'s root.</summary>
    private static TrustAnchor Discovered(string issuer, JwksServer idp, params string[] organisations) => new()
    {
        Issuer = issuer,
        Authority = Root(idp),
        Organisations = organisations,
    };

    private static Uri Root(JwksServer idp) => new(idp.Url, "/");

    /// <summary>A discovery document with <paramref name="issuer"/> and <paramref name="jwksUri"/> (each left out when null) and the usual members.</summary>
    private static string Document(string? issuer, object? jwksUri)
    {
        var document = new JsonObject();
        if (issuer is not null)
        {
            document["issuer"] = issuer;
        }

        document["authorization_endpoint"] = "https://idp.example/authorize";
        if (jwksUri is not null)
        {
            document["jwks_uri"] = jwksUri.ToString();
        }

        document["response_types_supported"] = new JsonArray("code");
        document["subject_types_supported"] = new JsonArray("public");
        document["id_token_signing_alg_values_supported"] = new JsonArray("ES256");
        return document.ToJsonString();
    }

    private static JwksKeyProviderOptions Fetch(Action<JwksKeyProviderOptions> configure)
    {
        var options = new JwksKeyProviderOptions();
        configure(options);
        return options;
    }

    /// <summary>A set with <paramref name="fetch"/> as the shared fetch options.</summary>
    private static TrustAnchorSet SetWith(FakeTimeProvider clock, JwksKeyProviderOptions fetch, params TrustAnchor[] anchors) =>
        new(anchors, Options(), fetch, httpClient: null, clock, NullLogger.Instance);

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
