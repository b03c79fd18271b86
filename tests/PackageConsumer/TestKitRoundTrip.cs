using PortkeyJwt;
using PortkeyJwt.IdentityModel;
using PortkeyJwt.TestKit;
using ReadmeExample;

namespace PackageConsumer;

/// <summary>Proves the test kit and the JwtBearer bridge work from their packages: mint, validate three ways, rotate.</summary>
internal static class TestKitRoundTrip
{
    public static async Task<string> RunAsync()
    {
        using var idp = new TestIdentityProvider(issuer: "https://auth.example.com");
        PortkeyJwtValidator validator = idp.CreateValidator();
        idp.RotateKey(); // the validator built before the rotation must accept the new key
        string token = idp.Mint(organisation: "org-kit", workspace: "ws-kit", email: "kit@example.com");

        PortkeyJwtResult direct = await validator.ValidateAsync(token);
        var bridged = await new PortkeyTokenHandler(validator).ValidateTokenAsync(token, validationParameters: null);
        if (!direct.IsValid || !bridged.IsValid || PortkeyTokenHandler.GetPortkeyPrincipal(new(bridged.ClaimsIdentity))?.OrganisationId != "org-kit")
        {
            return $"the kit's validator or the bridge rejected the kit's token: {direct}";
        }

        using var authentication = new GatewayAuthentication(idp.Jwks); // the README example, over the kit's JWKS
        return await authentication.AuthenticateAsync(token);
    }
}
