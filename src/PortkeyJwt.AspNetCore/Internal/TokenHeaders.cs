using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;

namespace PortkeyJwt.AspNetCore.Internal;

/// <summary>
/// Where the PortkeyJwt scheme reads a token: <c>x-portkey-api-key</c> when the request has that header, otherwise
/// <c>Authorization</c> when it is a <c>Bearer</c> credential. One rule for the scheme that reads the token and the
/// forwarding transform that removes it.
/// </summary>
internal static class TokenHeaders
{
    public const string BearerPrefix = "Bearer ";

    /// <summary>Whether <paramref name="authorization"/> is a Bearer credential (scheme name without letter case).</summary>
    public static bool IsBearer([NotNullWhen(true)] string? authorization) => authorization is not null && authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the scheme reads the token of a request with these headers from <c>Authorization</c>.</summary>
    public static bool ReadsAuthorization(IHeaderDictionary headers) =>
        headers[PortkeyJwtDefaults.ApiKeyHeaderName].Count == 0 && IsBearer(headers.Authorization);
}
