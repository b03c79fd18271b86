using Microsoft.Extensions.DependencyInjection;
using PortkeyJwt.AspNetCore;

namespace PackageConsumer;

/// <summary>Proves the ASP.NET Core package's public surface compiles from the package: the scheme and a scope policy.</summary>
internal static class AspNetCoreRegistration
{
    public static IServiceCollection Register(IServiceCollection services, string jwksJson)
    {
        services.AddPortkeyJwt(options => options.JwksJson = jwksJson);
        services.AddAuthentication(PortkeyJwtDefaults.AuthenticationScheme).AddPortkeyJwt();
        services.AddAuthorization(o => o.AddPolicy("completions", p => p.RequirePortkeyScope("completions.write")));
        return services;
    }
}
