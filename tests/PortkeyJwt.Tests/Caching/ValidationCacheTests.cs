using Microsoft.Extensions.Time.Testing;

namespace PortkeyJwt.Tests.Caching;

/// <summary>
/// The validated-token cache: a repeated token reuses its principal, but a hit never skips a check that depends on the
/// clock, the call's scopes or the key that verified it.
/// </summary>
public sealed class ValidationCacheTests
{
    [Fact]
    public async Task SameToken_Twice_ReusesTheResultAndPrincipal()
    {
        PortkeyJwtValidator validator = Tokens.Validator();
        string token = Tokens.Mint();

        PortkeyJwtResult first = await validator.ValidateAsync(token);
        PortkeyJwtResult second = await validator.ValidateAsync(token);

        Assert.True(first.IsValid);
        Assert.Same(first, second);
        Assert.Same(first.Principal, second.Principal);
    }

    [Fact]
    public async Task CacheOff_SameToken_IsValidatedAfresh()
    {
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { ValidationCache = false });
        string token = Tokens.Mint();

        PortkeyJwtResult first = await validator.ValidateAsync(token);
        PortkeyJwtResult second = await validator.ValidateAsync(token);

        Assert.True(second.IsValid);
        Assert.NotSame(first.Principal, second.Principal);
    }

    [Fact]
    public async Task Hit_AfterExpiryOnTheFakeClock_IsExpired()
    {
        FakeTimeProvider clock = Tokens.Clock();
        PortkeyJwtValidator validator = Tokens.Validator(clock: clock);
        string token = Tokens.Mint(); // exp = now + 600 s, skew 60 s
        Assert.True((await validator.ValidateAsync(token)).IsValid);

        clock.Advance(TimeSpan.FromSeconds(659));
        Assert.True((await validator.ValidateAsync(token)).IsValid);
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(PortkeyJwtError.Expired, (await validator.ValidateAsync(token)).Error);
    }

    [Fact]
    public async Task Hit_WhenTheClockMovesBackBeforeNbf_IsNotYetValid()
    {
        var clock = new SettableClock { UtcNow = Tokens.Now };
        var validator = new PortkeyJwtValidator(JwksKeyProvider.FromJson(TestKey.Jwks(TestKey.Default)), new PortkeyJwtOptions { ClockSkew = TimeSpan.Zero }, clock);
        string token = Tokens.Mint(Tokens.Claims().With(("iat", null)));
        Assert.True((await validator.ValidateAsync(token)).IsValid);

        clock.UtcNow = Tokens.Now.AddSeconds(-1); // a host clock stepped back (FakeTimeProvider cannot go back)

        Assert.Equal(PortkeyJwtError.NotYetValid, (await validator.ValidateAsync(token)).Error);
    }

    [Fact]
    public async Task Hit_StillEnforcesTheCallsRequiredScopes()
    {
        PortkeyJwtValidator validator = Tokens.Validator();
        string token = Tokens.Mint(); // scopes: completions.write, logs.view
        Assert.True((await validator.ValidateAsync(token, ["completions.write"])).IsValid);

        PortkeyJwtResult missing = await validator.ValidateAsync(token, ["admin.write"]);
        PortkeyJwtResult prefixNotEnough = await validator.ValidateAsync(token, ["completions.writer"]);
        PortkeyJwtResult granted = await validator.ValidateAsync(token, ["portkey.logs.view"]);

        Assert.Equal(PortkeyJwtError.InsufficientScope, missing.Error);
        Assert.Equal(403, missing.StatusCode);
        Assert.Equal(PortkeyJwtError.InsufficientScope, prefixNotEnough.Error);
        Assert.True(granted.IsValid);
    }

    [Fact]
    public async Task FirstValidation_LackingACallScope_IsStillCachedForOtherCalls()
    {
        PortkeyJwtValidator validator = Tokens.Validator();
        string token = Tokens.Mint();

        PortkeyJwtResult denied = await validator.ValidateAsync(token, ["admin.write"]);
        PortkeyJwtResult allowed = await validator.ValidateAsync(token);
        PortkeyJwtResult again = await validator.ValidateAsync(token);

        Assert.Equal(PortkeyJwtError.InsufficientScope, denied.Error);
        Assert.Same(allowed, again);
    }

    /// <summary>
    /// The cache hashes only a token's 32-character tail, so a change before it lands in the same bucket: only the
    /// ordinal comparison of the whole string may decide, and it must refuse.
    /// </summary>
    [Theory]
    [InlineData("header", 1)]
    [InlineData("payload", -1)]
    [InlineData("just before the hashed tail", -33)]
    [InlineData("inside the hashed tail", -3)]
    public async Task TokenDifferingInOneCharacter_IsNeverAHit(string where, int offset)
    {
        PortkeyJwtValidator validator = Tokens.Validator();
        string token = Tokens.Mint();
        Assert.True((await validator.ValidateAsync(token)).IsValid);
        int at = where == "payload" ? token.IndexOf('.', StringComparison.Ordinal) + 5 : offset >= 0 ? offset : token.Length + offset;
        string changed = token[..at] + (token[at] == 'A' ? 'B' : 'A') + token[(at + 1)..];

        PortkeyJwtResult result = await validator.ValidateAsync(changed);

        Assert.False(result.IsValid);
        Assert.Contains(result.Error, new[] { PortkeyJwtError.InvalidSignature, PortkeyJwtError.Malformed });
    }

    [Fact]
    public async Task Entry_IsReusedAtMostValidationCacheDuration()
    {
        FakeTimeProvider clock = Tokens.Clock();
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { ValidationCacheDuration = TimeSpan.FromMinutes(2) }, clock);
        string token = Tokens.Mint(); // valid for 10 minutes
        PortkeyJwtResult first = await validator.ValidateAsync(token);

        clock.Advance(TimeSpan.FromSeconds(119));
        PortkeyJwtResult withinDuration = await validator.ValidateAsync(token);
        clock.Advance(TimeSpan.FromSeconds(2));
        PortkeyJwtResult afterDuration = await validator.ValidateAsync(token);

        Assert.Same(first, withinDuration);
        Assert.True(afterDuration.IsValid);
        Assert.NotSame(first, afterDuration);
    }

    [Fact]
    public async Task Rejections_AreNotCached()
    {
        PortkeyJwtValidator validator = Tokens.Validator();
        string expired = Tokens.Mint(Tokens.Claims().With(("exp", Tokens.NowSeconds - 3600)));

        await validator.ValidateAsync(expired);
        await validator.ValidateAsync("abc.def");

        Assert.Equal(0, CacheCount(validator));
    }

    [Fact]
    public async Task TokensLongerThan4096Characters_AreNotCached()
    {
        PortkeyJwtValidator validator = Tokens.Validator();
        string large = Tokens.Mint(Tokens.Claims().With(("padding", new string('x', 4096))));

        PortkeyJwtResult first = await validator.ValidateAsync(large);
        PortkeyJwtResult second = await validator.ValidateAsync(large);

        Assert.True(second.IsValid);
        Assert.NotSame(first, second);
        Assert.Equal(0, CacheCount(validator));
    }

    [Fact]
    public async Task Cache_IsBoundedByValidationCacheSize()
    {
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { ValidationCacheSize = 16 });
        for (int i = 0; i < 64; i++)
        {
            Assert.True((await validator.ValidateAsync(Tokens.Mint(Tokens.Claims().With(("jti", $"id-{i}"))))).IsValid);
        }

        Assert.InRange(CacheCount(validator), 1, 16);
    }

    [Theory]
    [InlineData(nameof(PortkeyJwtOptions.ValidationCacheDuration))]
    [InlineData(nameof(PortkeyJwtOptions.ValidationCacheSize))]
    public void CacheOptions_OutOfRange_ThrowNamingTheOption(string option)
    {
        var options = new PortkeyJwtOptions();
        if (option == nameof(PortkeyJwtOptions.ValidationCacheDuration))
        {
            options.ValidationCacheDuration = TimeSpan.FromHours(2);
        }
        else
        {
            options.ValidationCacheSize = 0;
        }

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Tokens.Validator(options));
        Assert.Equal(option, error.ParamName);
    }

    /// <summary>A clock that can be set anywhere, including backwards.</summary>
    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset UtcNow { get; set; }

        public override DateTimeOffset GetUtcNow() => UtcNow;
    }

    private static int CacheCount(PortkeyJwtValidator validator) => validator.Cache!.Count;
}
