using System.Runtime.CompilerServices;

namespace PortkeyJwt.Cli;

/// <summary>The <c>&lt;token | -&gt;</c> argument shared by <c>validate</c> and <c>inspect</c>.</summary>
internal static class TokenInput
{
    /// <summary>The argument value that means "one token per line from standard input".</summary>
    public const string Stdin = "-";

    /// <summary>
    /// The tokens to process: the argument itself, or every line of <paramref name="input"/> in order, blank ones
    /// included, so that a command answering each item with one line answers line N of its input on line N of its output.
    /// Input without any line yields nothing. Every token is trimmed of surrounding whitespace and of a leading
    /// <c>Bearer </c> (any case), as pasted from a header.
    /// </summary>
    public static async IAsyncEnumerable<TokenLine> ReadAsync(string argument, TextReader input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (argument != Stdin)
        {
            yield return new TokenLine(Clean(argument), 0);
            yield break;
        }

        int number = 0;
        while (await input.ReadLineAsync(cancellationToken) is { } line)
        {
            yield return new TokenLine(Clean(line), ++number);
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
