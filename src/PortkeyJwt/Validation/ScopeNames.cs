namespace PortkeyJwt.Internal;

/// <summary>Scope-name rules shared by the validator, the options and the principal.</summary>
internal static class ScopeNames
{
    /// <summary>The optional prefix Portkey scopes may carry; it is removed when normalising.</summary>
    public const string Prefix = "portkey.";

    /// <summary>Removes a leading <c>portkey.</c>.</summary>
    public static ReadOnlySpan<char> Normalise(ReadOnlySpan<char> scope) =>
        scope.StartsWith(Prefix, StringComparison.Ordinal) ? scope[Prefix.Length..] : scope;

    /// <summary>
    /// A valid scope-token after normalisation (RFC 6749 §3.3): one or more printable ASCII characters other than
    /// space, <c>"</c> and <c>\</c>.
    /// </summary>
    public static bool IsValidToken(ReadOnlySpan<char> scope)
    {
        if (scope.IsEmpty)
        {
            return false;
        }

        foreach (char c in scope)
        {
            if (c is <= ' ' or > '~' or '"' or '\\')
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>The claim types the library reads and writes.</summary>
internal static class ClaimNames
{
    public const string Organisation = "portkey_oid";
    public const string Workspace = "portkey_workspace";
    public const string Email = "email_id";
    public const string Subject = "sub";
    public const string Uid = "uid";
    public const string Issuer = "iss";
    public const string Scope = "scope";
    public const string Audience = "aud";
    public const string JwtId = "jti";
}
