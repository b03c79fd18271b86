using ReadmeExample;

namespace PortkeyJwt.Tests.Docs;

public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task ReadmeExample_ValidToken_PrintsTheCaller()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string token = Tokens.Mint(Tokens.Claims().With(("iss", "https://auth.example.com"), ("aud", "portkey-gateway"), ("iat", now), ("nbf", now), ("exp", now + 600)));
        using var authentication = new GatewayAuthentication(TestKey.Jwks(TestKey.Default));

        string output = await authentication.AuthenticateAsync(token);

        Assert.Equal("org-3f2a/ws-default as dev@example.com [completions.write logs.view]", output);
    }

    [Fact]
    public async Task ReadmeExample_MissingScope_Prints403()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string token = Tokens.Mint(Tokens.Claims().With(("iss", "https://auth.example.com"), ("aud", "portkey-gateway"), ("scope", "logs.view"), ("iat", now), ("nbf", now), ("exp", now + 600)));
        using var authentication = new GatewayAuthentication(TestKey.Jwks(TestKey.Default));

        string output = await authentication.AuthenticateAsync(token);

        Assert.StartsWith("403 InsufficientScope:", output, StringComparison.Ordinal);
        Assert.DoesNotContain(token, output, StringComparison.Ordinal);
    }

    /// <summary>Each C# block the README marks with a snippet name is the tested source, verbatim.</summary>
    [Theory]
    [InlineData("static-jwks", "samples/ReadmeExample/GatewayAuthentication.cs")]
    [InlineData("next-to-jwtbearer", "tests/PortkeyJwt.AspNetCore.Tests/Docs/NextToJwtBearerExample.cs")]
    [InlineData("many-organisations", "tests/PortkeyJwt.Tests/Docs/ManyOrganisationsExample.cs")]
    [InlineData("captured-claims", "tests/PortkeyJwt.Tests/Docs/CapturedClaimsExample.cs")]
    public void Readme_ShowsTheTestedSnippet_Verbatim(string snippet, string file)
    {
        (string expected, string? shown) = ReadmeSnippets.Read("README.md", snippet, file);

        Assert.True(shown is not null, $"README.md has no ```csharp block after <!-- snippet: {snippet} -->");
        Assert.Equal(expected, shown);
    }

    /// <summary>The README's first lines give the demo command and the test command that .ci/run also calls.</summary>
    [Fact]
    public void Readme_FirstLines_GiveTheDemoAndTestCommands()
    {
        string root = RepoPaths.Root;
        string head = string.Join('\n', File.ReadLines(Path.Combine(root, "README.md")).Take(20));
        string ci = File.ReadAllText(Path.Combine(root, ".ci", "run"));

        Assert.Contains("dotnet run --project src/PortkeyJwt.Cli -- demo", head, StringComparison.Ordinal);
        Assert.Contains("dotnet test PortkeyJwt.sln -c Release", head, StringComparison.Ordinal);
        Assert.Contains("dotnet test PortkeyJwt.sln -c Release", ci, StringComparison.Ordinal);
    }
}
