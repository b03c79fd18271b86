namespace PortkeyJwt.AspNetCore;

/// <summary>Names this package registers things under.</summary>
public static class PortkeyJwtDefaults
{
    /// <summary>The authentication scheme name, <c>PortkeyJwt</c>.</summary>
    public const string AuthenticationScheme = "PortkeyJwt";

    /// <summary>The request header read first for a token, <c>x-portkey-api-key</c>; <c>Authorization: Bearer</c> is read when it is absent.</summary>
    public const string ApiKeyHeaderName = "x-portkey-api-key";

    /// <summary>The name of the <c>IHttpClientFactory</c> client JWKS fetches use (redirects off), <c>PortkeyJwt.Jwks</c>.</summary>
    public const string HttpClientName = "PortkeyJwt.Jwks";

    /// <summary>The default health check name, <c>portkeyjwt</c>.</summary>
    public const string HealthCheckName = "portkeyjwt";
}
