using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>Rule 9: options are checked once, when the validator is built, and copied so later changes do nothing.</summary>
public sealed class OptionsTests
{
    [Theory]
    [InlineData("ClockSkew", "negative")]
    [InlineData("ClockSkew", "five minutes and a tick")]
    [InlineData("ClockSkew", "an hour")]
    [InlineData("MaxTokenLength", "255")]
    [InlineData("MaxTokenLength", "zero")]
    [InlineData("MaxTokenLength", "256 KiB + 1")]
    [InlineData("MinimumRsaKeySize", "2047")]
    [InlineData("MinimumRsaKeySize", "1024")]
    [InlineData("MinimumRsaKeySize", "8193")]
    [InlineData("AllowedAlgorithms", "empty")]
    [InlineData("AllowedAlgorithms", "null list")]
    [InlineData("AllowedAlgorithms", "none")]
    [InlineData("AllowedAlgorithms", "NONE")]
    [InlineData("AllowedAlgorithms", "HS256")]
    [InlineData("AllowedAlgorithms", "HS512 beside RS256")]
    [InlineData("AllowedAlgorithms", "foo")]
    [InlineData("AllowedAlgorithms", "rs256")]
    [InlineData("AllowedAlgorithms", "null entry")]
    [InlineData("RequiredType", "empty")]
    [InlineData("RequiredType", "prefix only")]
    [InlineData("RequiredType", "with space")]
    [InlineData("RequiredType", "non-ASCII")]
    [InlineData("RequiredScopes", "with space")]
    [InlineData("RequiredScopes", "empty")]
    [InlineData("RequiredScopes", "prefix only")]
    [InlineData("RequiredScopes", "quote")]
    [InlineData("RequiredScopes", "non-ASCII")]
    [InlineData("ValidIssuers", "empty entry")]
    [InlineData("ValidAudiences", "empty entry")]
    public void Constructor_OptionOutOfRange_ThrowsNamingTheOption(string option, string value)
    {
        var options = new PortkeyJwtOptions();
        Action<PortkeyJwtOptions> set = (option, value) switch
        {
            ("ClockSkew", "negative") => o => o.ClockSkew = TimeSpan.FromTicks(-1),
            ("ClockSkew", "five minutes and a tick") => o => o.ClockSkew = TimeSpan.FromMinutes(5) + TimeSpan.FromTicks(1),
            ("ClockSkew", _) => o => o.ClockSkew = TimeSpan.FromHours(1),
            ("MaxTokenLength", "255") => o => o.MaxTokenLength = 255,
            ("MaxTokenLength", "zero") => o => o.MaxTokenLength = 0,
            ("MaxTokenLength", _) => o => o.MaxTokenLength = (256 * 1024) + 1,
            ("MinimumRsaKeySize", "2047") => o => o.MinimumRsaKeySize = 2047,
            ("MinimumRsaKeySize", "1024") => o => o.MinimumRsaKeySize = 1024,
            ("MinimumRsaKeySize", _) => o => o.MinimumRsaKeySize = 8193,
            ("AllowedAlgorithms", "empty") => o => o.AllowedAlgorithms = [],
            ("AllowedAlgorithms", "null list") => o => o.AllowedAlgorithms = null!,
            ("AllowedAlgorithms", "HS512 beside RS256") => o => o.AllowedAlgorithms = ["RS256", "HS512"],
            ("AllowedAlgorithms", "null entry") => o => o.AllowedAlgorithms = ["RS256", null!],
            ("AllowedAlgorithms", _) => o => o.AllowedAlgorithms = [value],
            ("RequiredType", "empty") => o => o.RequiredType = string.Empty,
            ("RequiredType", "prefix only") => o => o.RequiredType = "application/",
            ("RequiredType", "with space") => o => o.RequiredType = "JWT ",
            ("RequiredType", _) => o => o.RequiredType = "JWTé",
            ("RequiredScopes", "with space") => o => o.RequiredScopes = ["completions.write logs.view"],
            ("RequiredScopes", "empty") => o => o.RequiredScopes = [string.Empty],
            ("RequiredScopes", "prefix only") => o => o.RequiredScopes = ["portkey."],
            ("RequiredScopes", "quote") => o => o.RequiredScopes = ["a\"b"],
            ("RequiredScopes", _) => o => o.RequiredScopes = ["café"],
            ("ValidIssuers", _) => o => o.ValidIssuers = ["https://issuer.example", string.Empty],
            _ => o => o.ValidAudiences = [string.Empty],
        };
        set(options);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PortkeyJwtValidator(Keys(), options));
        Assert.Equal(option, error.ParamName);
    }

    [Fact]
    public void Constructor_OptionsAtTheirLimits_Succeeds()
    {
        var low = new PortkeyJwtOptions { ClockSkew = TimeSpan.Zero, MaxTokenLength = 256, MinimumRsaKeySize = 2048 };
        var high = new PortkeyJwtOptions { ClockSkew = TimeSpan.FromMinutes(5), MaxTokenLength = 256 * 1024, MinimumRsaKeySize = 8192 };

        _ = new PortkeyJwtValidator(Keys(), low);
        _ = new PortkeyJwtValidator(Keys(), high);
        _ = new PortkeyJwtValidator(Keys(), new PortkeyJwtOptions { RequiredType = null, RequiredScopes = ["portkey.a", "a"] });
        _ = new PortkeyJwtValidator(Keys(), AllAlgorithms());
    }

    [Fact]
    public void Constructor_NullKeys_ThrowsArgumentNullException() =>
        Assert.Equal("keys", Assert.Throws<ArgumentNullException>(() => new PortkeyJwtValidator(null!)).ParamName);

    [Fact]
    public void Constructor_NullOptions_UsesDefaults()
    {
        var validator = new PortkeyJwtValidator(Keys(), null, Tokens.Clock());

        AssertValid(validator.ValidateNow(Tokens.Mint()));
        AssertRejected(PortkeyJwtError.UnsupportedAlgorithm, validator.ValidateNow(Tokens.Mint(header: Tokens.Header(TestKey.Default, "PS256"))));
        AssertRejected(PortkeyJwtError.InvalidType, validator.ValidateNow(Tokens.Mint(header: Tokens.Header(TestKey.Default).With(("typ", "JWS")))));
    }

    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new PortkeyJwtOptions();

        Assert.Equal(TimeSpan.FromSeconds(60), options.ClockSkew);
        Assert.Equal(["RS256"], options.AllowedAlgorithms);
        Assert.Equal("JWT", options.RequiredType);
        Assert.Equal(16 * 1024, options.MaxTokenLength);
        Assert.Equal(2048, options.MinimumRsaKeySize);
        Assert.Empty(options.ValidIssuers);
        Assert.Empty(options.ValidAudiences);
        Assert.Empty(options.RequiredScopes);
    }

    [Fact]
    public void AllowedAlgorithms_MutatedAfterConstruction_ChangesNothing()
    {
        var options = new PortkeyJwtOptions();
        var validator = Tokens.Validator(options);

        options.AllowedAlgorithms.Add("PS256");

        AssertRejected(PortkeyJwtError.UnsupportedAlgorithm, validator.ValidateNow(Tokens.Mint(header: Tokens.Header(TestKey.Default, "PS256"))));
    }

    [Fact]
    public void AllowedAlgorithms_RemovedAfterConstruction_ChangesNothing()
    {
        var options = new PortkeyJwtOptions { AllowedAlgorithms = ["RS256", "PS256"] };
        var validator = Tokens.Validator(options);

        options.AllowedAlgorithms.Clear();
        options.AllowedAlgorithms = ["ES256"];

        AssertValid(validator.ValidateNow(Tokens.Mint(header: Tokens.Header(TestKey.Default, "PS256"))));
    }

    [Fact]
    public void IssuersAudiencesAndScopes_MutatedAfterConstruction_ChangeNothing()
    {
        var options = new PortkeyJwtOptions { ValidIssuers = ["https://a.example"], ValidAudiences = ["gw"], RequiredScopes = ["completions.write"] };
        var validator = Tokens.Validator(options);
        string token = Tokens.Mint(Tokens.Claims().With(("iss", "https://a.example"), ("aud", "gw")));

        options.ValidIssuers[0] = "https://b.example";
        options.ValidAudiences.Clear();
        options.ValidAudiences.Add("other");
        options.RequiredScopes.Add("admin");

        AssertValid(validator.ValidateNow(token));
    }

    [Fact]
    public void ScalarOptions_ChangedAfterConstruction_ChangeNothing()
    {
        var options = new PortkeyJwtOptions();
        var validator = Tokens.Validator(options);
        string expiredWithinSkew = Tokens.Mint(Tokens.Claims().With(("exp", Tokens.NowSeconds - 30)));

        options.ClockSkew = TimeSpan.Zero;
        options.RequiredType = null;
        options.MaxTokenLength = 256;
        options.MinimumRsaKeySize = 4096;

        AssertValid(validator.ValidateNow(expiredWithinSkew));
        AssertRejected(PortkeyJwtError.InvalidType, validator.ValidateNow(Tokens.Mint(header: Tokens.Header(TestKey.Default).With(("typ", null)))));
    }

    private static JwksKeyProvider Keys() => JwksKeyProvider.FromJson(TestKey.Jwks(TestKey.Default));
}
