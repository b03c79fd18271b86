using System.Buffers;
using System.Buffers.Text;

namespace PortkeyJwt.Internal;

/// <summary>
/// Strict base64url (RFC 4648 §5, RFC 7515 §2): only <c>A–Z a–z 0–9 - _</c>, no padding, no whitespace, and the unused
/// low bits of the last character must be zero, so every byte string has exactly one accepted encoding.
/// </summary>
/// <remarks>
/// .NET's decoders skip whitespace and the <c>Try…</c> forms throw on bad characters, so only the
/// <see cref="OperationStatus"/> overload of <see cref="Base64Url"/> is called, and what it skipped is detected (see <see cref="TryDecode"/>).
/// </remarks>
internal static class Base64UrlStrict
{
    public static readonly SearchValues<byte> Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"u8);

    /// <summary>Whether <paramref name="encoded"/> is canonical strict base64url (the empty string is).</summary>
    public static bool IsValid(ReadOnlySpan<byte> encoded)
    {
        if (encoded.IndexOfAnyExcept(Alphabet) >= 0)
        {
            return false;
        }

        return HasCanonicalTail(encoded);
    }

    /// <summary>The exact decoded length of a valid encoding.</summary>
    public static int DecodedLength(int encodedLength) => (encodedLength * 3) >> 2;

    /// <summary>
    /// Decodes <paramref name="encoded"/> into a destination of at least <see cref="DecodedLength"/> bytes when it is
    /// canonical strict base64url, in one pass; false otherwise, with what was written meaningless. Agrees with
    /// <see cref="IsValid"/> on every input.
    /// </summary>
    /// <remarks>
    /// .NET's decoder rejects <c>+</c>, <c>/</c> and any other byte outside the alphabet, but skips whitespace and accepts
    /// padding. A skipped character is never written: the decoder then ends short of <see cref="DecodedLength"/> of the
    /// whole input (for every length that is not 1 mod 4, which no encoding has), so that comparison finds it without a
    /// second scan.
    /// </remarks>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, Span<byte> destination, out int written)
    {
        written = 0;
        if (!HasCanonicalTail(encoded))
        {
            return false;
        }

        OperationStatus status = Base64Url.DecodeFromUtf8(encoded, destination, out int consumed, out written, isFinalBlock: true);
        return status == OperationStatus.Done && consumed == encoded.Length && written == DecodedLength(encoded.Length);
    }

    /// <summary>Decodes a JWK member; returns null for anything that is not canonical strict base64url.</summary>
    public static byte[]? DecodeToArray(string encoded)
    {
        if (encoded.Length == 0 || !System.Text.Ascii.IsValid(encoded))
        {
            return null;
        }

        byte[] ascii = System.Text.Encoding.ASCII.GetBytes(encoded);
        byte[] decoded = new byte[DecodedLength(ascii.Length)];
        return TryDecode(ascii, decoded, out _) ? decoded : null;
    }

    private static bool HasCanonicalTail(ReadOnlySpan<byte> encoded)
    {
        int remainder = encoded.Length & 3;
        if (remainder == 0)
        {
            return true;
        }

        if (remainder == 1)
        {
            return false; // one character cannot encode a whole byte
        }

        int last = SextetValue(encoded[^1]);
        int unusedBitsMask = remainder == 2 ? 0x0F : 0x03;
        return (last & unusedBitsMask) == 0;
    }

    private static int SextetValue(byte c) => c switch
    {
        >= (byte)'A' and <= (byte)'Z' => c - 'A',
        >= (byte)'a' and <= (byte)'z' => c - 'a' + 26,
        >= (byte)'0' and <= (byte)'9' => c - '0' + 52,
        (byte)'-' => 62,
        _ => 63,
    };
}
