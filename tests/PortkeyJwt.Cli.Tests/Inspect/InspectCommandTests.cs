namespace PortkeyJwt.Cli.Tests.Inspect;

public sealed class InspectCommandTests
{
    [Fact]
    public async Task Output_StartsWithUnverified_ThenPrettyHeaderAndClaims()
    {
        string token = TestKeys.Rs256.Sign(TestKeys.Claims());

        CliRun run = await CliRunner.RunAsync(["inspect", token]);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("UNVERIFIED", run.Out, StringComparison.Ordinal);
        Assert.Contains("Header:\n{\n  \"alg\": \"RS256\",\n  \"typ\": \"JWT\",\n  \"kid\": \"k1\"\n}", run.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("  \"portkey_oid\": \"org-7c1e\",", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Times_AreShownAsIsoAndRelativeToTheClock()
    {
        JsonObject claims = TestKeys.Claims();
        claims["exp"] = CliRunner.Now.AddMinutes(14).AddSeconds(20).ToUnixTimeSeconds();
        claims["nbf"] = CliRunner.Now.AddHours(-3).AddMinutes(-5).ToUnixTimeSeconds();
        claims["iat"] = CliRunner.Now.AddDays(-2).ToUnixTimeSeconds();

        CliRun run = await CliRunner.RunAsync(["inspect", TestKeys.Rs256.Sign(claims)]);

        Assert.Contains("exp: 2026-06-01T12:14:20Z (expires in 14 min)", run.Out, StringComparison.Ordinal);
        Assert.Contains("nbf: 2026-06-01T08:55:00Z (valid since 3 h ago)", run.Out, StringComparison.Ordinal);
        Assert.Contains("iat: 2026-05-30T12:00:00Z (issued 2 d ago)", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredToken_SaysExpiredAgo()
    {
        JsonObject claims = TestKeys.Claims();
        claims["exp"] = CliRunner.Now.AddHours(-3).AddMinutes(-1).ToUnixTimeSeconds();

        CliRun run = await CliRunner.RunAsync(["inspect", TestKeys.Rs256.Sign(claims)]);

        Assert.Contains("(expired 3 h ago)", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signature_IsNeverPrinted_OnlyItsLength()
    {
        string rsa = TestKeys.Rs256.Sign(TestKeys.Claims());
        string ec = TestKeys.Es256.Sign(TestKeys.Claims());

        CliRun run = await CliRunner.RunAsync(["inspect", "-"], $"{rsa}\n{ec}\n");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain(rsa.Split('.')[2], run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(ec.Split('.')[2], run.Out, StringComparison.Ordinal);
        Assert.Contains("Signature: 256 bytes (not shown)", run.Out, StringComparison.Ordinal);
        Assert.Contains("Signature: 64 bytes (not shown)", run.Out, StringComparison.Ordinal);
        Assert.Equal(2, run.Lines.Count(l => l.StartsWith("UNVERIFIED", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task BearerPrefix_IsTrimmed()
    {
        CliRun run = await CliRunner.RunAsync(["inspect", "Bearer " + TestKeys.Rs256.Sign(TestKeys.Claims())]);

        Assert.Equal(0, run.ExitCode);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("!!!.e30.c2ln")] // not base64url
    [InlineData("e30=.e30.c2ln")] // padding is not base64url
    [InlineData("bm90IGpzb24.e30.c2ln")] // header "not json"
    [InlineData("e30.WzFd.c2ln")] // payload is an array, not an object
    public async Task Garbage_ExitsOneWithAMessageOnStderr_AndPrintsNothing(string token)
    {
        CliRun run = await CliRunner.RunAsync(["inspect", token]);

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.StartsWith("error: the token is not a JWS compact token:", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stdin_EveryLineIsAnsweredInOrder_ReportsAndErrorsNameTheirLine_ExitsOne()
    {
        string token = TestKeys.Rs256.Sign(TestKeys.Claims());

        CliRun run = await CliRunner.RunAsync(["inspect", "-"], $"{token}\nnonsense\n \n{token}\n");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            ["UNVERIFIED (line 1): the signature was not checked; do not trust these values.", "UNVERIFIED (line 4): the signature was not checked; do not trust these values."],
            run.Lines.Where(l => l.StartsWith("UNVERIFIED", StringComparison.Ordinal)));
        Assert.Equal(
            ["error: line 2 is not a JWS compact token: expected three dot-separated segments (header.payload.signature).", "error: line 3 is empty."],
            run.Error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Stdin_WithNoLines_PrintsNothing_ExitsZero()
    {
        CliRun run = await CliRunner.RunAsync(["inspect", "-"], stdin: "");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task UnsignedToken_IsDecodedWithAZeroLengthSignature()
    {
        string token = "eyJhbGciOiJub25lIn0.e30.";

        CliRun run = await CliRunner.RunAsync(["inspect", token]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\"alg\": \"none\"", run.Out, StringComparison.Ordinal);
        Assert.Contains("Signature: 0 bytes", run.Out, StringComparison.Ordinal);
    }
}
