using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PortkeyJwt.AspNetCore.Forwarding;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary>
/// The identity-headers options and value rules on their own: what a header name may be (checked when configured), and
/// which values may travel (checked on every request). The end-to-end behaviour is in <see cref="IdentityForwardingTests"/>.
/// </summary>
public sealed class IdentityHeadersOptionsTests
{
    [Fact]
    public void Options_Default_MapsOrganisationWorkspaceUserScopes_AndDropsTheToken()
    {
        var options = new PortkeyIdentityHeadersOptions();

        Assert.Equal(["x-portkey-organisation", "x-portkey-workspace", "x-portkey-user", "x-portkey-scopes"], options.HeaderNames);
        Assert.False(options.ForwardToken);
        Assert.Equal(" ", PortkeyIdentityHeadersOptions.Separator);
    }

    [Fact]
    public void Options_MapSameHeaderInOtherLetterCase_ReplacesTheMapping()
    {
        var options = new PortkeyIdentityHeadersOptions().Map(PortkeyIdentityValue.Email, "X-Portkey-User");

        Assert.Equal(["x-portkey-organisation", "x-portkey-workspace", "x-portkey-scopes", "X-Portkey-User"], options.HeaderNames);
        Assert.True(options.Remove("X-PORTKEY-SCOPES"));
        Assert.False(options.Remove("x-portkey-scopes"));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("x portkey", "token character")]
    [InlineData("x-portkey-org:", "token character")]
    [InlineData("x-portkey-org\r\nx-evil", "U+000D")]
    [InlineData("x-pörtkey", "U+00F6")]
    [InlineData("(x)", "token character")]
    [InlineData("Authorization", "reserved")]
    [InlineData("proxy-authorization", "reserved")]
    [InlineData("X-Portkey-Api-Key", "reserved")]
    [InlineData("Host", "reserved")]
    [InlineData("transfer-encoding", "reserved")]
    [InlineData("Connection", "reserved")]
    [InlineData("Cookie", "reserved")]
    [InlineData("Content-Type", "content header")]
    [InlineData("content-length", "content header")]
    [InlineData("Expires", "content header")]
    public void Options_MapToBadHeaderName_ThrowsArgumentExceptionNamingTheProblem(string headerName, string problem)
    {
        var options = new PortkeyIdentityHeadersOptions();

        ArgumentException byValue = Assert.Throws<ArgumentException>(() => options.Map(PortkeyIdentityValue.User, headerName));
        ArgumentException byClaim = Assert.Throws<ArgumentException>(() => options.MapClaim("tier", headerName));

        Assert.Equal("headerName", byValue.ParamName);
        Assert.Contains(problem, byValue.Message, StringComparison.Ordinal);
        Assert.Equal("headerName", byClaim.ParamName);
    }

    [Theory]
    [InlineData("x-portkey-tier")]
    [InlineData("X-Tenant_Tier")]
    [InlineData("x.a!#$%&'*+^`|~9")]
    [InlineData("From")]
    public void Options_MapToTokenHeaderName_IsAccepted(string headerName)
    {
        var options = new PortkeyIdentityHeadersOptions().MapClaim("tier", headerName);

        Assert.Contains(headerName, options.HeaderNames);
    }

    [Fact]
    public void Options_MapUndefinedValueOrEmptyClaim_Throws()
    {
        var options = new PortkeyIdentityHeadersOptions();

        Assert.Equal("value", Assert.Throws<ArgumentException>(() => options.Map((PortkeyIdentityValue)99, "x-a")).ParamName);
        Assert.Equal("claimName", Assert.Throws<ArgumentException>(() => options.MapClaim("", "x-a")).ParamName);
    }

    [Fact]
    public void ReverseProxyBuilder_BadHeaderName_ThrowsWhenRegistered()
    {
        IReverseProxyBuilder proxy = new ServiceCollection().AddReverseProxy();

        Assert.Throws<ArgumentException>(() => proxy.AddPortkeyIdentityHeaders(options => options.Map(PortkeyIdentityValue.User, "x user")));
    }

    [Theory]
    [InlineData("org-3f2a")]
    [InlineData("ada@example.com")]
    [InlineData("completions.write logs.view")]
    [InlineData("a")]
    [InlineData("!\"#~")]
    public void Value_PrintableAscii_IsForwardable(string value)
    {
        Assert.True(IdentityHeaderValues.IsForwardable(value));
    }

    [Theory]
    [InlineData("CR LF", "gold\r\nx-portkey-organisation: evil")]
    [InlineData("LF", "gold\nadmin")]
    [InlineData("CR", "gold\r")]
    [InlineData("NUL", "gold\0")]
    [InlineData("tab", "gold\tsilver")]
    [InlineData("DEL", "gold\u007F")]
    [InlineData("C1 control", "gold\u0085")]
    [InlineData("non-ASCII", "jörg")]
    [InlineData("line separator", "a\u2028b")]
    [InlineData("empty", "")]
    [InlineData("leading space", " gold")]
    [InlineData("trailing space", "gold ")]
    public void Value_UnsafeInAHeader_IsNotForwardable(string name, string value)
    {
        _ = name;
        Assert.False(IdentityHeaderValues.IsForwardable(value));
    }

    [Fact]
    public void Value_LongerThanTheLimit_IsNotForwardable()
    {
        Assert.True(IdentityHeaderValues.IsForwardable(new string('a', IdentityHeaderValues.MaxValueLength)));
        Assert.False(IdentityHeaderValues.IsForwardable(new string('a', IdentityHeaderValues.MaxValueLength + 1)));
    }

    [Theory]
    [InlineData(new string[0], null)]
    [InlineData(new[] { "completions.write" }, "completions.write")]
    [InlineData(new[] { "a", "b", "c" }, "a b c")]
    [InlineData(new[] { "billing admin", "viewer" }, null)] // the upstream could not split it back
    [InlineData(new[] { "a", "" }, null)]
    public void Join_List_JoinsBySpaceOnlyWhenItSplitsBack(string[] values, string? expected)
    {
        Assert.Equal(expected, IdentityHeaderValues.Join(values));
    }

    [Theory]
    [InlineData("\"gold\"", "gold")]
    [InlineData("25", "25")]
    [InlineData("1.5e3", "1.5e3")]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("null", null)]
    [InlineData("[\"eu\", \"us\"]", "eu us")]
    [InlineData("[1, true, \"x\"]", "1 true x")]
    [InlineData("[\"a b\", \"c\"]", null)]
    [InlineData("[]", null)]
    [InlineData("{ \"plan\" : \"pro\", \"seats\" : [ 1, 2 ] }", "{\"plan\":\"pro\",\"seats\":[1,2]}")]
    [InlineData("[{\"a\": 1}, 2]", "[{\"a\":1},2]")]
    [InlineData("{\"city\": \"Zürich\\n\"}", "{\"city\":\"Z\\u00FCrich\\n\"}")]
    public void FromClaim_JsonValue_BecomesItsHeaderText(string json, string? expected)
    {
        using JsonDocument document = JsonDocument.Parse(json);

        Assert.Equal(expected, IdentityHeaderValues.FromClaim(document.RootElement));
    }
}
