using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PortkeyJwt.AspNetCore.Tests.Support;

/// <summary>A second scheme, as a gateway would have for plain Portkey API keys: accepts exactly <see cref="Key"/> in <c>x-portkey-api-key</c>.</summary>
internal sealed class ApiKeyScheme(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "ApiKey";

    public const string Key = "pk-live-0123456789abcdef";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers[PortkeyJwtDefaults.ApiKeyHeaderName] != Key)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-key-caller")], Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Name)));
    }
}
