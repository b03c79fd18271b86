// The README's switch: an app on AddJwtBearer validating with PortkeyJwt. JwtBearerPipelineTests run it on Kestrel;
// README.md shows exactly the lines between the snippet markers.
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;

namespace PortkeyJwt.IdentityModel.Tests.Docs;

internal static class SwitchExample
{
    /// <summary>JwtBearer, the default scheme, with its token handlers replaced by one over <paramref name="validator"/>.</summary>
    public static void AddAuthentication(IServiceCollection services, PortkeyJwtValidator validator)
    {
        // begin-snippet: switch-to-portkey
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o => { o.TokenHandlers.Clear(); o.TokenHandlers.Add(new PortkeyTokenHandler(validator)); });
        // end-snippet
    }
}
