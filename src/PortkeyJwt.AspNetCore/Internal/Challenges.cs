using System.Text;

namespace PortkeyJwt.AspNetCore.Internal;

/// <summary>RFC 6750 §3 <c>WWW-Authenticate: Bearer</c> values.</summary>
internal static class Challenges
{
    public const string Bare = "Bearer";

    /// <summary><c>Bearer error="invalid_token", error_description="Expired: …"</c>; the description holds only RFC 6750's allowed characters.</summary>
    public static string InvalidToken(PortkeyJwtError error, string detail) =>
        $"Bearer error=\"invalid_token\", error_description=\"{Sanitise($"{error}: {detail}")}\"";

    /// <summary><c>Bearer error="insufficient_scope", scope="a b"</c> (no scope attribute when none is known).</summary>
    public static string InsufficientScope(IEnumerable<string> scopes)
    {
        string joined = string.Join(' ', scopes.Where(IsValidScope));
        return joined.Length == 0
            ? "Bearer error=\"insufficient_scope\""
            : $"Bearer error=\"insufficient_scope\", scope=\"{joined}\"";
    }

    /// <summary>RFC 6749 scope-token: %x21 / %x23-5B / %x5D-7E, at least one.</summary>
    public static bool IsValidScope(string? scope)
    {
        if (string.IsNullOrEmpty(scope))
        {
            return false;
        }

        foreach (char c in scope)
        {
            if (c is < '!' or > '~' or '"' or '\\')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Replaces what may not appear in an <c>error_description</c> (%x20-21 / %x23-5B / %x5D-7E) with '?'.</summary>
    private static string Sanitise(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            builder.Append(c is < ' ' or > '~' or '"' or '\\' ? '?' : c);
        }

        return builder.ToString();
    }
}
