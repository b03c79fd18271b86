using System.Text;
using PortkeyJwt.Internal;

namespace PortkeyJwt.Tests.Internal;

/// <summary>
/// <see cref="Base64UrlStrict"/>: only <c>A–Z a–z 0–9 - _</c>, no padding or whitespace, and zero unused bits in the
/// last character, so every byte string has exactly one accepted encoding.
/// </summary>
public sealed class Base64UrlStrictTests
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    [Theory]
    [InlineData("")]
    [InlineData("QQ")] // "A"
    [InlineData("QUI")] // "AB"
    [InlineData("QUJD")] // "ABC"
    [InlineData("AQAB")]
    [InlineData("_w")] // 0xFF
    [InlineData("-_-_")]
    [InlineData("AAAAAAAA")]
    public void CanonicalEncoding_IsValid(string encoded) =>
        Assert.True(Base64UrlStrict.IsValid(Encoding.UTF8.GetBytes(encoded)));

    [Theory]
    [InlineData("Q")] // length % 4 == 1 cannot end on a whole byte
    [InlineData("QUJDR")]
    [InlineData("QR")] // "A" with non-zero unused bits; canonical is "QQ"
    [InlineData("QX")]
    [InlineData("QUJ")] // "AB" with non-zero unused bits; canonical is "QUI"
    [InlineData("_x")]
    [InlineData("QQ==")] // padding
    [InlineData("QQ=")]
    [InlineData("QUI=")]
    [InlineData("QUJD====")]
    [InlineData("=")]
    [InlineData("+/8")] // standard base64 alphabet
    [InlineData("QU+D")]
    [InlineData("QU/D")]
    [InlineData("QU D")] // whitespace, which .NET's own decoders skip
    [InlineData(" QUJD")]
    [InlineData("QUJD\n")]
    [InlineData("QU\tD")]
    [InlineData("QU\rD")]
    [InlineData("QUJD.")]
    [InlineData("QU%44")]
    [InlineData("QU\0D")]
    [InlineData("QUé")] // non-ASCII (two UTF-8 bytes)
    public void NonCanonicalOrForeignCharacters_AreInvalid(string encoded)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(encoded);
        Assert.False(Base64UrlStrict.IsValid(bytes));
        Assert.False(Base64UrlStrict.TryDecode(bytes, new byte[Base64UrlStrict.DecodedLength(bytes.Length) + 4], out _));
        Assert.Null(Base64UrlStrict.DecodeToArray(encoded));
    }

    /// <summary>
    /// <see cref="Base64UrlStrict.TryDecode"/> finds what .NET's decoder skips (whitespace, padding) by the decoded length
    /// alone: one or more such characters, at every position of every length, with any other foreign byte for contrast.
    /// </summary>
    [Theory]
    [InlineData(" ")]
    [InlineData("\t")]
    [InlineData("\n")]
    [InlineData("\r")]
    [InlineData("=")]
    [InlineData("==")]
    [InlineData("  ")]
    [InlineData("   ")]
    [InlineData(" = ")]
    [InlineData("+")]
    [InlineData("/")]
    [InlineData(".")]
    public void InsertedCharacters_AtEveryPosition_AreRefusedByTheOnePassDecode(string inserted)
    {
        var random = new Random(inserted.Length);
        for (int length = 0; length <= 40; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            string canonical = Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            for (int at = 0; at <= canonical.Length; at++)
            {
                byte[] variant = Encoding.ASCII.GetBytes(canonical.Insert(at, inserted));
                byte[] destination = new byte[Base64UrlStrict.DecodedLength(variant.Length) + 4];
                Assert.False(Base64UrlStrict.TryDecode(variant, destination, out _), $"{length} bytes, inserted at {at}");
                Assert.False(Base64UrlStrict.IsValid(variant));
            }
        }
    }

    [Fact]
    public void DecodeToArray_EmptyString_IsNull() => Assert.Null(Base64UrlStrict.DecodeToArray(string.Empty));

    [Theory]
    [InlineData("QQ", new byte[] { 0x41 })]
    [InlineData("AQAB", new byte[] { 0x01, 0x00, 0x01 })]
    [InlineData("_-8", new byte[] { 0xFF, 0xEF })]
    public void DecodeToArray_Canonical_ReturnsBytes(string encoded, byte[] expected) =>
        Assert.Equal(expected, Base64UrlStrict.DecodeToArray(encoded));

    /// <summary>Round trips for every length 0..64 against encodings derived from <see cref="Convert.ToBase64String(byte[])"/>.</summary>
    [Fact]
    public void RoundTrip_Lengths0To64_MatchesConvertEncoding()
    {
        var random = new Random(64);
        for (int length = 0; length <= 64; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            string standard = Convert.ToBase64String(data);
            string canonical = standard.TrimEnd('=').Replace('+', '-').Replace('/', '_');
            byte[] ascii = Encoding.ASCII.GetBytes(canonical);

            Assert.True(Base64UrlStrict.IsValid(ascii), $"length {length}: {canonical}");
            Assert.Equal(length, Base64UrlStrict.DecodedLength(ascii.Length));
            byte[] decoded = new byte[Base64UrlStrict.DecodedLength(ascii.Length)];
            Assert.True(Base64UrlStrict.TryDecode(ascii, decoded, out int written), $"length {length}");
            Assert.Equal(length, written);
            Assert.Equal(data, decoded);
            Assert.Equal(length == 0 ? null : data, Base64UrlStrict.DecodeToArray(canonical));

            // The padded form and the standard alphabet are other encodings of the same bytes: refused.
            if (standard.Contains('=', StringComparison.Ordinal) || standard.IndexOfAny(['+', '/']) >= 0)
            {
                Assert.False(Base64UrlStrict.IsValid(Encoding.ASCII.GetBytes(standard)), $"length {length}: {standard}");
            }
        }
    }

    /// <summary>
    /// For every length, exactly one of the 64 possible last characters is accepted per value of its used bits: the one
    /// whose unused low bits are zero (4 unused bits after 2 characters, 2 after 3, none after 4).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    public void LastCharacter_OnlyZeroUnusedBitsAreValid(int length)
    {
        string canonical = Convert.ToBase64String(Enumerable.Range(1, length).Select(k => (byte)(k * 37)).ToArray())
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        int unusedMask = (canonical.Length % 4) switch { 2 => 0x0F, 3 => 0x03, _ => 0x00 };

        for (int value = 0; value < 64; value++)
        {
            byte[] variant = Encoding.ASCII.GetBytes(canonical[..^1] + Alphabet[value]);
            Assert.Equal((value & unusedMask) == 0, Base64UrlStrict.IsValid(variant));
            Assert.Equal((value & unusedMask) == 0, Base64UrlStrict.TryDecode(variant, new byte[length + 1], out _));
        }
    }
}
