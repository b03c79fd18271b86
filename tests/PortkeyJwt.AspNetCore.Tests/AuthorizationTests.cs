using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary><c>RequirePortkeyScope</c> on named policies and as a minimal-API endpoint convention.</summary>
public sealed class AuthorizationTests
{
    [Fact]
    public async Task EndpointConvention_TokenGrantingTheScope_Is200()
    {
        await using Gateway gateway = await Gateway.StartAsync();

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Post, "/v1/chat/completions", "x-portkey-api-key", Tokens.Mint()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("org-3f2a/ws-default/", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointConvention_TokenWithoutTheScope_Is403InsufficientScopeNamingIt()
    {
        await using Gateway gateway = await Gateway.StartAsync();

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Post, "/v1/chat/completions", "Authorization", Tokens.WithScope("logs.view")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"completions.write\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task EndpointConvention_NoToken_Is401()
    {
        await using Gateway gateway = await Gateway.StartAsync();

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Post, "/v1/chat/completions"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task EndpointConvention_PlainApiKeyCaller_IsNotAdmitted()
    {
        await using Gateway gateway = await Gateway.StartAsync();

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Post, "/v1/chat/completions", "x-portkey-api-key", ApiKeyScheme.Key));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("completions.write")]
    [InlineData("portkey.completions.write")]
    public async Task Policy_TokenGrantingTheScope_Is200(string grantedScope)
    {
        await using Gateway gateway = await Gateway.StartAsync();

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/policy/completions", "x-portkey-api-key", Tokens.WithScope(grantedScope)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Policy_TokenWithoutTheScope_Is403InsufficientScopeNamingIt()
    {
        await using Gateway gateway = await Gateway.StartAsync();

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/policy/completions", "x-portkey-api-key", Tokens.WithScope("logs.view")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"completions.write\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task Policy_RequiringTwoScopes_NamesOnlyTheMissingOne()
    {
        await using Gateway gateway = await Gateway.StartAsync();

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/policy/admin", "Authorization", Tokens.Mint()));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"admin.write\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("quote\"d")]
    [InlineData("portkey.")]
    [InlineData("caf\u00e9")]
    public void RequirePortkeyScope_RefusesANonScopeName_WhenThePolicyIsBuilt(string scope)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new AuthorizationPolicyBuilder().RequirePortkeyScope(scope));

        Assert.Equal("scopes", error.ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("portkey.")]
    public async Task RequirePortkeyScope_OnAnEndpoint_RefusesANonScopeName_WhenTheEndpointIsMapped(string scope)
    {
        await using WebApplication app = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] }).Build();

        Assert.Throws<ArgumentException>(() => app.MapGet("/", () => "ok").RequirePortkeyScope("completions.write", scope));
    }

    [Theory]
    [InlineData("")]
    [InlineData("portkey.")]
    [InlineData("two words")]
    public void SchemeRequiredScopes_NotAScopeName_FailTheSchemeOptions(string scope)
    {
        var options = new PortkeyJwtAuthenticationOptions { RequiredScopes = [scope] };

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.StartsWith("PortkeyJwt: RequiredScopes: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequirePortkeyScope_RefusesAnEmptyList()
    {
        Assert.Throws<ArgumentException>(() => new AuthorizationPolicyBuilder().RequirePortkeyScope());
    }

    [Fact]
    public async Task RolePolicy_TokenGrantingAScopeNamedLikeTheRole_Is403()
    {
        // Scopes are not roles: a scope named admin does not pass RequireRole("admin"), even with a role claim configured.
        await using Gateway gateway = await Gateway.StartAsync(options => options.RoleClaim = "roles");

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/policy/admin-role", "x-portkey-api-key", Tokens.WithScope("admin")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task RolePolicy_TokenWithTheRoleInTheConfiguredRoleClaim_Is200()
    {
        await using Gateway gateway = await Gateway.StartAsync(options => options.RoleClaim = "roles");
        string token = Tokens.Mint(Tokens.Claims().With(("roles", new System.Text.Json.Nodes.JsonArray("admin"))));

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/policy/admin-role", "x-portkey-api-key", token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RolePolicy_WithoutARoleClaimConfigured_TheTokensRolesAreNotRoles()
    {
        await using Gateway gateway = await Gateway.StartAsync();
        string token = Tokens.Mint(Tokens.Claims().With(("roles", new System.Text.Json.Nodes.JsonArray("admin"))));

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/policy/admin-role", "x-portkey-api-key", token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
