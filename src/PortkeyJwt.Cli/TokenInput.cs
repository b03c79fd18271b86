using System.Runtime.CompilerServices;

namespace PortkeyJwt.Cli;

/// <summary>The <c>&lt;token | -&gt;</c> argument shared by <c>validate</c> and <c>inspect</c>.</summary>
internal static class TokenInput
{
    /// <summary>The argument value that means "one token per line from standard input".</summary>
    public const string Stdin = "-";

    /// <summary>
    /// The tokens to process: the argument itself, or each non-blank line of <paramref name="input"/> in order; every
    /// token is trimmed of surrounding whitespace and of a leading <c>Bearer </c> (any case), as pasted from a header.
    /// </summary>
    public static async IAsyncEnumerable<string> ReadAsync(string argument, TextReader input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (argument != Stdin)
        {
            yield return Clean(argument);
            yield break;
        }

        while (await input.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return Clean(line);
            }
        }
    }

    /// <summary>Trims whitespace and a leading <c>Bearer</c> scheme (case-insensitive, followed by whitespace).</summary>
    public static string Clean(string token)
    {
        ReadOnlySpan<char> span = token.AsSpan().Trim();
        const string scheme = "Bearer";
        if (span.Length > scheme.Length && span.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && char.IsWhiteSpace(span[scheme.Length]))
        {
            span = span[scheme.Length..].TrimStart();
        }

        return span.Length == token.Length ? token : span.ToString();
    }
}
