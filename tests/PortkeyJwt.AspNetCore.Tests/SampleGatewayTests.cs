using System.Net;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary>
/// <c>samples/Gateway</c> as an operator runs it: its own process, its own appsettings.json, listening where it is told
/// (<c>--urls</c> or <c>ASPNETCORE_URLS</c>; the default port lives in its launch profile only), proxying <c>/v1/*</c> with
/// YARP to an <see cref="EchoUpstream"/> where a test needs one. In the listening and logging tests its JWKS URL is pointed
/// at a loopback server that drops every connection, so each fetch fails with an exception inside HttpClient.
/// </summary>
public sealed class SampleGatewayTests
{
    [Fact]
    public async Task Sample_UrlsOnTheCommandLine_ListensThere()
    {
        await using JwksServer jwks = await JwksServer.StartAsync();
        jwks.AbortConnections();
        string url = $"http://127.0.0.1:{SampleGateway.FreePort()}";

        await using SampleGateway sample = SampleGateway.Start(["--urls", url, .. PointedAt(jwks)]);

        await AssertListensAsync(sample, url);
    }

    [Fact]
    public async Task Sample_AspNetCoreUrlsVariable_ListensThere()
    {
        await using JwksServer jwks = await JwksServer.StartAsync();
        jwks.AbortConnections();
        string url = $"http://127.0.0.1:{SampleGateway.FreePort()}";

        await using SampleGateway sample = SampleGateway.Start(PointedAt(jwks), new Dictionary<string, string> { ["ASPNETCORE_URLS"] = url });

        await AssertListensAsync(sample, url);
    }

    [Fact]
    public async Task Sample_JwksFetchesFailing_LogsOneLinePerRetry_WithoutStackTraces()
    {
        await using JwksServer jwks = await JwksServer.StartAsync();
        jwks.AbortConnections();

        await using SampleGateway sample = SampleGateway.Start(["--urls", $"http://127.0.0.1:{SampleGateway.FreePort()}", .. PointedAt(jwks)]);

        // The first fetch and the first retry (1 s later), each reported by the library in one line.
        await sample.WaitForLinesAsync(line => line.Contains("fetch failed: network error", StringComparison.Ordinal), "two failed JWKS fetches reported", count: 2);
        Assert.True(jwks.RequestCount >= 2);
        Assert.DoesNotContain(sample.Lines, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal) || line.Contains("--->", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sample_TwoOrganisationsEnvironment_BindsItsIssuers_AndServesEachOnlyItsOwnOrganisation()
    {
        var acme = new TestKey("acme-key");
        await using JwksServer acmeJwks = await JwksServer.StartAsync(TestKey.Jwks(acme));
        await using JwksServer globexJwks = await JwksServer.StartAsync(TestKey.Jwks(new TestKey("globex-key")));
        await using EchoUpstream upstream = await EchoUpstream.StartAsync();
        string url = $"http://127.0.0.1:{SampleGateway.FreePort()}";

        // appsettings.TwoOrganisations.json as shipped, with only the JWKS URLs and the upstream pointed at loopback servers.
        await using SampleGateway sample = SampleGateway.Start(
        [
            "--environment", "TwoOrganisations", "--urls", url,
            $"--TwoOrganisations:PortkeyJwt:Issuers:0:JwksUrls:0={acmeJwks.Url}",
            $"--TwoOrganisations:PortkeyJwt:Issuers:1:JwksUrls:0={globexJwks.Url}",
            $"--ReverseProxy:Clusters:upstream:Destinations:primary:Address={upstream.Root}",
        ]);
        await sample.WaitForLinesAsync(line => line.Contains("Now listening on: ", StringComparison.Ordinal), "the sample to listen");

        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        using HttpResponseMessage health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (health.StatusCode, await health.Content.ReadAsStringAsync())); // no issuer used yet

        JsonObject claims = Tokens.Claims().With(("iss", "https://login.acme.example.com"), ("aud", "portkey-gateway"), ("portkey_oid", "org-acme"), ("portkey_workspace", "ws-acme-prod"));
        using HttpResponseMessage served = await client.SendAsync(Gateway.Request(HttpMethod.Post, "/v1/chat/completions", "x-portkey-api-key", Tokens.Mint(claims, acme)));
        using HttpResponseMessage refused = await client.SendAsync(Gateway.Request(HttpMethod.Post, "/v1/chat/completions", "x-portkey-api-key", Tokens.Mint(claims.With(("portkey_oid", "org-globex")), acme)));

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(["org-acme"], upstream.Single.Values("x-portkey-organisation")); // the refused request never reached it
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal((1, 0), (acmeJwks.RequestCount, globexJwks.RequestCount));
    }

    [Fact]
    public async Task Sample_UpstreamFromTheEnvironment_ProxiesV1WithTheCallersIdentity_AndRefusesBeforeProxying()
    {
        await using JwksServer jwks = await JwksServer.StartAsync(TestKey.Jwks(TestKey.Default));
        await using EchoUpstream upstream = await EchoUpstream.StartAsync();
        string url = $"http://127.0.0.1:{SampleGateway.FreePort()}";
        await using SampleGateway sample = SampleGateway.Start(
            ["--urls", url, .. PointedAt(jwks)],
            new Dictionary<string, string> { ["ReverseProxy__Clusters__upstream__Destinations__primary__Address"] = upstream.Root.ToString() });
        await sample.WaitForLinesAsync(line => line.Contains("Now listening on: ", StringComparison.Ordinal), "the sample to listen");
        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        JsonObject claims = Tokens.Claims().With(("iss", "https://auth.example.com"), ("aud", "portkey-gateway"));
        string completions = Tokens.Mint(claims);
        string logsOnly = Tokens.Mint(claims.With(("scope", "logs.view")));

        // Refused by the routes' policies: answered by the gateway, the upstream never asked.
        using HttpResponseMessage noToken = await client.SendAsync(Gateway.Request(HttpMethod.Post, "/v1/chat/completions"));
        using HttpResponseMessage noScope = await client.SendAsync(Gateway.Request(HttpMethod.Post, "/v1/chat/completions", "x-portkey-api-key", logsOnly));
        using HttpResponseMessage otherNoToken = await client.SendAsync(Gateway.Request(HttpMethod.Get, "/v1/models"));
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized), (noToken.StatusCode, noScope.StatusCode, otherNoToken.StatusCode));
        Assert.Equal(0, upstream.RequestCount);

        using HttpRequestMessage spoofed = Gateway.Request(HttpMethod.Post, "/v1/chat/completions", "Authorization", completions);
        spoofed.Headers.TryAddWithoutValidation("X-Portkey-Organisation", "evil");
        spoofed.Headers.TryAddWithoutValidation("X-PORTKEY-USER", "admin@example.com");
        using HttpResponseMessage chat = await client.SendAsync(spoofed);
        using HttpResponseMessage models = await client.SendAsync(Gateway.Request(HttpMethod.Get, "/v1/models", "x-portkey-api-key", logsOnly));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (chat.StatusCode, models.StatusCode));
        Assert.Equal("upstream", await chat.Content.ReadAsStringAsync());
        UpstreamRequest[] seen = [.. upstream.Requests];
        Assert.Equal(["/v1/chat/completions", "/v1/models"], seen.Select(r => r.Path));
        Assert.Equal(["org-3f2a"], seen[0].Values("x-portkey-organisation"));
        Assert.Equal(["ws-default"], seen[0].Values("x-portkey-workspace"));
        Assert.Equal(["dev@example.com"], seen[0].Values("x-portkey-user"));
        Assert.Equal(["completions.write logs.view"], seen[0].Values("x-portkey-scopes"));
        Assert.Equal(["logs.view"], seen[1].Values("x-portkey-scopes"));
        Assert.All(seen, r => Assert.False(r.Has("Authorization") || r.Has("x-portkey-api-key")));
    }

    [Fact]
    public async Task Sample_BenchmarkEndpoint_IsOffByDefault_AndWhenOnAnswersOkBehindTheCompletionsPolicy()
    {
        await using JwksServer jwks = await JwksServer.StartAsync(TestKey.Jwks(TestKey.Default));
        string offUrl = $"http://127.0.0.1:{SampleGateway.FreePort()}";
        string onUrl = $"http://127.0.0.1:{SampleGateway.FreePort()}";
        await using SampleGateway off = SampleGateway.Start(["--urls", offUrl, .. PointedAt(jwks)]);
        await using SampleGateway on = SampleGateway.Start(["--urls", onUrl, "--BenchmarkEndpoint=true", .. PointedAt(jwks)]);
        await off.WaitForLinesAsync(line => line.Contains("Now listening on: ", StringComparison.Ordinal), "the sample to listen");
        await on.WaitForLinesAsync(line => line.Contains("Now listening on: ", StringComparison.Ordinal), "the sample to listen");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        JsonObject claims = Tokens.Claims().With(("iss", "https://auth.example.com"), ("aud", "portkey-gateway"));
        string completions = Tokens.Mint(claims);

        // As shipped (appsettings.json says false): no such endpoint, whatever the token.
        using HttpResponseMessage shipped = await client.SendAsync(Gateway.Request(HttpMethod.Get, $"{offUrl}/benchmark", "Authorization", completions));
        Assert.Equal(HttpStatusCode.NotFound, shipped.StatusCode);

        // Switched on: the "completions" policy decides, and an admitted caller gets "ok" without any upstream.
        using HttpResponseMessage served = await client.SendAsync(Gateway.Request(HttpMethod.Get, $"{onUrl}/benchmark", "Authorization", completions));
        using HttpResponseMessage noToken = await client.SendAsync(Gateway.Request(HttpMethod.Get, $"{onUrl}/benchmark"));
        using HttpResponseMessage noScope = await client.SendAsync(Gateway.Request(HttpMethod.Get, $"{onUrl}/benchmark", "x-portkey-api-key", Tokens.Mint(claims.With(("scope", "logs.view")))));
        Assert.Equal((HttpStatusCode.OK, "ok"), (served.StatusCode, await served.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden), (noToken.StatusCode, noScope.StatusCode));

        // The scheme's per-request lines (ASP.NET Core's "was challenged", "was forbidden", "was not authenticated", at
        // Information under the handler's own category) stay out of the console as Microsoft.AspNetCore's do: under a
        // flood of bad tokens they were three lines a request.
        Assert.DoesNotContain(on.Lines, line => line.Contains("PortkeyJwtAuthenticationHandler", StringComparison.Ordinal));
    }

    /// <summary>Command-line configuration pointing the sample's JWKS URL at <paramref name="jwks"/>.</summary>
    private static string[] PointedAt(JwksServer jwks) => [$"--PortkeyJwt:JwksUrls:0={jwks.Url}"];

    private static async Task AssertListensAsync(SampleGateway sample, string url)
    {
        await sample.WaitForLinesAsync(line => line.Contains("Now listening on: ", StringComparison.Ordinal), "the sample to listen");
        Assert.Contains(sample.Lines, line => line.Trim() == $"Now listening on: {url}");

        // No key set can load, so the health check answers 503 Unhealthy: the sample itself is answering there.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using HttpResponseMessage health = await client.GetAsync(new Uri($"{url}/healthz"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());
    }
}
