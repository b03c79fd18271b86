using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary>
/// Issue 13 end to end: two <c>samples/Gateway</c> processes following one real <c>redis-server</c>
/// (<c>PortkeyJwt__Revocation__Redis</c>), a token revoked with the real <c>portkey-jwt revoke</c>, and both gateways
/// answering 401 <c>Revoked</c> within a second while another token is still served. Delays are measured from the moment
/// the CLI printed that the revocation was recorded, and printed.
/// </summary>
public sealed class FleetRevocationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PropagationLimit = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task TokenRevokedWithTheCli_IsRefusedByBothGatewaysWithinASecond_AnotherTokenStaysServed()
    {
        using RedisServer redis = RedisServer.StartWithoutPersistence();
        await using JwksServer jwks = await JwksServer.StartAsync(TestKey.Jwks(TestKey.Default));
        await using EchoUpstream upstream = await EchoUpstream.StartAsync();
        await using FleetGateway first = await FleetGateway.StartAsync(redis, jwks, upstream);
        await using FleetGateway second = await FleetGateway.StartAsync(redis, jwks, upstream);
        FleetGateway[] gateways = [first, second];
        JsonObject claims = Tokens.Claims().With(("iss", "https://auth.example.com"), ("aud", "portkey-gateway"));
        string stolen = Tokens.Mint(claims.With(("jti", "jti-stolen")));
        string other = Tokens.Mint(claims.With(("jti", "jti-other")));

        foreach (FleetGateway gateway in gateways)
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(gateway, stolen)).Status); // served, and now in the validated-token cache
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(gateway, other)).Status);
            using HttpResponseMessage health = await gateway.Client.GetAsync(new Uri("/healthz", UriKind.Relative));
            Assert.Equal((HttpStatusCode.OK, "Healthy"), (health.StatusCode, await health.Content.ReadAsStringAsync()));
        }

        Task<long>[] refused = [.. gateways.Select(gateway => WaitUntilRevokedAsync(gateway, stolen))];
        (int exitCode, IReadOnlyList<(string Line, long At)> lines) = await PortkeyCli.RunAsync("revoke", "--redis", redis.ConnectionString, "--jti", "jti-stolen", "--expires", "1h");
        Assert.True(exitCode == 0, $"portkey-jwt revoke exited {exitCode}: {string.Join('\n', lines.Select(l => l.Line))}");
        long recorded = lines.Single(l => l.Line.StartsWith("revoked: ", StringComparison.Ordinal)).At;
        long[] refusedAt = await Task.WhenAll(refused);

        TimeSpan[] delays = [.. refusedAt.Select(at => Stopwatch.GetElapsedTime(recorded, at))];
        output.WriteLine($"propagation after 'portkey-jwt revoke' printed: gateway 1 {delays[0].TotalMilliseconds:0} ms, gateway 2 {delays[1].TotalMilliseconds:0} ms");
        Assert.All(delays, delay => Assert.True(delay < PropagationLimit, $"refused {delay.TotalMilliseconds:0} ms after the revocation was recorded"));
        foreach (FleetGateway gateway in gateways)
        {
            (HttpStatusCode status, string challenge) = await SendAsync(gateway, stolen);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Contains("error=\"invalid_token\", error_description=\"Revoked: ", challenge, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(gateway, other)).Status);
        }
    }

    /// <summary>Polls <paramref name="gateway"/> with <paramref name="token"/> until it is refused as Revoked; when (a <see cref="Stopwatch"/> timestamp).</summary>
    private static async Task<long> WaitUntilRevokedAsync(FleetGateway gateway, string token)
    {
        var limit = Stopwatch.StartNew();
        while (limit.Elapsed < TimeSpan.FromSeconds(30))
        {
            (HttpStatusCode status, string challenge) = await SendAsync(gateway, token);
            if (status == HttpStatusCode.Unauthorized && challenge.Contains("Revoked: ", StringComparison.Ordinal))
            {
                return Stopwatch.GetTimestamp();
            }

            Assert.Equal(HttpStatusCode.OK, status); // served until the revocation arrives, never anything else
            await Task.Delay(5);
        }

        throw new TimeoutException("The token was still served 30 s after the polling started.");
    }

    private static async Task<(HttpStatusCode Status, string Challenge)> SendAsync(FleetGateway gateway, string token)
    {
        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Post, "/v1/chat/completions", "x-portkey-api-key", token));
        return (response.StatusCode, string.Join(", ", response.Headers.WwwAuthenticate));
    }

    /// <summary>One sample gateway process following <c>redis</c>, and a client for it.</summary>
    private sealed class FleetGateway(SampleGateway sample, HttpClient client) : IAsyncDisposable
    {
        public HttpClient Client => client;

        public static async Task<FleetGateway> StartAsync(RedisServer redis, JwksServer jwks, EchoUpstream upstream)
        {
            string url = $"http://127.0.0.1:{SampleGateway.FreePort()}";
            SampleGateway sample = SampleGateway.Start(
                ["--urls", url, $"--PortkeyJwt:JwksUrls:0={jwks.Url}"],
                new Dictionary<string, string>
                {
                    ["PortkeyJwt__Revocation__Redis"] = redis.ConnectionString,
                    ["ReverseProxy__Clusters__upstream__Destinations__primary__Address"] = upstream.Root.ToString(),
                });
            var gateway = new FleetGateway(sample, new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) });
            try
            {
                await sample.WaitForLinesAsync(line => line.Contains("Now listening on: ", StringComparison.Ordinal), "the sample to listen");
            }
            catch
            {
                await gateway.DisposeAsync();
                throw;
            }

            return gateway;
        }

        public async ValueTask DisposeAsync()
        {
            client.Dispose();
            await sample.DisposeAsync();
        }
    }
}
