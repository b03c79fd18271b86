// The README's example: a gateway's authorization code and its xunit tests, written with the kit. xunit runs the tests
// below as part of this project; ReadmeExampleTests checks README.md shows exactly the lines between the snippet markers.
using Microsoft.Extensions.Time.Testing;
using PortkeyJwt.TestKit;

namespace PortkeyJwt.TestKit.Tests.Docs;

// begin-snippet: testkit-example
// The gateway code under test: the HTTP status for a completions call, and a workspace rule.
public static class CompletionsGate
{
    public static async Task<int> StatusAsync(PortkeyJwtValidator validator, string token) =>
        (await validator.ValidateAsync(token, ["completions.write"])).StatusCode;

    public static bool MayUseWorkspace(PortkeyPrincipal caller, string workspace) =>
        caller.WorkspaceSlug == workspace && caller.HasScope("completions.write");
}

public sealed class CompletionsGateTests
{
    [Fact]
    public async Task Status_IsDecidedByScopeLifetimeAndKey()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var idp = new TestIdentityProvider(clock);           // RS256 key, iss https://idp.test
        PortkeyJwtValidator validator = idp.CreateValidator();     // trusts idp's JWKS, served from memory

        Assert.Equal(200, await CompletionsGate.StatusAsync(validator, idp.Mint(organisation: "org-1")));
        Assert.Equal(403, await CompletionsGate.StatusAsync(validator, idp.Mint(scopes: ["logs.view"])));

        string oldKeyToken = idp.Mint();
        idp.RotateKey();                                            // key-2 signs from now on
        idp.RetireKey("key-1");                                     // and key-1 leaves the JWKS
        Assert.Equal(401, await CompletionsGate.StatusAsync(validator, oldKeyToken)); // its key is no longer published
        Assert.Equal(200, await CompletionsGate.StatusAsync(validator, idp.Mint())); // signed by key-2

        string token = idp.Mint();
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(401, await CompletionsGate.StatusAsync(validator, token)); // expired
    }

    [Fact]
    public async Task MayUseWorkspace_OnlyItsOwn()
    {
        using var idp = new TestIdentityProvider();
        PortkeyPrincipal caller = await idp.PrincipalAsync(organisation: "org-1", workspace: "ws-1");

        Assert.True(CompletionsGate.MayUseWorkspace(caller, "ws-1"));
        Assert.False(CompletionsGate.MayUseWorkspace(caller, "ws-2"));
    }
}
// end-snippet
