using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary>The PortkeyJwt scheme end to end: real Kestrel, real HttpClient, the token in either header.</summary>
public sealed class AuthenticationTests
{
    [Theory]
    [InlineData("x-portkey-api-key")]
    [InlineData("Authorization")]
    public async Task ValidToken_InEitherHeader_Is200AndEchoesThePrincipal(string header)
    {
        await using Gateway gateway = await Gateway.StartAsync();

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", header, Tokens.Mint()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("org-3f2a/ws-default/dev@example.com name=dev@example.com", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task NoToken_Is401WithABareBearerChallenge()
    {
        await using Gateway gateway = await Gateway.StartAsync();

        using HttpResponseMessage response = await gateway.Client.GetAsync(new Uri("/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Theory]
    [InlineData("x-portkey-api-key")]
    [InlineData("Authorization")]
    public async Task ExpiredToken_Is401InvalidTokenNamingExpired_AndTheTokenAppearsNowhere(string header)
    {
        await using Gateway gateway = await Gateway.StartAsync();
        string token = Tokens.Expired();

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", header, token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        string challenge = Assert.Single(response.Headers.WwwAuthenticate).ToString();
        Assert.StartsWith("Bearer error=\"invalid_token\", error_description=\"Expired: ", challenge, StringComparison.Ordinal);
        AssertTokenAppearsNowhere(token, response, await response.Content.ReadAsStringAsync(), gateway.Logs);
    }

    [Theory]
    [InlineData("a.b.c", "Malformed")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30.c2ln", "UnsupportedAlgorithm")]
    public async Task RejectedToken_Is401InvalidTokenNamingTheError(string token, string error)
    {
        await using Gateway gateway = await Gateway.StartAsync();

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "Authorization", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains($"error_description=\"{error}: ", Assert.Single(response.Headers.WwwAuthenticate).ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x-portkey-api-key")]
    [InlineData("Authorization")] // "Bearer Bearer <token>": the scheme removes one prefix, the validator sees the other
    public async Task TokenWithABearerPrefix_Is401MalformedSayingSo_AndTheTokenAppearsNowhere(string header)
    {
        await using Gateway gateway = await Gateway.StartAsync();
        string token = Tokens.Mint();

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", header, "Bearer " + token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            "Bearer error=\"invalid_token\", error_description=\"Malformed: The token starts with a 'Bearer ' prefix: pass only the token.\"",
            Assert.Single(response.Headers.WwwAuthenticate).ToString());
        AssertTokenAppearsNowhere(token, response, await response.Content.ReadAsStringAsync(), gateway.Logs);
    }

    [Fact]
    public async Task PlainApiKey_FallsThroughToTheNextScheme()
    {
        await using Gateway gateway = await Gateway.StartAsync();

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/either", "x-portkey-api-key", ApiKeyScheme.Key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ApiKey:api-key-caller", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(gateway.Logs.Messages, m => m.Contains("rejected a token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidToken_OnThePolicyAcceptingEitherScheme_AuthenticatesAsPortkeyJwt()
    {
        await using Gateway gateway = await Gateway.StartAsync();

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/either", "x-portkey-api-key", Tokens.Mint()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("PortkeyJwt:dev@example.com", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PlainApiKey_OnAPortkeyJwtOnlyEndpoint_Is401WithABareChallenge()
    {
        await using Gateway gateway = await Gateway.StartAsync();

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "x-portkey-api-key", ApiKeyScheme.Key));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task ApiKeyHeader_IsReadBeforeAuthorization()
    {
        await using Gateway gateway = await Gateway.StartAsync();
        using HttpRequestMessage request = Gateway.Request(HttpMethod.Get, "/me", "x-portkey-api-key", Tokens.Mint());
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer sk-upstream-provider-key"); // the upstream provider's key, not ours

        using HttpResponseMessage response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TokenLackingAServiceWideRequiredScope_Is403InsufficientScopeNamingIt()
    {
        await using Gateway gateway = await Gateway.StartAsync(options => options.RequiredScopes = ["completions.write", "admin.write"]);

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "Authorization", Tokens.Mint()));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"completions.write admin.write\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    /// <summary>The second and later requests with a token are answered from the validated-token cache, read in place in the header.</summary>
    [Theory]
    [InlineData("Authorization", "Bearer {0}")]
    [InlineData("Authorization", "bearer {0}")]
    [InlineData("Authorization", "BEARER    {0}   ")]
    [InlineData("x-portkey-api-key", "  {0} ")]
    public async Task SameToken_AgainWithAnyBearerCaseAndSpacing_IsAuthenticatedAgain(string header, string format)
    {
        await using Gateway gateway = await Gateway.StartAsync();
        string token = Tokens.Mint();

        for (int i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
            request.Headers.TryAddWithoutValidation(header, string.Format(CultureInfo.InvariantCulture, format, token));
            using HttpResponseMessage response = await gateway.Client.SendAsync(request);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("org-3f2a/ws-default/dev@example.com name=dev@example.com", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task SameToken_LackingTheSchemesRequiredScope_Is403OnEveryRequest_CachedOrNot()
    {
        await using Gateway gateway = await Gateway.StartAsync(
            options =>
            {
                options.JwksJson = TestKey.Jwks(TestKey.Default);
                options.AllowedAlgorithms = ["ES256"];
            },
            services => services.Configure<PortkeyJwtAuthenticationOptions>(PortkeyJwtDefaults.AuthenticationScheme, o => o.RequiredScopes = ["admin.write"]));
        string token = Tokens.Mint();

        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "Authorization", token));

            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"admin.write\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        }
    }

    [Fact]
    public async Task ValidToken_SetsTheClaimsPrincipalFromThePortkeyPrincipal()
    {
        await using Gateway gateway = await Gateway.StartAsync();

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/either", "Authorization", Tokens.Mint()));

        Assert.Equal("PortkeyJwt:dev@example.com", await response.Content.ReadAsStringAsync());
    }

    internal static void AssertTokenAppearsNowhere(string token, HttpResponseMessage response, string body, LogCapture logs)
    {
        string signature = token[(token.LastIndexOf('.') + 1)..];
        string payload = token.Split('.')[1];
        foreach (string part in new[] { token, payload, signature })
        {
            Assert.DoesNotContain(part, body, StringComparison.Ordinal);
            Assert.DoesNotContain(response.Headers.Concat(response.Content.Headers), h => h.Value.Any(v => v.Contains(part, StringComparison.Ordinal)));
            Assert.DoesNotContain(logs.Messages, m => m.Contains(part, StringComparison.Ordinal));
        }
    }
}
