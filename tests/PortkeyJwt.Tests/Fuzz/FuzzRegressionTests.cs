using System.Text;

namespace PortkeyJwt.Tests.Fuzz;

/// <summary>
/// The fuzzing harness's findings as specs, and its seed corpus (<c>fuzz/corpus</c>) replayed through the public API:
/// every seed gets an answer, never an exception, as <c>fuzz/README.md</c> describes. Inputs the fuzzer found go in
/// <c>Fuzz/Regressions</c> (<c>.jwt</c> a token, <c>.signed</c> a signed-target input, <c>.jwks</c> a key set) and are
/// replayed the same way.
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
    public void RegressionInput_IsAnsweredWithoutException(string file) => Replay(Path.Combine(RegressionsDirectory, file));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void SeedInput_IsAnsweredWithoutException(string file) => Replay(Path.Combine(CorpusDirectory, file));

    /// <summary>The seeds the harness uses as probes are valid tokens: the corpus still reaches the claim rules.</summary>
    [Fact]
    public void ValidTokenSeeds_AreValidUnderTheBroadOptions()
    {
        string[] valid = Directory.GetFiles(Path.Combine(CorpusDirectory, "tokens"), "valid-*.jwt");
        PortkeyJwtValidator validator = HarnessValidators.Value.Broad;

        Assert.True(valid.Length >= 5, $"Only {valid.Length} valid token seeds.");
        Assert.All(valid, file => RuleKit.AssertValid(validator.ValidateNow(File.ReadAllText(file).Trim(), CallScopes)));
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

    private static TheoryData<string> FilesUnder(string directory)
    {
        var files = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            files.Add(Path.GetRelativePath(directory, path).Replace('\\', '/'));
        }

        return files;
    }

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

    /// <summary>Replays one input as its target does: a token (tokens/, .jwt), a signed-target input (signed/, .signed) or a JWKS (jwks/, .jwks).</summary>
    private static void Replay(string path)
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
                AnswerWithoutException(HarnessValidators.Value, Encoding.UTF8.GetString(input));
                break;
            case ".signed":
                AnswerWithoutException(SignedValidators.Value, Sign(input));
                break;
            case ".jwks":
                LoadWithoutUnexpectedException(Encoding.UTF8.GetString(input));
                break;
            default:
                Assert.Fail($"'{path}' is not a .jwt, .signed or .jwks input.");
                break;
        }
    }

    private static void AnswerWithoutException((PortkeyJwtValidator Strict, PortkeyJwtValidator Broad) validators, string token)
    {
        foreach ((PortkeyJwtValidator validator, string[]? scopes) in new[] { (validators.Strict, (string[]?)null), (validators.Broad, CallScopes) })
        {
            PortkeyJwtResult result = validator.ValidateNow(token, scopes);
            if (result.IsValid)
            {
                Assert.Equal(PortkeyJwtError.None, result.Error);
                Assert.NotEmpty(result.Principal.Scopes);
                Assert.NotNull(result.Principal.ToClaimsPrincipal());
            }
            else
            {
                Assert.NotEqual(PortkeyJwtError.None, result.Error);
                Assert.False(string.IsNullOrEmpty(result.Detail));
            }
        }
    }

    private static void LoadWithoutUnexpectedException(string jwks)
    {
        JwksKeyProvider provider;
        try
        {
            provider = JwksKeyProvider.FromJson(jwks);
        }
        catch (ArgumentException e) when (e.GetType() == typeof(ArgumentException))
        {
            return; // the documented rejection
        }

        using (provider)
        {
            Assert.InRange(provider.KeyCount, 1, JwksKeyProvider.MaxKeys);
            var validator = new PortkeyJwtValidator(provider, new PortkeyJwtOptions { AllowedAlgorithms = AllAlgorithms, ValidationCache = false }, Tokens.Clock());
            foreach (string probe in Directory.GetFiles(Path.Combine(CorpusDirectory, "tokens"), "valid-*.jwt"))
            {
                _ = validator.ValidateNow(File.ReadAllText(probe).Trim());
            }
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
