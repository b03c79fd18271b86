using System.Buffers;
using System.Buffers.Text;

namespace PortkeyJwt.Internal;

/// <summary>
/// Strict base64url (RFC 4648 §5, RFC 7515 §2): only <c>A–Z a–z 0–9 - _</c>, no padding, no whitespace, and the unused
/// low bits of the last character must be zero, so every byte string has exactly one accepted encoding.
/// </summary>
/// <remarks>
/// .NET's decoders skip whitespace and the <c>Try…</c> forms throw on bad characters, so the alphabet is checked here and
/// only the <see cref="OperationStatus"/> overload of <see cref="Base64Url"/> is called.
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

    /// <summary>Decodes input already checked by <see cref="IsValid"/> into a destination of at least <see cref="DecodedLength"/> bytes.</summary>
    public static bool TryDecodeValidated(ReadOnlySpan<byte> encoded, Span<byte> destination, out int written)
    {
        OperationStatus status = Base64Url.DecodeFromUtf8(encoded, destination, out int consumed, out written, isFinalBlock: true);
        return status == OperationStatus.Done && consumed == encoded.Length;
    }

    /// <summary>Decodes a JWK member; returns null for anything that is not canonical strict base64url.</summary>
    public static byte[]? DecodeToArray(string encoded)
    {
        if (encoded.Length == 0 || !System.Text.Ascii.IsValid(encoded))
        {
            return null;
        }

        byte[] ascii = System.Text.Encoding.ASCII.GetBytes(encoded);
        if (!IsValid(ascii))
        {
            return null;
        }

        byte[] decoded = new byte[DecodedLength(ascii.Length)];
        return TryDecodeValidated(ascii, decoded, out int written) && written == decoded.Length ? decoded : null;
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
