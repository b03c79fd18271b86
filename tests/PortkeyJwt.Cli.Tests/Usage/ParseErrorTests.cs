namespace PortkeyJwt.Cli.Tests.Usage;

/// <summary>Every parse failure: one redacted <c>error:</c> line naming the real mistake, empty stdout, exit 2.</summary>
public sealed class ParseErrorTests
{
    private static readonly string Token = TestKeys.Rs256.Sign(TestKeys.Claims());

    [Theory]
    [InlineData("--scopes completions.write {token}")] // --scopes is taken for the token, the token is left over
    [InlineData("{token} --scopes completions.write")] // --scopes is left over
    [InlineData("--scopes {token}")] // --scopes is taken for the token, the parse itself succeeds
    [InlineData("{token} --scopes=completions.write")]
    public async Task MistypedOption_IsNamedWithTheClosestOption_AndTheTokenIsNeverPrinted(string rest)
    {
        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", "keys/jwks.json", .. rest.Replace("{token}", Token, StringComparison.Ordinal).Split(' ')]);

        AssertUsageError(run, "error: unknown option '--scopes' for 'validate'; did you mean '--scope'?");
        AssertNoTokenIn(run, Token);
    }

    [Fact]
    public async Task TwoTokens_SaysValidateTakesOne_AndShowsTheExtraOneRedacted()
    {
        string second = TestKeys.Es256.Sign(TestKeys.Claims());

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", "keys/jwks.json", Token, second]);

        AssertUsageError(run, $"error: 'validate' takes one token (or - for stdin); unexpected extra argument '{second[..8]}… ({second.Length} characters)'");
        AssertNoTokenIn(run, Token);
        AssertNoTokenIn(run, second);
    }

    [Fact]
    public async Task UnknownCommand_WithNothingClose_ListsTheCommandsOnOneErrorLine()
    {
        CliRun run = await CliRunner.RunAsync(["frobnicate"]);

        AssertUsageError(run, "error: unknown command 'frobnicate'; the commands are demo, validate, inspect, keygen, sign, serve-jwks, revoke, revocations", help: "portkey-jwt");
    }

    [Theory]
    [InlineData("validat", "validate")]
    [InlineData("sing", "sign")]
    [InlineData("inspcet", "inspect")]
    [InlineData("serve-jwk", "serve-jwks")]
    public async Task UnknownCommand_CloseToACommand_SuggestsIt(string typed, string suggested)
    {
        CliRun run = await CliRunner.RunAsync([typed, "--jwks", "j.json", Token]);

        AssertUsageError(run, $"error: unknown command '{typed}'; did you mean '{suggested}'?", help: "portkey-jwt");
        AssertNoTokenIn(run, Token);
    }

    [Fact]
    public async Task TokenInPlaceOfACommand_IsRedacted()
    {
        CliRun run = await CliRunner.RunAsync([Token]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: unknown command '{Token[..8]}… ({Token.Length} characters)'", run.Error, StringComparison.Ordinal);
        AssertNoTokenIn(run, Token);
    }

    [Fact]
    public async Task UnknownRootOption_IsNamedWithTheClosest()
    {
        CliRun run = await CliRunner.RunAsync(["--verison"]);

        AssertUsageError(run, "error: unknown option '--verison' for 'portkey-jwt'; did you mean '--version'?", help: "portkey-jwt");
    }

    [Fact]
    public async Task MissingRequiredOption_IsNamed_OnOneErrorLine()
    {
        CliRun run = await CliRunner.RunAsync(["validate", Token]);

        AssertUsageError(run, "error: Option '--jwks' or '--trust' is required.");
        AssertNoTokenIn(run, Token);
    }

    [Fact]
    public async Task ValueOfTheWrongType_IsNamedWithoutDotNetTypeNames()
    {
        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", "j.json", "--skew", "soon", "x.y.z"]);

        AssertUsageError(run, "error: --skew expects a whole number, not 'soon'");
    }

    [Fact]
    public async Task UnknownOption_WithNothingClose_IsNamedWithoutASuggestion()
    {
        CliRun run = await CliRunner.RunAsync(["inspect", Token, "--alg"]);

        AssertUsageError(run, "error: unknown option '--alg' for 'inspect'", help: "portkey-jwt inspect");
    }

    [Fact]
    public async Task DashArgumentAfterDoubleDash_IsATokenNotAnOption()
    {
        CliRun run = await CliRunner.RunAsync(["inspect", "--", "-not-an-option"]);

        Assert.Equal(1, run.ExitCode); // inspected, and rejected as not a JWS
        Assert.DoesNotContain("unknown option", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NegativeOptionValue_IsAValueNotAnOption()
    {
        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", "missing.json", "--skew", "-1", Token]);

        Assert.DoesNotContain("unknown option", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenGivenAsAFilePath_IsRedactedInTheCannotReadError()
    {
        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", Token, "-"]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: cannot read eyJhbGci… (", run.Error, StringComparison.Ordinal);
        AssertNoTokenIn(run, Token);
    }

    [Fact]
    public async Task Help_WinsOverAMistypedOption()
    {
        CliRun run = await CliRunner.RunAsync(["validate", "--scopes", "--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
    }

    /// <summary>Exit 2, nothing on stdout, and on stderr exactly <paramref name="expected"/> and the pointer to --help.</summary>
    private static void AssertUsageError(CliRun run, string expected, string help = "portkey-jwt validate")
    {
        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        string[] lines = run.Error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(1, lines.Count(l => l.StartsWith("error:", StringComparison.Ordinal)));
        Assert.Equal([expected, $"Run '{help} --help' for usage."], lines);
    }

    /// <summary>Neither stream holds the token, its header segment, its payload or its signature.</summary>
    internal static void AssertNoTokenIn(CliRun run, string token)
    {
        foreach (string part in (string[])[token, .. token.Split('.')])
        {
            Assert.DoesNotContain(part, run.Out, StringComparison.Ordinal);
            Assert.DoesNotContain(part, run.Error, StringComparison.Ordinal);
        }
    }
}
