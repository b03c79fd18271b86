namespace PortkeyJwt.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task ValidToken_IsAccepted_WithPrincipal()
    {
        PortkeyJwtResult result = await Tokens.Validator().ValidateAsync(Tokens.Mint());
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal("org-3f2a", result.Principal.OrganisationId);
        Assert.Equal(["completions.write", "logs.view"], result.Principal.Scopes);
    }
}
