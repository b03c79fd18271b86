using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>Rules 7 and 8: how scopes are read and normalised, and how required scopes are enforced (403).</summary>
public sealed class ScopeTests
{
    [Theory]
    [InlineData("scope", "\"a b c\"", new[] { "a", "b", "c" })]
    [InlineData("scope", "[\"a\",\"b\",\"c\"]", new[] { "a", "b", "c" })]
    [InlineData("scopes", "\"a b c\"", new[] { "a", "b", "c" })]
    [InlineData("scopes", "[\"a\",\"b\"]", new[] { "a", "b" })]
    [InlineData("scope", "\"portkey.a portkey.b\"", new[] { "a", "b" })]
    [InlineData("scope", "[\"portkey.a\",\"b\"]", new[] { "a", "b" })]
    [InlineData("scope", "\"a a a\"", new[] { "a" })]
    [InlineData("scope", "\"portkey.x x\"", new[] { "x" })]
    [InlineData("scope", "[\"x\",\"portkey.x\"]", new[] { "x" })]
    [InlineData("scope", "\"b a portkey.b c\"", new[] { "b", "a", "c" })]
    [InlineData("scope", "\"  a   b \"", new[] { "a", "b" })]
    [InlineData("scope", "\"portkey.portkey.x\"", new[] { "portkey.x" })]
    [InlineData("scope", "\"Portkey.x\"", new[] { "Portkey.x" })]
    [InlineData("scope", "\"completions.write logs:read admin/*\"", new[] { "completions.write", "logs:read", "admin/*" })]
    public void Scopes_ReadFromClaim_AreNormalisedDeduplicatedInOrder(string claim, string rawValue, string[] expected)
    {
        string payload = WithRaw(ClaimsWithRaw("scope", null), claim, rawValue);

        Assert.Equal(expected, AssertValid(ValidateRaw(payload)).Scopes);
    }

    [Fact]
    public void Scope_PresentWithScopes_ScopeWins()
    {
        string payload = Tokens.Claims().With(("scope", "a"), ("scopes", "b")).ToJsonString();

        Assert.Equal(["a"], AssertValid(ValidateRaw(payload)).Scopes);
    }

    [Fact]
    public void Scope_InvalidWithValidScopes_IsInvalidClaim()
    {
        string payload = WithRaw(ClaimsWithRaw("scope", "\"\""), "scopes", "\"a\"");

        AssertRejected(PortkeyJwtError.InvalidClaim, ValidateRaw(payload));
    }

    [Fact]
    public void Scope_MissingWithScopes_IsMissingClaimNamingScope()
    {
        PortkeyJwtResult result = ValidateRaw(ClaimsWithRaw("scope", null));

        AssertRejected(PortkeyJwtError.MissingClaim, result);
        Assert.Contains("'scope'", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("empty string", "\"\"")]
    [InlineData("only spaces", "\"   \"")]
    [InlineData("empty array", "[]")]
    [InlineData("array with a number", "[\"a\",1]")]
    [InlineData("array with null", "[\"a\",null]")]
    [InlineData("array with an array", "[[\"a\"]]")]
    [InlineData("array with empty string", "[\"a\",\"\"]")]
    [InlineData("array element with a space", "[\"a b\"]")]
    [InlineData("prefix alone", "\"portkey.\"")]
    [InlineData("prefix alone in array", "[\"portkey.\"]")]
    [InlineData("quote", "\"a\\\"b\"")]
    [InlineData("backslash", "\"a\\\\b\"")]
    [InlineData("tab separator", "\"a\\tb\"")]
    [InlineData("newline separator", "\"a\\nb\"")]
    [InlineData("non-ASCII", "\"caf\u00e9\"")]
    [InlineData("escaped non-ASCII", "\"caf\\u00e9\"")]
    [InlineData("DEL", "\"a\\u007f\"")]
    [InlineData("number", "42")]
    [InlineData("bool", "true")]
    [InlineData("null", "null")]
    [InlineData("object", "{\"a\":true}")]
    public void Scope_NotValidScopeTokens_IsInvalidClaim(string @case, string rawValue)
    {
        AssertRejectedBy(Failures.Invalid(Failures.Claim.Scope), ValidateRaw(ClaimsWithRaw("scope", rawValue)), @case);
    }

    [Fact]
    public void Scopes_AliasInvalid_IsInvalidClaim() =>
        AssertRejected(PortkeyJwtError.InvalidClaim, ValidateRaw(WithRaw(ClaimsWithRaw("scope", null), "scopes", "[1]")));

    [Theory]
    [InlineData("completions.writer", "completions.write")]
    [InlineData("completions", "completions.write")]
    [InlineData("completions.write", "completions")]
    [InlineData("Completions.Write", "completions.write")]
    [InlineData("completions.write", "COMPLETIONS.WRITE")]
    [InlineData("logs.view", "completions.write")]
    [InlineData("xcompletions.write", "completions.write")]
    [InlineData("completions.write.all", "completions.write")]
    [InlineData("portkey.completions.write", "portkey.completions.writer")]
    public void RequiredScope_NotGrantedAsAWholeName_IsInsufficientScope403(string granted, string required)
    {
        string token = Tokens.Mint(Tokens.Claims().With(("scope", granted)));

        PortkeyJwtResult fromOptions = Tokens.Validator(new PortkeyJwtOptions { RequiredScopes = [required] }).ValidateNow(token);
        PortkeyJwtResult perCall = ValidateRequiring(token, [required]);

        AssertRejected(PortkeyJwtError.InsufficientScope, fromOptions);
        AssertRejected(PortkeyJwtError.InsufficientScope, perCall);
        Assert.Equal(403, perCall.StatusCode);
    }

    [Theory]
    [InlineData("completions.write", "completions.write")]
    [InlineData("completions.write", "portkey.completions.write")]
    [InlineData("portkey.completions.write", "completions.write")]
    [InlineData("portkey.completions.write", "portkey.completions.write")]
    [InlineData("a b completions.write", "completions.write")]
    public void RequiredScope_GrantedAsAWholeName_IsValid200(string granted, string required)
    {
        string token = Tokens.Mint(Tokens.Claims().With(("scope", granted)));

        AssertValid(Tokens.Validator(new PortkeyJwtOptions { RequiredScopes = [required] }).ValidateNow(token));
        PortkeyJwtResult perCall = ValidateRequiring(token, [required]);

        AssertValid(perCall);
        Assert.Equal(200, perCall.StatusCode);
    }

    [Fact]
    public void RequiredScopes_AllMustBeGranted()
    {
        string token = Tokens.Mint(Tokens.Claims().With(("scope", "a c")));

        PortkeyJwtResult result = ValidateRequiring(token, ["a", "b", "c"]);

        AssertRejected(PortkeyJwtError.InsufficientScope, result);
        Assert.Contains("'b'", result.Detail, StringComparison.Ordinal);
        AssertValid(ValidateRequiring(token, ["a", "c"]));
    }

    [Fact]
    public void RequiredScopes_FromOptionsAndPerCall_AreBothEnforced()
    {
        var validator = Tokens.Validator(new PortkeyJwtOptions { RequiredScopes = ["a"] });

        AssertRejected(PortkeyJwtError.InsufficientScope, validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("scope", "a"))), ["b"]));
        AssertRejected(PortkeyJwtError.InsufficientScope, validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("scope", "b"))), ["b"]));
        AssertValid(validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("scope", "b a"))), ["b"]));
    }

    [Fact]
    public void RequiredScopes_NullOrEmptyPerCall_RequireNothing()
    {
        string token = Tokens.Mint(Tokens.Claims().With(("scope", "a")));

        AssertValid(ValidateRequiring(token, null));
        AssertValid(ValidateRequiring(token, []));
    }

    [Fact]
    public void RequiredScopes_CheckedOnlyAfterEveryOtherRule()
    {
        // An expired token lacking the scope is a 401 (Expired), not a 403.
        string token = Tokens.Mint(Tokens.Claims().With(("scope", "a"), ("exp", Tokens.NowSeconds - 3600)));

        AssertRejected(PortkeyJwtError.Expired, ValidateRequiring(token, ["b"]));
    }

    [Fact]
    public void RequiredScopes_PerCallWithNullEntry_ThrowsArgumentException()
    {
        var validator = Tokens.Validator();

        Assert.Throws<ArgumentException>(() => validator.ValidateNow(Tokens.Mint(), [null!]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad scope")]
    [InlineData("portkey.")]
    [InlineData("quote\"d")]
    [InlineData("back\\slash")]
    [InlineData("tab\tinside")]
    [InlineData("caf\u00e9")]
    public void RequiredScopes_PerCallNotAScopeName_ThrowsArgumentExceptionAtOnce_AsInTheOptions(string scope)
    {
        var validator = Tokens.Validator();

        // Thrown before any rule runs: for a valid token and for one that is not a token at all.
        ArgumentException forValid = Assert.Throws<ArgumentException>(() => validator.ValidateNow(Tokens.Mint(), ["a", scope]));
        ArgumentException forJunk = Assert.Throws<ArgumentException>(() => validator.ValidateNow("not-a-token", [scope]));
        ArgumentException inOptions = Assert.ThrowsAny<ArgumentException>(() => Tokens.Validator(new PortkeyJwtOptions { RequiredScopes = [scope] }));

        Assert.Equal("requiredScopes", forValid.ParamName);
        Assert.Equal("requiredScopes", forJunk.ParamName);
        Assert.Equal(nameof(PortkeyJwtOptions.RequiredScopes), inOptions.ParamName);
    }

    private static PortkeyJwtResult ValidateRequiring(string token, IReadOnlyList<string>? requiredScopes) =>
        Tokens.Validator().ValidateNow(token, requiredScopes);

    private static PortkeyJwtResult ValidateRaw(string payloadJson) =>
        ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), payloadJson));
}
