namespace PortkeyJwt.Cli;

/// <summary>One token for <c>validate</c> or <c>inspect</c> to answer, and where it came from.</summary>
/// <param name="Text">The token, cleaned by <see cref="TokenInput.Clean"/>; empty for a blank line.</param>
/// <param name="LineNumber">Its line on standard input, from 1; 0 for the command-line argument.</param>
internal readonly record struct TokenLine(string Text, int LineNumber)
{
    /// <summary>Whether the token was read from standard input (with <c>-</c>).</summary>
    public bool FromStdin => LineNumber > 0;

    /// <summary>A blank (or whitespace-only) line of standard input.</summary>
    public bool IsBlankLine => FromStdin && Text.Length == 0;
}
