using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace PortkeyJwt.Cli;

/// <summary>
/// What <c>validate</c> adds to an <see cref="PortkeyJwtError.UnsupportedAlgorithm"/> detail: the token's <c>alg</c> and
/// the flag that would accept it, e.g. "The token's alg is ES256; add --alg ES256 to accept it." Only the header's
/// <c>alg</c> is quoted, and only when it is a short plain name; never any other part of the token.
/// </summary>
internal static class AlgorithmHint
{
    /// <summary>Longest header segment decoded to find the <c>alg</c>.</summary>
    private const int MaxHeaderSegmentLength = 8 * 1024;

    /// <summary>Longest <c>alg</c> quoted in the hint.</summary>
    private const int MaxQuotedLength = 16;

    private static readonly SearchValues<char> PlainNameCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+");

    /// <summary>
    /// <paramref name="detail"/> followed by the hint for <paramref name="token"/>, or <paramref name="detail"/> alone when
    /// the header has no quotable <c>alg</c> or the <c>alg</c> is already in <paramref name="allowed"/>.
    /// </summary>
    public static string Append(string detail, string token, IEnumerable<string> allowed)
    {
        if (!TryReadAlgorithm(token, out string? algorithm) || allowed.Contains(algorithm, StringComparer.Ordinal))
        {
            return detail;
        }

        return Algorithms.All.Contains(algorithm, StringComparer.Ordinal)
            ? $"{detail} The token's alg is {algorithm}; add --alg {algorithm} to accept it."
            : $"{detail} The token's alg is {algorithm}, which portkey-jwt cannot accept (it verifies {string.Join(", ", Algorithms.All)}).";
    }

    /// <summary>The header's <c>alg</c> string when the header decodes and the name is short and plain.</summary>
    private static bool TryReadAlgorithm(string token, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? algorithm)
    {
        algorithm = null;
        int dot = token.IndexOf('.', StringComparison.Ordinal);
        ReadOnlySpan<char> segment = dot < 0 ? token : token.AsSpan(0, dot);
        if (segment.IsEmpty || segment.Length > MaxHeaderSegmentLength)
        {
            return false;
        }

        byte[] header = new byte[Base64Url.GetMaxDecodedLength(segment.Length)];
        if (Base64Url.DecodeFromChars(segment, header, out _, out int written) != OperationStatus.Done)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(header.AsMemory(0, written));
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("alg", out JsonElement alg)
                && alg.ValueKind == JsonValueKind.String
                && alg.GetString() is { Length: > 0 and <= MaxQuotedLength } name
                && !name.AsSpan().ContainsAnyExcept(PlainNameCharacters))
            {
                algorithm = name;
                return true;
            }
        }
        catch (JsonException)
        {
            // not a JSON header: the library's detail says enough
        }

        return false;
    }
}
