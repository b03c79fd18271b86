namespace PortkeyJwt.Cli.Tests.Usage;

public sealed class TokenRedactionTests
{
    private static readonly string Token = TestKeys.Rs256.Sign(TestKeys.Claims());

    [Theory]
    [InlineData("unrecognized argument '{0}'.")]
    [InlineData("Bearer {0}")]
    [InlineData("x.{0}")] // a token glued to a word by a dot
    [InlineData("{0}\n")]
    public void Redact_TokenAnywhereInTheText_KeepsAnEightCharacterPrefixAndTheLength(string format)
    {
        string text = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, Token);

        string redacted = TokenRedaction.Redact(text);

        Assert.Equal(text.Replace(Token, $"{Token[..8]}… ({Token.Length} characters)", StringComparison.Ordinal), redacted);
    }

    [Fact]
    public void Redact_HeaderSegmentAlone_IsRedacted()
    {
        string header = Token.Split('.')[0];

        Assert.Equal($"'{header[..8]}… ({header.Length} characters)'", TokenRedaction.Redact($"'{header}'"));
    }

    [Fact]
    public void Redact_TwoTokens_RedactsBoth()
    {
        string other = TestKeys.Es256.Sign(TestKeys.Claims());

        string redacted = TokenRedaction.Redact($"{Token} {other}");

        Assert.Equal($"{Token[..8]}… ({Token.Length} characters) {other[..8]}… ({other.Length} characters)", redacted);
    }

    [Theory]
    [InlineData("unknown option '--scopes' for 'validate'; did you mean '--scope'?")]
    [InlineData("cannot read keys/jwks.json: Could not find file '/home/ada/keys/jwks.json'.")]
    [InlineData("portkey.completions.write logs.view")]
    [InlineData("https://very-long-subdomain.identity-provider.example.com/.well-known/jwks.json")]
    [InlineData("c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl")] // base64url, but not of a JSON object
    [InlineData("eyJhbGci")] // too short to be a token
    public void Redact_TextWithoutAToken_IsUnchanged(string text)
    {
        Assert.Same(text, TokenRedaction.Redact(text));
    }
}
