using System.Text;
using System.Text.Json;

namespace PortkeyJwt.Cli.Tests.Validate;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _jwks;

    public ValidateCommandTests() => _jwks = _dir.Write("jwks.json", TestKeys.Jwks);

    public void Dispose() => _dir.Dispose();

    private Task<CliRun> Validate(string token, params string[] options) =>
        CliRunner.RunAsync(["validate", "--jwks", _jwks, .. options, token]);

    [Fact]
    public async Task ValidToken_PrintsOneLineWithTheExactPrincipalShape_ExitsZero()
    {
        CliRun run = await Validate(TestKeys.Rs256.Sign(TestKeys.Claims()));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            """{"valid":true,"principal":{"organisationId":"org-7c1e","workspaceSlug":"ws-prod","userId":"ada@example.com","email":"ada@example.com","subject":null,"uid":null,"scopes":["completions.write","logs.view"],"expiresAt":"2026-06-01T12:10:00Z","issuer":"https://auth.example","keyId":"k1"}}""" + Environment.NewLine,
            run.Out);
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task ExpiredToken_PrintsErrorStatus401AndDetail_ExitsOne()
    {
        JsonObject claims = TestKeys.Claims();
        claims["exp"] = CliRunner.Now.AddMinutes(-5).ToUnixTimeSeconds();

        CliRun run = await Validate(TestKeys.Rs256.Sign(claims));

        Assert.Equal(1, run.ExitCode);
        AssertRejection(Assert.Single(run.Lines), "Expired", 401);
    }

    [Fact]
    public async Task MissingRequiredScope_Prints403InsufficientScope_ExitsOne()
    {
        CliRun run = await Validate(TestKeys.Rs256.Sign(TestKeys.Claims()), "--scope", "completions.write", "--scope", "admin");

        Assert.Equal(1, run.ExitCode);
        AssertRejection(Assert.Single(run.Lines), "InsufficientScope", 403);
    }

    [Fact]
    public async Task GrantedRequiredScopes_AreAccepted_WithOrWithoutPortkeyPrefix()
    {
        CliRun run = await Validate(TestKeys.Rs256.Sign(TestKeys.Claims()), "--scope", "completions.write", "--scope", "portkey.logs.view");

        Assert.Equal(0, run.ExitCode);
    }

    [Theory]
    [InlineData("https://auth.example", 0)]
    [InlineData("https://other.example", 1)]
    public async Task Issuer_IsCheckedOnlyWhenGiven(string issuer, int expectedExit)
    {
        CliRun run = await Validate(TestKeys.Rs256.Sign(TestKeys.Claims()), "--issuer", "https://nope.example", "--issuer", issuer);

        Assert.Equal(expectedExit, run.ExitCode);
        if (expectedExit == 1)
        {
            AssertRejection(run.Lines[0], "InvalidIssuer", 401);
        }
    }

    [Fact]
    public async Task Audience_WhenGiven_MustBeNamedByTheToken()
    {
        JsonObject claims = TestKeys.Claims();
        claims["aud"] = "gateway";
        string token = TestKeys.Rs256.Sign(claims);

        Assert.Equal(0, (await Validate(token, "--audience", "gateway")).ExitCode);
        CliRun wrong = await Validate(token, "--audience", "billing");
        Assert.Equal(1, wrong.ExitCode);
        AssertRejection(wrong.Lines[0], "InvalidAudience", 401);
    }

    [Theory]
    [InlineData("Bearer {0}")]
    [InlineData("  bearer   {0}  ")]
    [InlineData("\t{0}\n")]
    public async Task BearerPrefixAndWhitespace_AreTrimmed(string format)
    {
        string token = TestKeys.Rs256.Sign(TestKeys.Claims());

        CliRun run = await Validate(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, token));

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("""{"valid":true""", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stdin_OutputLineNAnswersInputLineN_BlankLinesAreMalformedNamingTheLine_MixedExitsOne()
    {
        JsonObject expired = TestKeys.Claims();
        expired["exp"] = CliRunner.Now.AddHours(-3).ToUnixTimeSeconds();
        JsonObject bySubject = TestKeys.Claims();
        bySubject.Remove("email_id");
        bySubject["sub"] = "user-17";
        string stdin = string.Join('\n',
            TestKeys.Rs256.Sign(TestKeys.Claims()),
            "",
            "   ",
            "Bearer " + TestKeys.Rs256.Sign(expired),
            "  " + TestKeys.Rs256.Sign(bySubject) + "  ",
            "not-a-token",
            "\t") + "\n";

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", _jwks, "-"], stdin);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(7, run.Lines.Length);
        Assert.Equal("ada@example.com", Parse(run.Lines[0]).GetProperty("principal").GetProperty("userId").GetString());
        AssertRejection(run.Lines[1], "Malformed", 401, "Line 2 is empty.");
        AssertRejection(run.Lines[2], "Malformed", 401, "Line 3 is empty.");
        AssertRejection(run.Lines[3], "Expired", 401);
        Assert.Equal("user-17", Parse(run.Lines[4]).GetProperty("principal").GetProperty("userId").GetString());
        AssertRejection(run.Lines[5], "Malformed", 401);
        AssertRejection(run.Lines[6], "Malformed", 401, "Line 7 is empty.");
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task Stdin_WithNoLines_PrintsNothing_ExitsZero()
    {
        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", _jwks, "-"], stdin: "");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task Stdin_OneBlankLine_IsOneMalformedVerdict_ExitsOne()
    {
        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", _jwks, "-"], stdin: "\n");

        Assert.Equal(1, run.ExitCode);
        AssertRejection(Assert.Single(run.Lines), "Malformed", 401, "Line 1 is empty.");
    }

    [Fact]
    public async Task Stdin_AllValid_ExitsZero()
    {
        string token = TestKeys.Rs256.Sign(TestKeys.Claims());

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", _jwks, "-"], $"{token}\r\n{token}\r\n");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(2, run.Lines.Length);
        Assert.All(run.Lines, line => Assert.True(Parse(line).GetProperty("valid").GetBoolean()));
    }

    [Fact]
    public async Task Ps256Token_IsRejectedByDefault_NamingItsAlgAndTheFlag_AndAcceptedWithAlgPs256()
    {
        string token = TestKeys.Ps256.Sign(TestKeys.Claims());

        CliRun strict = await Validate(token);
        CliRun widened = await Validate(token, "--alg", "PS256");

        Assert.Equal(1, strict.ExitCode);
        AssertRejection(strict.Lines[0], "UnsupportedAlgorithm", 401);
        Assert.EndsWith(" The token's alg is PS256; add --alg PS256 to accept it.", Parse(strict.Lines[0]).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, widened.ExitCode);
        Assert.Equal("k1-pss", Parse(widened.Lines[0]).GetProperty("principal").GetProperty("keyId").GetString());
    }

    [Fact]
    public async Task Alg_IsTheExactAllowlist_Es256OnlyAcceptsEs256AndRejectsRs256()
    {
        string stdin = TestKeys.Es256.Sign(TestKeys.Claims()) + "\n" + TestKeys.Rs256.Sign(TestKeys.Claims());

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", _jwks, "--alg", "ES256", "-"], stdin);

        Assert.Equal(1, run.ExitCode);
        Assert.True(Parse(run.Lines[0]).GetProperty("valid").GetBoolean());
        AssertRejection(run.Lines[1], "UnsupportedAlgorithm", 401);
        Assert.EndsWith(" The token's alg is RS256; add --alg RS256 to accept it.", Parse(run.Lines[1]).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alg_Repeated_AcceptsEachGiven()
    {
        string stdin = TestKeys.Es256.Sign(TestKeys.Claims()) + "\n" + TestKeys.Rs256.Sign(TestKeys.Claims());

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", _jwks, "--alg", "ES256", "--alg", "RS256", "-"], stdin);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(2, run.Lines.Length);
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("none")]
    [InlineData("EdDSA")]
    public async Task UnsupportedAlg_NotAcceptableByAnyFlag_IsNamedWithWhatCanBeAccepted(string alg)
    {
        CliRun run = await Validate(TokenWithAlg(alg));

        AssertRejection(Assert.Single(run.Lines), "UnsupportedAlgorithm", 401);
        Assert.EndsWith(
            $" The token's alg is {alg}, which portkey-jwt cannot accept (it verifies RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512).",
            Parse(run.Lines[0]).GetProperty("detail").GetString(),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RS256 \u001b[31m")] // not a plain name
    [InlineData("RS256RS256RS256RS256")] // longer than 16 characters
    public async Task UnsupportedAlg_NotAShortPlainName_IsNotQuoted(string alg)
    {
        CliRun run = await Validate(TokenWithAlg(alg));

        AssertRejection(Assert.Single(run.Lines), "UnsupportedAlgorithm", 401);
        Assert.DoesNotContain("The token's alg", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", run.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 0)] // default skew 60 s covers a token that expired 30 s ago
    [InlineData("60", 0)]
    [InlineData("0", 1)]
    [InlineData("29", 1)]
    public async Task Skew_DecidesWhetherATokenExpired30SecondsAgoIsAccepted(string? skew, int expectedExit)
    {
        JsonObject claims = TestKeys.Claims();
        claims["exp"] = CliRunner.Now.AddSeconds(-30).ToUnixTimeSeconds();

        CliRun run = await Validate(TestKeys.Rs256.Sign(claims), skew is null ? [] : ["--skew", skew]);

        Assert.Equal(expectedExit, run.ExitCode);
    }

    [Theory]
    [InlineData("301")]
    [InlineData("-1")]
    public async Task Skew_OutOfRange_ExitsTwoWithTheRangeInTermsOfTheFlag(string skew)
    {
        CliRun run = await Validate(TestKeys.Rs256.Sign(TestKeys.Claims()), "--skew", skew);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Equal(["error: --skew must be from zero to 5 minutes."], ErrorLines(run));
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("none")]
    [InlineData("XX999")]
    public async Task Alg_NotAllowable_ExitsTwo(string algorithm)
    {
        CliRun run = await Validate(TestKeys.Rs256.Sign(TestKeys.Claims()), "--alg", algorithm);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.StartsWith("error: --alg:", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("""{"keys":[]}""")]
    public async Task InvalidJwksFile_ExitsTwoWithOneLineOnStderr_AndNothingOnStdout(string content)
    {
        string path = _dir.Write("bad.json", content);

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", path, TestKeys.Rs256.Sign(TestKeys.Claims())]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.StartsWith($"error: {path}:", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, run.Error.Count(c => c == '\n'));
    }

    [Fact]
    public async Task JwksFileWithNoUsableKey_ExitsTwo_SayingWhyEachKeyWasSkipped()
    {
        JsonObject oct = new() { ["kty"] = "oct", ["kid"] = "h", ["k"] = "c2VjcmV0" };
        string path = _dir.Write("unusable.json", new JsonObject { ["keys"] = new JsonArray(PrivateJwk(), oct) }.ToJsonString());

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", path, "x.y.z"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Equal(
            [
                $"error: {path}: The JWKS cannot be used: no key in the set is usable for signature verification.",
                "  JWKS key #0 (kid 'k1') skipped: it carries private key material ('d'); a JWKS must publish public keys only",
                "  JWKS key #1 (kid 'h') skipped: it carries private key material ('k'); a JWKS must publish public keys only",
            ],
            ErrorLines(run));
    }

    [Fact]
    public async Task JwksFileWithSomeKeysSkipped_WarnsPerSkippedKey_AndValidatesWithTheRest()
    {
        JsonObject signing = TestKeys.Es256.PublicJwk();
        JsonObject encryption = TestKeys.Ps256.PublicJwk();
        encryption["use"] = "enc";
        string path = _dir.Write("mixed.json", new JsonObject { ["keys"] = new JsonArray(PrivateJwk(), signing, encryption) }.ToJsonString());

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", path, "--alg", "ES256", TestKeys.Es256.Sign(TestKeys.Claims())]);

        Assert.Equal(0, run.ExitCode);
        Assert.Single(run.Lines);
        Assert.Equal(
            [
                "warning: JWKS key #0 (kid 'k1') skipped: it carries private key material ('d'); a JWKS must publish public keys only",
                "warning: JWKS key #2 (kid 'k1-pss') skipped: its 'use' is not 'sig'",
            ],
            ErrorLines(run));
    }

    [Fact]
    public async Task JwksFileWithEveryKeyUsable_WritesNothingToStderr()
    {
        CliRun run = await Validate(TestKeys.Rs256.Sign(TestKeys.Claims()));

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
    }

    /// <summary>The RS256 key "k1" as a JWK with its private exponent 'd'.</summary>
    private static JsonObject PrivateJwk()
    {
        var rsa = (System.Security.Cryptography.RSA)TestKeys.Rs256.Key;
        JsonObject jwk = TestKeys.Rs256.PublicJwk();
        jwk["d"] = TestTokenSigner.B64(rsa.ExportParameters(true).D!);
        return jwk;
    }

    internal static string[] ErrorLines(CliRun run) => run.Error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');

    [Fact]
    public async Task JwksIsADirectory_SaysSo_ExitsTwo()
    {
        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", _dir.Path, "x.y.z"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Equal([$"error: cannot read {_dir.Path}: it is a directory, not a file"], ErrorLines(run));
    }

    [Fact]
    public async Task MissingJwksFile_ExitsTwo()
    {
        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", _dir.File("nope.json"), "x.y.z"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.StartsWith("error: cannot read", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("validate x.y.z")] // --jwks missing
    [InlineData("validate --jwks j.json")] // token missing
    [InlineData("validate --jwks j.json --skew soon x.y.z")]
    [InlineData("validate --jwks j.json --frobnicate x.y.z")]
    [InlineData("validate --jwks")] // value and token missing: still one error line
    public async Task UsageErrors_ExitTwo_WithExactlyOneErrorLine(string commandLine)
    {
        CliRun run = await CliRunner.RunAsync(commandLine.Split(' '));

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Single(run.Error.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Output_NeverContainsTheTokenOrItsSignature()
    {
        string valid = TestKeys.Rs256.Sign(TestKeys.Claims());
        string tampered = TestKeys.Tampered(valid);
        JsonObject expired = TestKeys.Claims();
        expired["exp"] = 0;
        string old = TestKeys.Rs256.Sign(expired);

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", _jwks, "-"], string.Join('\n', valid, tampered, old));

        Assert.Equal(3, run.Lines.Length);
        AssertRejection(run.Lines[1], "InvalidSignature", 401);
        foreach (string token in new[] { valid, tampered, old })
        {
            foreach (string segment in token.Split('.'))
            {
                Assert.DoesNotContain(segment, run.Out, StringComparison.Ordinal);
                Assert.DoesNotContain(segment, run.Error, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>A token whose header is {"alg":alg,"kid":"k1"}, with valid claims and a junk signature.</summary>
    private static string TokenWithAlg(string alg) =>
        TestTokenSigner.B64(Encoding.UTF8.GetBytes(new JsonObject { ["alg"] = alg, ["kid"] = "k1" }.ToJsonString()))
        + "." + TestTokenSigner.B64(Encoding.UTF8.GetBytes(TestKeys.Claims().ToJsonString())) + ".c2ln";

    internal static JsonElement Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    /// <summary>The rejection shape: exactly valid, error, status, detail, in that order; the detail when <paramref name="detail"/> is given.</summary>
    internal static void AssertRejection(string line, string error, int status, string? detail = null)
    {
        JsonElement root = Parse(line);
        Assert.Equal(["valid", "error", "status", "detail"], root.EnumerateObject().Select(p => p.Name));
        Assert.False(root.GetProperty("valid").GetBoolean());
        Assert.Equal(error, root.GetProperty("error").GetString());
        Assert.Equal(status, root.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("detail").GetString()));
        if (detail is not null)
        {
            Assert.Equal(detail, root.GetProperty("detail").GetString());
        }
    }
}
