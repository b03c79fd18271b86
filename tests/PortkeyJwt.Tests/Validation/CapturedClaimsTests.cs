using System.Security.Claims;
using System.Text.Json;
using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>
/// Rule 11: claims beyond those the validator checks reach the principal only when asked for
/// (<see cref="PortkeyJwtOptions.CapturedClaims"/>, <see cref="PortkeyJwtOptions.CaptureAllClaims"/>), keep their JSON
/// type, and are bounded: a value over a limit rejects the token.
/// </summary>
public sealed class CapturedClaimsTests
{
    [Fact]
    public void NothingConfigured_CapturesNothing()
    {
        PortkeyPrincipal p = Validate(Tokens.Claims().With(("tier", "gold")), new PortkeyJwtOptions());

        Assert.Empty(p.Claims);
        Assert.False(p.TryGetClaim("tier", out _));
    }

    [Fact]
    public void NamedClaims_AreCapturedWithTheirJsonType()
    {
        JsonObject claims = Tokens.Claims().With(
            ("tier", "gold"),
            ("seats", 42),
            ("ratio", 0.5),
            ("beta", true),
            ("team", new JsonArray("ml", "infra")),
            ("limits", new JsonObject { ["rpm"] = 600, ["models"] = new JsonArray("gpt-4o") }),
            ("ignored", "not named"));

        PortkeyPrincipal p = Validate(claims, Capturing("tier", "seats", "ratio", "beta", "team", "limits", "absent"));

        Assert.Equal(["beta", "limits", "ratio", "seats", "team", "tier"], p.Claims.Keys.Order(StringComparer.Ordinal));
        Assert.True(p.TryGetClaim("tier", out JsonElement tier));
        Assert.Equal("gold", tier.GetString());
        Assert.Equal(42, p.Claims["seats"].GetInt32());
        Assert.Equal(0.5, p.Claims["ratio"].GetDouble());
        Assert.Equal(JsonValueKind.True, p.Claims["beta"].ValueKind);
        Assert.Equal(["ml", "infra"], p.Claims["team"].EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(600, p.Claims["limits"].GetProperty("rpm").GetInt32());
        Assert.False(p.TryGetClaim("ignored", out _));
        Assert.False(p.TryGetClaim("absent", out _));
        Assert.False(p.TryGetClaim("Tier", out _)); // names are case-sensitive
    }

    [Fact]
    public void EscapedClaimName_IsCapturedUnderItsName()
    {
        string payload = Append(ClaimsJson(), "\"t\\u0069er\":\"gold\"");

        PortkeyPrincipal p = AssertValid(Tokens.Validator(Capturing("tier")).ValidateNow(TestKey.Default.SignRaw(HeaderJson(), payload)));

        Assert.Equal("gold", p.Claims["tier"].GetString());
    }

    [Fact]
    public void CaptureAllClaims_CapturesEveryClaim()
    {
        PortkeyPrincipal p = Validate(Tokens.Claims().With(("tier", "gold")), new PortkeyJwtOptions { CaptureAllClaims = true });

        Assert.Equal(
            Tokens.Claims().Select(c => c.Key).Append("tier").Order(StringComparer.Ordinal),
            p.Claims.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Tokens.NowSeconds + 600, p.Claims["exp"].GetInt64());
    }

    [Fact]
    public void CapturedClaim_Duplicated_IsMalformed()
    {
        string payload = Append(ClaimsJson(), "\"tier\":\"gold\",\"tier\":\"free\"");

        AssertRejected(PortkeyJwtError.Malformed, Tokens.Validator(Capturing("tier")).ValidateNow(TestKey.Default.SignRaw(HeaderJson(), payload)));
    }

    [Theory]
    [InlineData(PortkeyJwtOptions.MaxCapturedClaimBytes - 2, true)] // the quotes make it exactly the limit
    [InlineData(PortkeyJwtOptions.MaxCapturedClaimBytes - 1, false)]
    public void CapturedClaim_OverTheValueLimit_IsRejectedNotTruncated(int characters, bool valid)
    {
        PortkeyJwtResult result = Tokens.Validator(Capturing("blob")).ValidateNow(Tokens.Mint(Tokens.Claims().With(("blob", new string('x', characters)))));

        if (valid)
        {
            Assert.Equal(characters, AssertValid(result).Claims["blob"].GetString()!.Length);
        }
        else
        {
            AssertRejected(PortkeyJwtError.InvalidClaim, result);
            Assert.Contains($"larger than {PortkeyJwtOptions.MaxCapturedClaimBytes} bytes", result.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CapturedClaims_OverTheTotalLimit_AreRejected()
    {
        // Five values of 4,000 bytes: each under the value limit, together over the 16 KiB total.
        var claims = Tokens.Claims();
        string[] names = ["a1", "a2", "a3", "a4", "a5"];
        foreach (string name in names)
        {
            claims[name] = new string('x', 4000);
        }

        PortkeyJwtResult result = Tokens.Validator(new PortkeyJwtOptions { CapturedClaims = names, MaxTokenLength = 64 * 1024 }).ValidateNow(Tokens.Mint(claims));
        PortkeyJwtResult fourOfThem = Tokens.Validator(new PortkeyJwtOptions { CapturedClaims = names[..4], MaxTokenLength = 64 * 1024 }).ValidateNow(Tokens.Mint(claims));

        AssertRejected(PortkeyJwtError.InvalidClaim, result);
        Assert.Contains($"total more than {PortkeyJwtOptions.MaxCapturedClaimsBytes} bytes", result.Detail, StringComparison.Ordinal);
        Assert.Equal(4, AssertValid(fourOfThem).Claims.Count);
    }

    [Theory]
    [InlineData(PortkeyJwtOptions.MaxCapturedClaimDepth, true)]
    [InlineData(PortkeyJwtOptions.MaxCapturedClaimDepth + 1, false)]
    public void CapturedClaim_NestedDeeperThanTheLimit_IsRejected(int depth, bool valid)
    {
        string value = string.Concat(Enumerable.Repeat("[", depth)) + string.Concat(Enumerable.Repeat("]", depth));
        string payload = Append(ClaimsJson(), $"\"deep\":{value}");

        PortkeyJwtResult result = Tokens.Validator(Capturing("deep")).ValidateNow(TestKey.Default.SignRaw(HeaderJson(), payload));

        if (valid)
        {
            Assert.Equal(value, AssertValid(result).Claims["deep"].GetRawText());
        }
        else
        {
            AssertRejected(PortkeyJwtError.InvalidClaim, result);
            Assert.Contains($"deeper than {PortkeyJwtOptions.MaxCapturedClaimDepth}", result.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void UncapturedClaim_OverTheLimits_IsIgnored()
    {
        string deep = string.Concat(Enumerable.Repeat("[", 20)) + string.Concat(Enumerable.Repeat("]", 20));
        string payload = Append(ClaimsJson(), $"\"deep\":{deep},\"blob\":\"{new string('x', 5000)}\"");

        PortkeyPrincipal p = AssertValid(Tokens.Validator(Capturing("tier")).ValidateNow(TestKey.Default.SignRaw(HeaderJson(), payload)));

        Assert.Empty(p.Claims);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad\nname")]
    public void CapturedClaims_BadName_ThrowsNamingTheOption(string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Tokens.Validator(Capturing(name)));
        Assert.Equal(nameof(PortkeyJwtOptions.CapturedClaims), error.ParamName);
    }

    [Fact]
    public void CapturedClaims_TooManyOrRepeated_Throw()
    {
        Assert.Equal(nameof(PortkeyJwtOptions.CapturedClaims), Assert.Throws<ArgumentOutOfRangeException>(() =>
            Tokens.Validator(Capturing([.. Enumerable.Range(0, 65).Select(i => $"c{i}")]))).ParamName);
        Assert.Equal(nameof(PortkeyJwtOptions.CapturedClaims), Assert.Throws<ArgumentOutOfRangeException>(() =>
            Tokens.Validator(Capturing("tier", "tier"))).ParamName);
    }

    [Fact]
    public void ToClaimsPrincipal_HasOneClaimPerArrayElement_AndObjectsAsJson()
    {
        JsonObject claims = Tokens.Claims().With(
            ("team", new JsonArray("ml", "infra")),
            ("seats", 42),
            ("ratio", 0.5),
            ("beta", false),
            ("nothing", null),
            ("limits", new JsonObject { ["rpm"] = 600 }));

        ClaimsPrincipal cp = Validate(claims, Capturing("team", "seats", "ratio", "beta", "nothing", "limits")).ToClaimsPrincipal();

        Assert.Equal(["ml", "infra"], cp.FindAll("team").Select(c => c.Value));
        Assert.Equal((ClaimValueTypes.Integer64, "42"), Single(cp, "seats"));
        Assert.Equal((ClaimValueTypes.Double, "0.5"), Single(cp, "ratio"));
        Assert.Equal((ClaimValueTypes.Boolean, "false"), Single(cp, "beta"));
        Assert.Equal(("JSON", "{\"rpm\":600}"), Single(cp, "limits"));
        Assert.Empty(cp.FindAll("nothing"));
    }

    [Fact]
    public void ToClaimsPrincipal_CapturedClaimOfAWrittenType_IsNotRepeated()
    {
        ClaimsPrincipal cp = Validate(Tokens.Claims(), new PortkeyJwtOptions { CaptureAllClaims = true }).ToClaimsPrincipal();

        Assert.Single(cp.FindAll("sub"));
        Assert.Single(cp.FindAll("portkey_oid"));
        Assert.Equal(["completions.write", "logs.view"], cp.FindAll("scope").Select(c => c.Value)); // normalised, not the raw string
        Assert.Single(cp.FindAll("exp")); // a captured claim the principal does not write itself
    }

    private static (string Type, string Value) Single(ClaimsPrincipal cp, string type)
    {
        Claim claim = Assert.Single(cp.FindAll(type));
        return (claim.ValueType, claim.Value);
    }

    private static PortkeyJwtOptions Capturing(params string[] names) => new() { CapturedClaims = names };

    private static PortkeyPrincipal Validate(JsonObject claims, PortkeyJwtOptions options) =>
        AssertValid(Tokens.Validator(options).ValidateNow(Tokens.Mint(claims)));
}
