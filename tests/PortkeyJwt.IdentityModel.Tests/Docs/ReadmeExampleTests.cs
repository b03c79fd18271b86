namespace PortkeyJwt.IdentityModel.Tests.Docs;

/// <summary>The package README's C# block is Docs/SwitchExample.cs between its snippet markers, verbatim; JwtBearerPipelineTests run it.</summary>
public sealed class ReadmeExampleTests
{
    /// <summary>Each C# block the README marks with a snippet name is the tested source, verbatim.</summary>
    [Theory]
    [InlineData("switch-to-portkey", "tests/PortkeyJwt.IdentityModel.Tests/Docs/SwitchExample.cs")]
    public void Readme_ShowsTheTestedSnippet_Verbatim(string snippet, string file)
    {
        (string expected, string? shown) = ReadmeSnippets.Read("src/PortkeyJwt.IdentityModel/README.md", snippet, file);

        Assert.True(shown is not null, $"src/PortkeyJwt.IdentityModel/README.md has no ```csharp block after <!-- snippet: {snippet} -->");
        Assert.Equal(expected, shown);
    }
}
