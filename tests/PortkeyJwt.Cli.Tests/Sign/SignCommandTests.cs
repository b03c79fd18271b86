using System.Security.Cryptography;

namespace PortkeyJwt.Cli.Tests.Sign;

public sealed class SignCommandTests : IDisposable
{
    private static readonly long Now = CliRunner.Now.ToUnixTimeSeconds();
    private readonly TempDirectory _dir = new();
    private readonly string _rsaKey;

    public SignCommandTests() => _rsaKey = _dir.Write("rsa.pem", ((RSA)TestKeys.Rs256.Key).ExportPkcs8PrivateKeyPem());

    public void Dispose() => _dir.Dispose();

    private async Task<(CliRun Run, JsonObject Claims)> Sign(params string[] options)
    {
        CliRun run = await CliRunner.RunAsync(["sign", "--key", _rsaKey, "--kid", "k1", "--org", "o", "--workspace", "w", "--scope", "s", .. options]);
        Assert.Equal(0, run.ExitCode);
        return (run, TestKeys.Payload(Assert.Single(run.Lines)));
    }

    [Fact]
    public async Task Token_HasPortkeyShape_ScopeAsSpaceSeparatedString_AndIatNbfExp()
    {
        CliRun run = await CliRunner.RunAsync(["sign", "--key", _rsaKey, "--kid", "k1", "--org", "org-7c1e", "--workspace", "ws-prod",
            "--scope", "completions.write", "--scope", "logs.view", "--email", "ada@example.com", "--issuer", "https://i", "--audience", "gw"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        JsonObject claims = TestKeys.Payload(run.Lines[0]);
        Assert.Equal("org-7c1e", (string?)claims["portkey_oid"]);
        Assert.Equal("ws-prod", (string?)claims["portkey_workspace"]);
        Assert.Equal("completions.write logs.view", (string?)claims["scope"]);
        Assert.Equal("ada@example.com", (string?)claims["email_id"]);
        Assert.Equal("https://i", (string?)claims["iss"]);
        Assert.Equal("gw", (string?)claims["aud"]);
        Assert.Equal(Now, (long)claims["iat"]!);
        Assert.Equal(Now, (long)claims["nbf"]!);
        Assert.Equal(Now + 3600, (long)claims["exp"]!); // default ttl 1h
    }

    [Fact]
    public async Task Header_NamesAlgTypAndKid()
    {
        (CliRun run, _) = await Sign();

        CliRun inspected = await CliRunner.RunAsync(["inspect", run.Lines[0]]);

        Assert.Contains("\"alg\": \"RS256\",\n  \"typ\": \"JWT\",\n  \"kid\": \"k1\"", inspected.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("15m", 900)]
    [InlineData("1h", 3600)]
    [InlineData("2d", 172800)]
    [InlineData("366d", 366 * 86400)]
    [InlineData("0s", 0)]
    [InlineData("-5m", -300)]
    [InlineData("-366d", -366 * 86400)]
    public async Task Ttl_SetsExpRelativeToNow(string ttl, long seconds)
    {
        (_, JsonObject claims) = await Sign("--ttl", ttl);

        Assert.Equal(Now + seconds, (long)claims["exp"]!);
    }

    [Theory]
    [InlineData("1w")]
    [InlineData("-367d")]
    [InlineData("--5m")]
    [InlineData("+5m")]
    [InlineData("-m")]
    [InlineData("1.5h")]
    [InlineData("h")]
    [InlineData("367d")]
    [InlineData("99999999999999999d")]
    public async Task Ttl_Invalid_ExitsTwo(string ttl)
    {
        CliRun run = await CliRunner.RunAsync(["sign", "--key", _rsaKey, "--kid", "k1", "--ttl", ttl]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Contains("--ttl", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audience_Repeated_IsAnArray_InOrder()
    {
        (_, JsonObject claims) = await Sign("--audience", "gateway", "--audience", "billing");

        Assert.Equal("""["gateway","billing"]""", claims["aud"]!.ToJsonString());
    }

    [Fact]
    public async Task Audience_Repeated_EachIsAcceptedByValidate()
    {
        (CliRun run, _) = await Sign("--audience", "gateway", "--audience", "billing");
        string jwks = _dir.Write("jwks.json", TestKeys.Jwks);

        CliRun billing = await CliRunner.RunAsync(["validate", "--jwks", jwks, "--audience", "billing", run.Lines[0]]);
        CliRun other = await CliRunner.RunAsync(["validate", "--jwks", jwks, "--audience", "search", run.Lines[0]]);

        Assert.Equal(0, billing.ExitCode);
        Assert.Equal(1, other.ExitCode);
    }

    [Fact]
    public async Task NegativeTtl_MintsATokenValidateRejectsAsExpired()
    {
        (CliRun run, _) = await Sign("--ttl", "-5m");
        string jwks = _dir.Write("jwks.json", TestKeys.Jwks);

        CliRun verdict = await CliRunner.RunAsync(["validate", "--jwks", jwks, run.Lines[0]]);

        Assert.Equal(1, verdict.ExitCode);
        Assert.Contains("\"error\":\"Expired\"", verdict.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ShowsTheTtlDefaultInTheFormatTtlAccepts()
    {
        CliRun run = await CliRunner.RunAsync(["sign", "--help"]);

        Assert.Contains("[default: 1h]", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("01:00:00", run.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1h")]
    [InlineData("90m")]
    [InlineData("61s")]
    [InlineData("2d")]
    [InlineData("0s")]
    [InlineData("-5m")]
    [InlineData("-366d")]
    public void Lifetime_WrittenAsTtlReadsIt_RoundTrips(string text)
    {
        Assert.True(TimeText.TryParseLifetime(text, out TimeSpan lifetime));

        Assert.Equal(text, TimeText.Lifetime(lifetime));
    }

    [Fact]
    public async Task Claim_ValuesAreJsonWhenTheyParse_ElseStrings()
    {
        (_, JsonObject claims) = await Sign(
            "--claim", "n=42",
            "--claim", "f=1.5",
            "--claim", "b=true",
            "--claim", "nil=null",
            "--claim", "arr=[\"a\",1]",
            "--claim", "obj={\"k\":\"v\"}",
            "--claim", "quoted=\"42\"",
            "--claim", "word=hello",
            "--claim", "spaced=hello world",
            "--claim", "empty=",
            "--claim", "eq=a=b");

        Assert.Equal(42, (int)claims["n"]!);
        Assert.Equal(1.5, (double)claims["f"]!);
        Assert.True((bool)claims["b"]!);
        Assert.True(claims.ContainsKey("nil"));
        Assert.Null(claims["nil"]);
        Assert.Equal("""["a",1]""", claims["arr"]!.ToJsonString());
        Assert.Equal("v", (string?)claims["obj"]!["k"]);
        Assert.Equal("42", (string?)claims["quoted"]);
        Assert.Equal("hello", (string?)claims["word"]);
        Assert.Equal("hello world", (string?)claims["spaced"]);
        Assert.Equal("", (string?)claims["empty"]);
        Assert.Equal("a=b", (string?)claims["eq"]);
    }

    [Theory]
    [InlineData("novalue")]
    [InlineData("=value")]
    public async Task Claim_WithoutName_ExitsTwo(string pair)
    {
        CliRun run = await CliRunner.RunAsync(["sign", "--key", _rsaKey, "--kid", "k1", "--claim", pair]);

        Assert.Equal(2, run.ExitCode);
    }

    [Fact]
    public async Task ClaimsFile_IsMerged_AndFlagsWinOverIt()
    {
        string file = _dir.Write("claims.json", """{"portkey_oid":"file-org","extra":{"tier":"gold"},"scope":"file.scope","exp":123,"custom":"from-file"}""");

        (_, JsonObject claims) = await Sign("--claims", file, "--claim", "custom=from-flag");

        Assert.Equal("o", (string?)claims["portkey_oid"]);
        Assert.Equal("s", (string?)claims["scope"]);
        Assert.Equal("gold", (string?)claims["extra"]!["tier"]);
        Assert.Equal("from-flag", (string?)claims["custom"]);
        Assert.Equal(123, (long)claims["exp"]!); // the file may set exp when --ttl is not given
    }

    [Fact]
    public async Task ClaimsFile_Exp_LosesToAnExplicitTtl()
    {
        string file = _dir.Write("claims.json", """{"exp":123}""");

        (_, JsonObject claims) = await Sign("--claims", file, "--ttl", "30s");

        Assert.Equal(Now + 30, (long)claims["exp"]!);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("not json")]
    public async Task ClaimsFile_NotAnObject_ExitsTwo(string content)
    {
        string file = _dir.Write("claims.json", content);

        CliRun run = await CliRunner.RunAsync(["sign", "--key", _rsaKey, "--kid", "k1", "--claims", file]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
    }

    [Fact]
    public async Task SubEmailUid_AreMutuallyExclusive()
    {
        CliRun run = await CliRunner.RunAsync(["sign", "--key", _rsaKey, "--kid", "k1", "--sub", "a", "--email", "b@c"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
    }

    [Theory]
    [InlineData("--sub", "sub")]
    [InlineData("--uid", "uid")]
    [InlineData("--email", "email_id")]
    public async Task UserFlag_SetsItsClaim(string flag, string claim)
    {
        (_, JsonObject claims) = await Sign(flag, "someone");

        Assert.Equal("someone", (string?)claims[claim]);
    }

    [Fact]
    public async Task MissingPortkeyClaims_StillSigns_ButWarnsOnStderr()
    {
        CliRun run = await CliRunner.RunAsync(["sign", "--key", _rsaKey, "--kid", "k1"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Single(run.Lines);
        Assert.Contains("no 'portkey_oid'", run.Error, StringComparison.Ordinal);
        Assert.Contains("no 'scope'", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("P-256", "ES256")]
    [InlineData("P-384", "ES384")]
    [InlineData("P-521", "ES512")]
    public async Task EcKey_DefaultsAlgFromItsCurve(string curve, string algorithm)
    {
        using var key = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve switch { "P-256" => "nistP256", "P-384" => "nistP384", _ => "nistP521" }));
        string path = _dir.Write("ec.pem", key.ExportPkcs8PrivateKeyPem());

        CliRun run = await CliRunner.RunAsync(["sign", "--key", path, "--kid", "e", "--org", "o", "--workspace", "w", "--scope", "s"]);
        CliRun inspected = await CliRunner.RunAsync(["inspect", run.Lines[0]]);

        Assert.Contains($"\"alg\": \"{algorithm}\"", inspected.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EcKey_WithAnRsaAlg_ExitsTwo()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string path = _dir.Write("ec.pem", key.ExportPkcs8PrivateKeyPem());

        CliRun run = await CliRunner.RunAsync(["sign", "--key", path, "--kid", "e", "--alg", "RS256"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("does not fit", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pkcs1RsaPem_IsAccepted()
    {
        string path = _dir.Write("rsa1.pem", ((RSA)TestKeys.Rs256.Key).ExportRSAPrivateKeyPem());

        CliRun run = await CliRunner.RunAsync(["sign", "--key", path, "--kid", "k1", "--org", "o", "--workspace", "w", "--scope", "s"]);

        Assert.Equal(0, run.ExitCode);
    }

    [Theory]
    [InlineData("not a pem")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    public async Task UnusableKeyFile_ExitsTwo(string content)
    {
        string path = _dir.Write("bad.pem", content);

        CliRun run = await CliRunner.RunAsync(["sign", "--key", path, "--kid", "k1"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.StartsWith("error:", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyIsADirectory_SaysSo_ExitsTwo()
    {
        CliRun run = await CliRunner.RunAsync(["sign", "--key", _dir.Path, "--kid", "k1"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.StartsWith($"error: cannot read {_dir.Path}: it is a directory, not a file", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignedToken_ValidatesAgainstTheMatchingJwks()
    {
        (CliRun run, _) = await Sign("--email", "ada@example.com");
        string jwks = _dir.Write("jwks.json", TestKeys.Jwks);

        CliRun verdict = await CliRunner.RunAsync(["validate", "--jwks", jwks, run.Lines[0]]);

        Assert.Equal(0, verdict.ExitCode);
    }
}
