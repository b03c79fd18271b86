using System.Net;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary>
/// <c>samples/Gateway</c> as an operator runs it: its own process, its own appsettings.json, listening where it is told
/// (<c>--urls</c> or <c>ASPNETCORE_URLS</c>; the default port lives in its launch profile only). Its JWKS URL is pointed at
/// a loopback server that drops every connection, so each fetch fails with an exception inside HttpClient.
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
        string url = $"http://127.0.0.1:{SampleGateway.FreePort()}";

        // appsettings.TwoOrganisations.json as shipped, with only the JWKS URLs pointed at loopback servers.
        await using SampleGateway sample = SampleGateway.Start(
        [
            "--environment", "TwoOrganisations", "--urls", url,
            $"--TwoOrganisations:PortkeyJwt:Issuers:0:JwksUrls:0={acmeJwks.Url}",
            $"--TwoOrganisations:PortkeyJwt:Issuers:1:JwksUrls:0={globexJwks.Url}",
        ]);
        await sample.WaitForLinesAsync(line => line.Contains("Now listening on: ", StringComparison.Ordinal), "the sample to listen");

        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        using HttpResponseMessage health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (health.StatusCode, await health.Content.ReadAsStringAsync())); // no issuer used yet

        JsonObject claims = Tokens.Claims().With(("iss", "https://login.acme.example.com"), ("aud", "portkey-gateway"), ("portkey_oid", "org-acme"), ("portkey_workspace", "ws-acme-prod"));
        using HttpResponseMessage served = await client.SendAsync(Gateway.Request(HttpMethod.Post, "/v1/chat/completions", "x-portkey-api-key", Tokens.Mint(claims, acme)));
        using HttpResponseMessage refused = await client.SendAsync(Gateway.Request(HttpMethod.Post, "/v1/chat/completions", "x-portkey-api-key", Tokens.Mint(claims.With(("portkey_oid", "org-globex")), acme)));

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("\"organisation\":\"org-acme\"", await served.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal((1, 0), (acmeJwks.RequestCount, globexJwks.RequestCount));
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
