using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary>A <see cref="RevocationList"/> registered in the container is enforced by the PortkeyJwt scheme, cache hits included.</summary>
public sealed class RevocationTests
{
    [Fact]
    public async Task RegisteredList_RevokedToken_Is401InvalidToken_OthersStay200()
    {
        var list = new RevocationList();
        await using Gateway gateway = await Gateway.StartAsync(
            options =>
            {
                options.JwksJson = TestKey.Jwks(TestKey.Default);
                options.AllowedAlgorithms = ["ES256"];
            },
            services => services.AddSingleton(list));
        string token = Tokens.Mint(Tokens.Claims().With(("jti", "jti-stolen")));
        using (HttpResponseMessage before = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "x-portkey-api-key", token)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode); // and now in the validated-token cache
        }

        list.Add(Revocation.Token("jti-stolen", DateTimeOffset.UtcNow.AddHours(1)));

        using HttpResponseMessage revoked = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "x-portkey-api-key", token));
        using HttpResponseMessage other = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "x-portkey-api-key", Tokens.Mint(Tokens.Claims().With(("jti", "jti-other")))));
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Contains("invalid_token", Assert.Single(revoked.Headers.WwwAuthenticate).ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }
}
