using System.Buffers;
using System.Text;

namespace PortkeyJwt.Tests.Hardening;

/// <summary>
/// Decoded token bytes are secrets: a validation clears the part of its buffer it wrote (the token's ASCII copy and the
/// decoded header, signature and payload) before the buffer goes back to <see cref="ArrayPool{T}.Shared"/>. Tokens longer
/// than 2048 characters use a pooled buffer, and the shared pool hands the array a thread returned last back to that
/// thread's next rent of the same size. So the spec plants a marked array there, validates on the same thread, rents it
/// back and reads what the validation left in it, checking first that it is the very array the validation used.
/// </summary>
public sealed class BufferClearingTests
{
    private const byte Planted = 0xA5;

    public static TheoryData<string> Outcomes => new() { "valid", "expired", "bad signature", "unknown kid" };

    [Theory]
    [MemberData(nameof(Outcomes))]
    public void LongToken_AfterValidation_LeavesNothingItDecodedInThePooledBuffer(string outcome)
    {
        string marker = "secret-marker-" + Guid.NewGuid().ToString("N");
        JsonObject claims = Tokens.Claims().With(("note", marker + new string('x', 3000))); // not a claim the validator reads
        if (outcome == "expired")
        {
            claims = claims.With(("exp", Tokens.NowSeconds - 3600));
        }

        string token = Tokens.Mint(claims, outcome == "unknown kid" ? Tokens.Header(TestKey.Default).With(("kid", "no-such-key")) : null);
        if (outcome == "bad signature")
        {
            token = Tokens.Mint(claims, key: RuleKit.Impostor);
        }

        Assert.InRange(token.Length, 2049, 16 * 1024); // the pooled path, under the default MaxTokenLength
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { ValidationCache = false });
        int needed = token.Length + (token.Length * 3 / 4); // as the validator sizes it: the token's ASCII, then its decoded segments
        PortkeyJwtResult result = Validate(validator, token); // warm up: the same path has run once on this thread

        byte[] planted = ArrayPool<byte>.Shared.Rent(needed);
        planted.AsSpan().Fill(Planted);
        ArrayPool<byte>.Shared.Return(planted);
        result = Validate(validator, token);
        byte[] back = ArrayPool<byte>.Shared.Rent(needed);
        try
        {
            Assert.Equal(outcome switch
            {
                "valid" => PortkeyJwtError.None,
                "expired" => PortkeyJwtError.Expired,
                "bad signature" => PortkeyJwtError.InvalidSignature,
                _ => PortkeyJwtError.UnknownKey,
            }, result.Error);
            Assert.Same(planted, back); // the array the validation rented and returned
            Assert.Equal(0, back[0]); // it was written (the header's first ASCII character) and cleared

            // Every byte is what was planted or a cleared zero: no ASCII of the token, no decoded header, signature or payload.
            int left = back.AsSpan(0, needed).IndexOfAnyExcept(Planted, (byte)0);
            Assert.True(left < 0, $"Byte {left} of the buffer still holds 0x{(left < 0 ? 0 : back[left]):X2} after a '{outcome}' validation.");
            Assert.Equal(-1, back.AsSpan().IndexOf(Encoding.ASCII.GetBytes(marker)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(back);
        }
    }

    /// <summary>
    /// Claim text the validator unescapes into a char buffer (an identifier over 256 characters, a scope string over 512)
    /// comes from a pooled array, which must go back cleared: the spec plants a marked array of that size, validates on the
    /// same thread and reads what is left in it.
    /// </summary>
    [Theory]
    [InlineData("email_id")]
    [InlineData("scope")]
    public void LongClaimText_AfterValidation_LeavesNothingInThePooledCharBuffer(string claim)
    {
        string marker = "marker" + Guid.NewGuid().ToString("N");
        string value = claim == "scope"
            ? string.Join(' ', Enumerable.Range(0, 20).Select(i => $"{marker}.{i:D3}"))
            : marker + new string('u', 400) + "@example.com";
        Assert.InRange(value.Length, claim == "scope" ? 513 : 257, 1024); // the pooled path of that claim
        string token = Tokens.Mint(Tokens.Claims().With((claim, value)));
        var options = new PortkeyJwtOptions { ValidationCache = false };
        Assert.Equal(PortkeyJwtError.None, Validate(Tokens.Validator(options), token).Error); // warm up, and the claim is read

        // A fresh validator: one that has read these claim bytes before finds their values without decoding them again.
        PortkeyJwtValidator validator = Tokens.Validator(options);
        char[] planted = ArrayPool<char>.Shared.Rent(value.Length);
        planted.AsSpan().Fill('\u2603');
        ArrayPool<char>.Shared.Return(planted);
        PortkeyJwtResult result = Validate(validator, token);
        char[] back = ArrayPool<char>.Shared.Rent(value.Length);
        try
        {
            Assert.Equal(PortkeyJwtError.None, result.Error);
            Assert.Same(planted, back); // the array the validation rented and returned
            Assert.Equal('\0', back[0]); // it was written (the claim's first character) and cleared
            int left = back.AsSpan(0, value.Length).IndexOfAnyExcept('\u2603', '\0');
            Assert.True(left < 0, $"Character {left} of the buffer still holds '{(left < 0 ? ' ' : back[left])}' after reading '{claim}'.");
        }
        finally
        {
            ArrayPool<char>.Shared.Return(back);
        }
    }

    private static PortkeyJwtResult Validate(PortkeyJwtValidator validator, string token) => validator.ValidateNow(token);
}
