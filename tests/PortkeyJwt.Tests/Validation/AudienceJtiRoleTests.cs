using System.Security.Claims;
using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>Rule 10, continued: <c>aud</c>, <c>jti</c> and roles on the principal; scopes are never roles.</summary>
public sealed class AudienceJtiRoleTests
{
    [Theory]
    [InlineData("\"portkey-gateway\"", new[] { "portkey-gateway" })]
    [InlineData("[\"a\",\"portkey-gateway\",\"b\"]", new[] { "a", "portkey-gateway", "b" })]
    [InlineData("[]", new string[0])]
    public void Audiences_FromAStringOrAnArray_InTokenOrder(string rawAud, string[] expected)
    {
        PortkeyPrincipal p = AssertValid(ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), ClaimsWithRaw("aud", rawAud))));

        Assert.Equal(expected, p.Audiences);
    }

    [Fact]
    public void Audiences_WhenConfigured_AreTheTokensOwnValues()
    {
        var validator = Tokens.Validator(new PortkeyJwtOptions { ValidAudiences = ["portkey-gateway"] });

        PortkeyPrincipal single = AssertValid(validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("aud", "portkey-gateway")))));
        PortkeyPrincipal several = AssertValid(validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("aud", new JsonArray("other", "portkey-gateway"))))));

        Assert.Equal(["portkey-gateway"], single.Audiences);
        Assert.Equal(["other", "portkey-gateway"], several.Audiences);
    }

    [Fact]
    public void Audiences_AreReadOnly_EvenWhenOneListServesManyPrincipals()
    {
        var validator = Tokens.Validator();
        PortkeyPrincipal first = AssertValid(validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("aud", "portkey-gateway"), ("jti", "a")))));
        PortkeyPrincipal second = AssertValid(validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("aud", "portkey-gateway"), ("jti", "b")))));

        Assert.Same(first.Audiences, second.Audiences); // one list for the usual single audience: nothing allocated
        Assert.IsNotType<string[]>(first.Audiences);    // and no caller can cast it back to an array and change it
        Assert.Throws<NotSupportedException>(() => ((IList<string>)first.Audiences)[0] = "evil");
    }

    [Fact]
    public void Audiences_Absent_IsEmpty() => Assert.Empty(AssertValid(ValidateDefault(Tokens.Mint())).Audiences);

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"a\\u0000b\"")]
    [InlineData("[\"ok\",\"\"]")]
    [InlineData("[\"ok\",7]")]
    [InlineData("7")]
    public void Audience_NotAValidString_IsInvalidClaim(string rawAud) =>
        AssertRejected(PortkeyJwtError.InvalidClaim, ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), ClaimsWithRaw("aud", rawAud))));

    [Fact]
    public void Audiences_MoreThan64_IsInvalidClaim()
    {
        string many = "[" + string.Join(",", Enumerable.Range(0, 65).Select(i => $"\"a{i}\"")) + "]";
        string sixtyFour = "[" + string.Join(",", Enumerable.Range(0, 64).Select(i => $"\"a{i}\"")) + "]";

        AssertRejected(PortkeyJwtError.InvalidClaim, ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), ClaimsWithRaw("aud", many))));
        Assert.Equal(64, AssertValid(ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), ClaimsWithRaw("aud", sixtyFour)))).Audiences.Count);
    }

    [Fact]
    public void JwtId_IsTheJtiClaim()
    {
        Assert.Equal("b7e1c0de-4a2f", AssertValid(ValidateDefault(Tokens.Mint(Tokens.Claims().With(("jti", "b7e1c0de-4a2f"))))).JwtId);
        Assert.Null(AssertValid(ValidateDefault(Tokens.Mint())).JwtId);
    }

    [Theory]
    [InlineData("7")]
    [InlineData("\"\"")]
    [InlineData("[\"a\"]")]
    [InlineData("\"a\\nb\"")]
    public void JwtId_NotANonEmptyString_IsInvalidClaim(string rawJti)
    {
        PortkeyJwtResult result = ValidateDefault(TestKey.Default.SignRaw(HeaderJson(), ClaimsWithRaw("jti", rawJti)));

        AssertRejected(PortkeyJwtError.InvalidClaim, result);
        Assert.Contains("'jti'", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Roles_WithoutARoleClaim_AreEmpty_EvenWhenTheTokenHasRoles()
    {
        PortkeyPrincipal p = AssertValid(ValidateDefault(Tokens.Mint(Tokens.Claims().With(("roles", new JsonArray("admin")), ("scope", "admin")))));

        Assert.Empty(p.Roles);
        Assert.False(p.IsInRole("admin"));
        Assert.False(p.ToClaimsPrincipal().IsInRole("admin")); // a scope named admin is not the admin role
    }

    [Theory]
    [InlineData("\"admin\"", new[] { "admin" })]
    [InlineData("[\"admin\",\"billing\",\"admin\"]", new[] { "admin", "billing" })]
    [InlineData("[]", new string[0])]
    public void Roles_FromTheConfiguredClaim_StringOrArray(string rawRoles, string[] expected)
    {
        var validator = Tokens.Validator(new PortkeyJwtOptions { RoleClaim = "roles" });

        PortkeyPrincipal p = AssertValid(validator.ValidateNow(TestKey.Default.SignRaw(HeaderJson(), ClaimsWithRaw("roles", rawRoles))));

        Assert.Equal(expected, p.Roles);
        ClaimsPrincipal cp = p.ToClaimsPrincipal();
        Assert.Equal("roles", Assert.IsType<ClaimsIdentity>(cp.Identity).RoleClaimType);
        Assert.All(expected, role => Assert.True(cp.IsInRole(role)));
        Assert.All(expected, role => Assert.True(p.IsInRole(role)));
        Assert.False(cp.IsInRole("completions.write"));
    }

    [Theory]
    [InlineData("7")]
    [InlineData("{}")]
    [InlineData("[\"ok\",7]")]
    [InlineData("[\"\"]")]
    [InlineData("\"a\\u0001\"")]
    public void Roles_NotStrings_IsInvalidClaimNamingTheRoleClaim(string rawRoles)
    {
        var validator = Tokens.Validator(new PortkeyJwtOptions { RoleClaim = "groups" });

        PortkeyJwtResult result = validator.ValidateNow(TestKey.Default.SignRaw(HeaderJson(), ClaimsWithRaw("groups", rawRoles)));

        AssertRejected(PortkeyJwtError.InvalidClaim, result);
        Assert.Contains("'groups'", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void RoleClaim_Duplicated_IsMalformed()
    {
        string payload = Append(ClaimsJson(), "\"roles\":\"a\",\"roles\":\"b\"");

        AssertRejected(PortkeyJwtError.Malformed, Tokens.Validator(new PortkeyJwtOptions { RoleClaim = "roles" }).ValidateNow(TestKey.Default.SignRaw(HeaderJson(), payload)));
    }

    [Fact]
    public void ToClaimsPrincipal_HasAudAndJtiClaims()
    {
        ClaimsPrincipal cp = AssertValid(ValidateDefault(Tokens.Mint(Tokens.Claims().With(("aud", new JsonArray("x", "y")), ("jti", "id-1"))))).ToClaimsPrincipal();

        Assert.Equal(["x", "y"], cp.FindAll("aud").Select(c => c.Value));
        Assert.Equal("id-1", Assert.Single(cp.FindAll("jti")).Value);
    }
}
