using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace PortkeyJwt.Cli;

/// <summary>
/// Replaces anything in a message that looks like a JWT with a short prefix and its length, e.g.
/// <c>eyJhbGci… (812 characters)</c>: a safety net for messages that quote the command line, so a mistyped option
/// next to <c>"$TOKEN"</c> never copies the token to a terminal, a log or a CI transcript.
/// </summary>
/// <remarks>
/// A run of base64url characters and dots looks like a token from its first dot-separated segment that is at least
/// <see cref="MinimumSegmentLength"/> characters and decodes to text starting with <c>{</c> (a JOSE header is a JSON
/// object, which is why tokens start with <c>eyJ</c>), up to the end of the run, when that part is at least
/// <see cref="MinimumTokenLength"/> characters. Words, paths, scopes and host names never decode to <c>{</c>, so they are kept.
/// </remarks>
internal static class TokenRedaction
{
    /// <summary>Characters kept from the start of a redacted token: <c>eyJhbGci</c> is the header's <c>{"alg"</c>.</summary>
    public const int KeptPrefixLength = 8;

    private const int MinimumSegmentLength = 8;
    private const int MinimumTokenLength = 16;

    private static readonly SearchValues<char> RunCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    /// <summary><paramref name="text"/> with every token-like run replaced by <see cref="Redacted"/>; the same instance when there is none.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        StringBuilder? result = null;
        int copied = 0;
        int index = 0;
        while (index < text.Length)
        {
            int start = text.AsSpan(index).IndexOfAny(RunCharacters);
            if (start < 0)
            {
                break;
            }

            start += index;
            int length = text.AsSpan(start).IndexOfAnyExcept(RunCharacters);
            int end = length < 0 ? text.Length : start + length;
            if (TokenStart(text.AsSpan(start, end - start)) is int offset)
            {
                result ??= new StringBuilder(text.Length);
                result.Append(text, copied, start + offset - copied).Append(Redacted(text.AsSpan(start + offset, end - start - offset)));
                copied = end;
            }

            index = end;
        }

        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>The stand-in for a token: its first <see cref="KeptPrefixLength"/> characters, an ellipsis and its length.</summary>
    public static string Redacted(ReadOnlySpan<char> token) =>
        string.Create(CultureInfo.InvariantCulture, $"{token[..Math.Min(KeptPrefixLength, token.Length)]}… ({token.Length} characters)");

    /// <summary>Where in <paramref name="run"/> (base64url characters and dots) a token starts, or null when none does.</summary>
    private static int? TokenStart(ReadOnlySpan<char> run)
    {
        int offset = 0;
        while (run.Length - offset >= MinimumTokenLength)
        {
            ReadOnlySpan<char> rest = run[offset..];
            int dot = rest.IndexOf('.');
            ReadOnlySpan<char> segment = dot < 0 ? rest : rest[..dot];
            if (segment.Length >= MinimumSegmentLength && DecodesToJsonObjectStart(segment))
            {
                return offset;
            }

            if (dot < 0)
            {
                return null;
            }

            offset += dot + 1;
        }

        return null;
    }

    /// <summary>Whether the first few bytes <paramref name="segment"/> encodes, after JSON whitespace, are <c>{</c>.</summary>
    private static bool DecodesToJsonObjectStart(ReadOnlySpan<char> segment)
    {
        Span<byte> bytes = stackalloc byte[6];
        if (Base64Url.DecodeFromChars(segment[..8], bytes, out _, out int written, isFinalBlock: false) != OperationStatus.Done)
        {
            return false;
        }

        int first = bytes[..written].IndexOfAnyExcept(" \t\r\n"u8);
        return first >= 0 && bytes[first] == (byte)'{';
    }
}
