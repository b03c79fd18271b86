using System.Text;

namespace PortkeyJwt.Tests.Fuzz;

/// <summary>
/// The fuzzing harness's findings as specs, and its seed corpus (<c>fuzz/corpus</c>) replayed through the public API:
/// every seed gets the verdict its row in <see cref="CorpusVerdicts"/> declares (the seeds are named for it), never an
/// exception. Inputs the fuzzer found go in <c>Fuzz/Regressions</c> (<c>.jwt</c> a token, <c>.signed</c> a signed-target
/// input, <c>.jwks</c> a key set) and are replayed the same way, each with its own row.
/// </summary>
public sealed class FuzzRegressionTests
{
    /// <summary>
    /// Found by the signed target (seed <c>claims-times-boundary.json</c>): an <c>exp</c> at or near the last NumericDate,
    /// 9999-12-31T23:59:59Z, is valid, but adding the clock skew for the cache entry's expiry left DateTimeOffset's range
    /// and <see cref="ArgumentOutOfRangeException"/> escaped ValidateAsync for a correctly signed token.
    /// </summary>
    [Theory]
    [InlineData("253402300799", 60)]
    [InlineData("253402300799", 0)]
    [InlineData("253402300798.5", 300)]
    [InlineData("253402300740", 300)]
    public void ValidToken_ExpiringAtTheLastNumericDate_IsCachedInsteadOfThrowing(string exp, int skewSeconds)
    {
        string claims = """{"portkey_oid":"org-3f2a","portkey_workspace":"ws-default","scope":"completions.write","sub":"user-42","iat":0,"nbf":0,"exp":""" + exp + "}";
        string token = TestKey.Default.SignRaw(RuleKit.HeaderJson(), claims);
        var validator = Tokens.Validator(new PortkeyJwtOptions { ClockSkew = TimeSpan.FromSeconds(skewSeconds) });

        PortkeyPrincipal principal = RuleKit.AssertValid(validator.ValidateNow(token));
        RuleKit.AssertValid(validator.ValidateNow(token)); // now answered by the cache

        Assert.True(validator.Cache!.Contains(token));
        Assert.Equal(DateTimeOffset.MaxValue.Year, principal.ExpiresAt.Year);
    }

    [Theory]
    [MemberData(nameof(Regressions))]
    public void RegressionInput_GetsItsDeclaredVerdict(string file) => Replay("Regressions/" + file, Path.Combine(RegressionsDirectory, file));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void SeedInput_GetsItsDeclaredVerdict(string file) => Replay(file, Path.Combine(CorpusDirectory, file));

    /// <summary>A new seed must declare its verdict in <see cref="CorpusVerdicts"/>; a row whose file is gone is stale.</summary>
    [Fact]
    public void CorpusFiles_EachHaveExactlyOneVerdictRow()
    {
        string[] files = [.. RelativeFiles(CorpusDirectory), .. RelativeFiles(RegressionsDirectory).Select(file => "Regressions/" + file)];
        string[] rows = [.. CorpusVerdicts.Tokens.Keys, .. CorpusVerdicts.Jwks.Keys];

        Assert.Equal(files.Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal));
        Assert.True(files.Length >= 90, $"Only {files.Length} corpus files were found.");
    }

    public static TheoryData<string> Seeds() => FilesUnder(CorpusDirectory);

    public static TheoryData<string> Regressions() => FilesUnder(RegressionsDirectory);

    private static readonly string[] CallScopes = ["logs.view"];

    private static readonly string[] AllAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    /// <summary>The harness's validators over its public JWKS (fuzz/PortkeyJwt.Fuzz/harness-jwks.json).</summary>
    private static readonly Lazy<(PortkeyJwtValidator Strict, PortkeyJwtValidator Broad)> HarnessValidators =
        new(() => Validators(File.ReadAllText(Path.Combine(RepoPaths.Root, "fuzz", "PortkeyJwt.Fuzz", "harness-jwks.json"))));

    /// <summary>Keys with the harness's kids, for signed-target inputs (which the harness signs with keys it never stores).</summary>
    private static readonly Lazy<TestKey[]> SigningKeys = new(() =>
    [
        TestKey.Rsa("fuzz-rsa"),
        TestKey.Ec("fuzz-ec256", "ES256"),
        TestKey.Ec("fuzz-ec384", "ES384"),
        TestKey.Ec("fuzz-ec521", "ES512"),
    ]);

    private static readonly Lazy<(PortkeyJwtValidator Strict, PortkeyJwtValidator Broad)> SignedValidators =
        new(() => Validators(TestKey.Jwks(SigningKeys.Value), strictAlgorithms: ["RS256", "ES256"]));

    private static string CorpusDirectory => Path.Combine(RepoPaths.Root, "fuzz", "corpus");

    private static string RegressionsDirectory => Path.Combine(RepoPaths.Root, "tests", "PortkeyJwt.Tests", "Fuzz", "Regressions");

    private static TheoryData<string> FilesUnder(string directory) => new(RelativeFiles(directory));

    private static string[] RelativeFiles(string directory) =>
        [.. Directory.GetFiles(directory, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(directory, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    /// <summary>The library's defaults, and the harness's broad options (every check on, no cache), as in fuzz/PortkeyJwt.Fuzz/HarnessData.cs.</summary>
    private static (PortkeyJwtValidator Strict, PortkeyJwtValidator Broad) Validators(string jwks, string[]? strictAlgorithms = null)
    {
        var strict = new PortkeyJwtOptions();
        if (strictAlgorithms is not null)
        {
            strict.AllowedAlgorithms = strictAlgorithms;
        }

        var broad = new PortkeyJwtOptions
        {
            AllowedAlgorithms = AllAlgorithms,
            RequiredType = null,
            ValidIssuers = ["https://issuer.fuzz.example"],
            ValidAudiences = ["gateway"],
            RequiredScopes = ["completions.write"],
            MaxTokenLength = 256 * 1024,
            ClockSkew = PortkeyJwtOptions.MaxClockSkew,
            ValidationCache = false,
        };
        return (new PortkeyJwtValidator(JwksKeyProvider.FromJson(jwks), strict, Tokens.Clock()),
                new PortkeyJwtValidator(JwksKeyProvider.FromJson(jwks), broad, Tokens.Clock()));
    }

    /// <summary>
    /// Replays one input as its target does (a token: <c>tokens/</c>; a signed-target input: <c>signed/</c> or
    /// <c>.signed</c>; a JWKS: <c>jwks/</c>) and checks the verdict its <see cref="CorpusVerdicts"/> row declares.
    /// </summary>
    private static void Replay(string row, string path)
    {
        byte[] input = File.ReadAllBytes(path);
        string kind = Path.GetFileName(Path.GetDirectoryName(path)!) switch
        {
            "tokens" => ".jwt",
            "signed" => ".signed",
            "jwks" => ".jwks",
            _ => Path.GetExtension(path),
        };
        switch (kind)
        {
            case ".jwt":
                AssertVerdict(Row(CorpusVerdicts.Tokens, row), HarnessValidators.Value, Encoding.UTF8.GetString(input));
                break;
            case ".signed":
                AssertVerdict(Row(CorpusVerdicts.Tokens, row), SignedValidators.Value, Sign(input));
                break;
            case ".jwks":
                AssertVerdict(Row(CorpusVerdicts.Jwks, row), Encoding.UTF8.GetString(input));
                break;
            default:
                Assert.Fail($"'{path}' is not a .jwt, .signed or .jwks input.");
                break;
        }
    }

    private static T Row<T>(IReadOnlyDictionary<string, T> table, string row) =>
        table.TryGetValue(row, out T? verdict) ? verdict : throw new Xunit.Sdk.XunitException($"'{row}' has no row in CorpusVerdicts: declare the verdict its name promises.");

    private static void AssertVerdict(TokenVerdict expected, (PortkeyJwtValidator Strict, PortkeyJwtValidator Broad) validators, string token)
    {
        AssertVerdict(expected.Strict, validators.Strict.ValidateNow(token), token);
        AssertVerdict(expected.Broad, validators.Broad.ValidateNow(token, CallScopes), token);
    }

    private static void AssertVerdict(PortkeyJwtError expected, PortkeyJwtResult result, string token)
    {
        Assert.True(expected == result.Error, $"Expected {expected}, got {result.Error}: {result.Detail}");
        if (expected == PortkeyJwtError.None)
        {
            PortkeyPrincipal principal = RuleKit.AssertValid(result);
            Assert.NotEmpty(principal.Scopes);
            Assert.True(principal.ToClaimsPrincipal().Identity!.IsAuthenticated);
        }
        else
        {
            RuleKit.AssertRejected(expected, result);
            Assert.DoesNotContain(token, result.Detail, StringComparison.Ordinal);
        }
    }

    private static void AssertVerdict(JwksVerdict expected, string jwks)
    {
        var logger = new Keys.CapturingLogger();
        JwksKeyProvider provider;
        try
        {
            provider = JwksKeyProvider.FromJson(jwks, logger);
        }
        catch (ArgumentException e) when (e.GetType() == typeof(ArgumentException))
        {
            Assert.True(expected.Reason is not null, $"The document was refused ({e.Message}); its row says it loads.");
            Assert.Contains(expected.Reason, e.Message, StringComparison.Ordinal);
            return;
        }

        using (provider)
        {
            Assert.True(expected.Reason is null, $"The document loaded; its row says it is refused ({expected.Reason}).");
            Assert.Equal(expected.KeyIds.Order(StringComparer.Ordinal), provider.KeyIds.Order(StringComparer.Ordinal));
            Assert.Equal(expected.KeyIds.Length, provider.KeyCount);
            Assert.Equal(expected.Warnings, logger.Warnings.Count);
            var validator = new PortkeyJwtValidator(provider, new PortkeyJwtOptions { AllowedAlgorithms = AllAlgorithms, ValidationCache = false }, Tokens.Clock());
            string[] accepted = [.. Directory.GetFiles(Path.Combine(CorpusDirectory, "tokens"), "valid-*.jwt")
                .Where(probe => validator.ValidateNow(File.ReadAllText(probe).Trim()).IsValid)
                .Select(probe => Path.GetFileName(probe)!)
                .Order(StringComparer.Ordinal)];
            Assert.Equal(expected.AcceptedProbes.Order(StringComparer.Ordinal), accepted);
        }
    }

    /// <summary>As the harness: <c>header NUL payload</c> or a payload alone under an ES256 header, signed with the first algorithm the header names.</summary>
    private static string Sign(byte[] input)
    {
        int nul = Array.IndexOf(input, (byte)0);
        byte[] header = nul < 0 ? """{"alg":"ES256","typ":"JWT","kid":"fuzz-ec256"}"""u8.ToArray() : input[..nul];
        byte[] payload = nul < 0 ? input : input[(nul + 1)..];
        string headerText = Encoding.UTF8.GetString(header);
        string algorithm = AllAlgorithms
            .Select(name => (Name: name, At: headerText.IndexOf(name, StringComparison.Ordinal)))
            .Where(x => x.At >= 0)
            .OrderBy(x => x.At)
            .Select(x => x.Name)
            .FirstOrDefault() ?? "ES256";
        TestKey key = algorithm switch
        {
            "ES256" => SigningKeys.Value[1],
            "ES384" => SigningKeys.Value[2],
            "ES512" => SigningKeys.Value[3],
            _ => SigningKeys.Value[0],
        };
        return RuleKit.SignBytes(key, header, payload, algorithm);
    }
}
