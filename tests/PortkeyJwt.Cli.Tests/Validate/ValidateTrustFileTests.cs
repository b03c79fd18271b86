using System.Security.Cryptography;
using System.Text.Json;

namespace PortkeyJwt.Cli.Tests.Validate;

/// <summary><c>validate --trust FILE</c>: tokens routed by <c>iss</c> to the trust file's issuers, each with its own keys and organisations.</summary>
public sealed class ValidateTrustFileTests : IDisposable
{
    private const string IssuerA = "https://idp-a.example";
    private const string IssuerB = "https://idp-b.example";

    private static readonly RSA KeyB = RSA.Create(2048);

    /// <summary>Provider A signs with <see cref="TestKeys.Rs256"/> (kid k1); provider B publishes the same kid with another key.</summary>
    private static readonly TestTokenSigner SignerB = new(KeyB, "k1", "RS256");

    private readonly TempDirectory _dir = new();
    private readonly string _trust;

    public ValidateTrustFileTests()
    {
        Directory.CreateDirectory(_dir.File("keys"));
        _dir.Write(Path.Combine("keys", "b.json"), TestTokenSigner.Jwks(SignerB));
        _trust = _dir.Write("trust.json", $$"""
            {"Issuers": [
              {"Issuer": "{{IssuerA}}", "Jwks": {{TestTokenSigner.Jwks(TestKeys.Rs256)}}, "Organisations": ["org-a"]},
              {"issuer": "{{IssuerB}}", "jwksFile": "keys/b.json", "organisations": ["org-b"], "workspaces": ["ws-b"]}
            ]}
            """);
    }

    public void Dispose() => _dir.Dispose();

    private static JsonObject Claims(string issuer, string organisation, string workspace = "ws-b", DateTimeOffset? now = null)
    {
        JsonObject claims = TestKeys.Claims(now ?? CliRunner.Now);
        claims["iss"] = issuer;
        claims["portkey_oid"] = organisation;
        claims["portkey_workspace"] = workspace;
        return claims;
    }

    private Task<CliRun> Validate(string stdin, params string[] options) =>
        CliRunner.RunAsync(["validate", "--trust", _trust, .. options, "-"], stdin);

    [Fact]
    public async Task EachIssuersToken_IsValidatedWithItsOwnKeys_FromInlineJwksAndFromJwksFile()
    {
        CliRun run = await Validate(TestKeys.Rs256.Sign(Claims(IssuerA, "org-a")) + "\n" + SignerB.Sign(Claims(IssuerB, "org-b")) + "\n");

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Equal(2, run.Lines.Length);
        Assert.Equal(IssuerA, JsonDocument.Parse(run.Lines[0]).RootElement.GetProperty("principal").GetProperty("issuer").GetString());
        Assert.Equal("org-b", JsonDocument.Parse(run.Lines[1]).RootElement.GetProperty("principal").GetProperty("organisationId").GetString());
        Assert.Empty(run.Error);
    }

    public static TheoryData<string, string, string> Rejections() => new()
    {
        { "B's key claiming A's issuer", SignerB.Sign(Claims(IssuerA, "org-a")), "InvalidSignature" },
        { "A's key claiming an organisation A may not assert", TestKeys.Rs256.Sign(Claims(IssuerA, "org-b")), "OrganisationNotAllowed" },
        { "B's token naming a workspace B may not assert", SignerB.Sign(Claims(IssuerB, "org-b", "ws-other")), "WorkspaceNotAllowed" },
        { "an issuer with no anchor", TestKeys.Rs256.Sign(Claims("https://idp-c.example", "org-a")), "UnknownIssuer" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task HostileToken_IsRejected_WithTheTrustError(string name, string token, string error)
    {
        CliRun run = await Validate(token + "\n");

        Assert.True(run.ExitCode == 1, name + ": " + run.Out + run.Error);
        ValidateCommandTests.AssertRejection(Assert.Single(run.Lines), error, 401);
        Assert.DoesNotContain(token, run.Out + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GlobalAudienceAndScope_StillApplyToEveryIssuer()
    {
        string token = TestKeys.Rs256.Sign(Claims(IssuerA, "org-a"));

        CliRun audience = await Validate(token + "\n", "--audience", "portkey-gateway");
        CliRun scope = await Validate(token + "\n", "--scope", "admin");

        ValidateCommandTests.AssertRejection(Assert.Single(audience.Lines), "InvalidAudience", 401);
        ValidateCommandTests.AssertRejection(Assert.Single(scope.Lines), "InsufficientScope", 403);
    }

    [Fact]
    public async Task AnchorsOwnAlgorithms_ReplaceAlg_AndTheRejectionDoesNotSuggestAnAlgFlag()
    {
        string trust = _dir.Write("es.json", $$"""{"Issuers":[{"Issuer":"{{IssuerA}}","Jwks":{{TestTokenSigner.Jwks(TestKeys.Rs256)}},"Organisations":["*"],"AllowedAlgorithms":["ES256"]}]}""");

        CliRun run = await CliRunner.RunAsync(["validate", "--trust", trust, "--alg", "RS256", TestKeys.Rs256.Sign(Claims(IssuerA, "org-a"))]);

        Assert.Equal(1, run.ExitCode);
        ValidateCommandTests.AssertRejection(Assert.Single(run.Lines), "UnsupportedAlgorithm", 401);
        Assert.DoesNotContain("--alg", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoteAnchor_IsFetchedFromItsJwksUrl()
    {
        await using LocalJwksServer server = await LocalJwksServer.StartAsync(TestTokenSigner.Jwks(SignerB));
        string trust = _dir.Write("remote.json", $$"""{"Issuers":[{"Issuer":"{{IssuerB}}","JwksUrls":["{{server.Url}}"],"Organisations":["*"]}]}""");

        CliRun run = await CliRunner.RunAsync(["validate", "--trust", trust, SignerB.Sign(Claims(IssuerB, "org-b", now: DateTimeOffset.UtcNow))], time: TimeProvider.System);

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task AuthorityAnchor_FindsItsJwksThroughTheDiscoveryDocument()
    {
        await using LocalJwksServer jwks = await LocalJwksServer.StartAsync(TestTokenSigner.Jwks(SignerB));
        await using DiscoveryServer idp = await DiscoveryServer.StartAsync(DiscoveryServer.DocumentOf(IssuerB, jwks.Url));
        string trust = _dir.Write("discovered.json", $$"""{"Issuers":[{"Issuer":"{{IssuerB}}","Authority":"{{idp.Authority}}","Organisations":["*"]}]}""");

        CliRun run = await CliRunner.RunAsync(["validate", "--trust", trust, SignerB.Sign(Claims(IssuerB, "org-b", now: DateTimeOffset.UtcNow))], time: TimeProvider.System);

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Equal((1, 1), (idp.Requests, jwks.Requests));
    }

    [Fact]
    public async Task AuthorityAnchor_WhoseDocumentNamesAnotherIssuer_IsKeysUnavailable_AndItsJwksIsNotFetched()
    {
        await using LocalJwksServer jwks = await LocalJwksServer.StartAsync(TestTokenSigner.Jwks(SignerB));
        await using DiscoveryServer idp = await DiscoveryServer.StartAsync(DiscoveryServer.DocumentOf(IssuerA, jwks.Url));
        string trust = _dir.Write("foreign.json", $$"""{"Issuers":[{"Issuer":"{{IssuerB}}","Authority":"{{idp.Authority}}","Organisations":["*"]}]}""");

        CliRun run = await CliRunner.RunAsync(["validate", "--trust", trust, SignerB.Sign(Claims(IssuerB, "org-b", now: DateTimeOffset.UtcNow))], time: TimeProvider.System);

        Assert.Equal(1, run.ExitCode);
        ValidateCommandTests.AssertRejection(Assert.Single(run.Lines), "KeysUnavailable", 401);
        Assert.Equal((1, 0), (idp.Requests, jwks.Requests));
    }

    [Theory]
    [InlineData("--jwks", "jwks.json", "error: Give --jwks or --trust, not both.")]
    [InlineData("--issuer", IssuerA, "error: --issuer does not apply with --trust: each trust anchor's Issuer is its accepted issuer.")]
    public async Task TrustWithJwksOrIssuer_IsAUsageError(string option, string value, string expected)
    {
        CliRun run = await CliRunner.RunAsync(["validate", "--trust", _trust, option, value, "x.y.z"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Equal([expected, "Run 'portkey-jwt validate --help' for usage."], run.Error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("""{"Anchors":[]}""", """expected {"Issuers":[""")]
    [InlineData("""{"Issuers":[]}""", "Issuers is empty")]
    [InlineData("""{"Issuers":[{"Issuer":"https://a","Jwks":"{\"keys\":[]}","Organisations":["o"],"Organizations":["p"]}]}""", "Issuers[0] (https://a): unknown member 'Organizations'")]
    [InlineData("""{"Issuers":[{"Issuer":"https://a","Jwks":"{\"keys\":[]}","Organisations":"o"}]}""", "Issuers[0] (https://a): Organisations: expected an array of strings")]
    [InlineData("""{"Issuers":[{"Issuer":"https://a","JwksFile":"missing.json","Organisations":["o"]}]}""", "Issuers[0] (https://a): JwksFile: ")]
    [InlineData("""{"Issuers":[{"Issuer":"https://a","JwksUrls":["https://a/jwks"],"Organisations":["o"]},{"Issuer":"https://b","JwksUrls":["https://b/jwks"]}]}""", "Issuers[1] (https://b): Organisations: ")]
    [InlineData("""{"Issuers":[{"Issuer":"https://a","JwksUrls":["https://a/jwks"],"Organisations":["o"]},{"Issuer":"https://a","JwksUrls":["https://b/jwks"],"Organisations":["o"]}]}""", "Issuers[1] (https://a): Issuer: ")]
    [InlineData("""{"Issuers":[{"Issuer":"https://a","JwksUrls":["https://a/jwks"],"Jwks":"{\"keys\":[]}","Organisations":["o"]}]}""", "Issuers[0] (https://a): JwksUrls: ")]
    [InlineData("""{"Issuers":[{"Issuer":"https://a","JwksUrls":["http://a.example/jwks"],"Organisations":["o"]}]}""", "Issuers[0] (https://a): JwksUrls: plain http is allowed only to loopback")]
    [InlineData("""{"Issuers":[{"Issuer":"https://a","Authority":"http://a.example","Organisations":["o"]}]}""", "Issuers[0] (https://a): Authority: plain http is allowed only to loopback")]
    [InlineData("""{"Issuers":[{"Issuer":"https://a","Authority":"a.example","Organisations":["o"]}]}""", "Issuers[0] (https://a): Authority: 'a.example' is not an http(s) URL")]
    [InlineData("""{"Issuers":[{"Issuer":"https://a","Authority":["https://a.example"],"Organisations":["o"]}]}""", "Issuers[0] (https://a): Authority: expected a string")]
    [InlineData("""{"Issuers":[{"Issuer":"https://a","Authority":"https://a.example/?tenant=1","Organisations":["o"]}]}""", "Issuers[0] (https://a): Authority: Authority must have no query or fragment")]
    [InlineData("""{"Issuers":[{"Issuer":"https://a","Authority":"https://a.example","JwksUrls":["https://a/jwks"],"Organisations":["o"]}]}""", "Issuers[0] (https://a): JwksUrls: Exactly one key source is required: JwksUrls, Authority or Jwks.")]
    [InlineData("""{"Issuers":[{"Issuer":"https://a","Authority":"https://a.example","JwksFile":"keys/b.json","Organisations":["o"]}]}""", "Issuers[0] (https://a): give exactly one key source: JwksUrls, Authority, Jwks or JwksFile")]
    public async Task MalformedTrustFile_IsOneErrorLineNamingTheFileAndTheAnchor_ExitsTwo(string content, string expected)
    {
        string path = _dir.Write("bad.json", content);

        CliRun run = await CliRunner.RunAsync(["validate", "--trust", path, "x.y.z"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        string line = Assert.Single(run.Error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"error: {path}: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }
}
