namespace PortkeyJwt.Tests.Validation;

/// <summary>
/// A per-call required scope comes from the caller's code: one that is null or no scope name is misuse, refused with an
/// <see cref="ArgumentException"/> that names the parameter and says what is wrong with the value.
/// </summary>
public sealed class RequiredScopeMisuseTests
{
    [Fact]
    public void NullScope_Throws_SayingScopesMustNotContainNull()
    {
        PortkeyJwtValidator validator = Tokens.Validator();

        ArgumentException e = Assert.Throws<ArgumentException>(() => validator.ValidateNow(Tokens.Mint(), [null!]));

        Assert.Equal("requiredScopes", e.ParamName);
        Assert.Equal("Required scopes must not contain null. (Parameter 'requiredScopes')", e.Message);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("portkey.")]
    [InlineData("quote\"d")]
    public void NotAScopeName_Throws_NamingTheValueAndTheRule(string scope)
    {
        PortkeyJwtValidator validator = Tokens.Validator();

        ArgumentException e = Assert.Throws<ArgumentException>(() => validator.ValidateNow(Tokens.Mint(), ["completions.write", scope]));

        Assert.Equal("requiredScopes", e.ParamName);
        Assert.Equal(
            $"'{scope}' is not a scope name: a scope must be printable ASCII without spaces, quotes or backslashes, and not empty after a leading 'portkey.'. (Parameter 'requiredScopes')",
            e.Message);
    }
}
