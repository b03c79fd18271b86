namespace PortkeyJwt.TestKit.Tests.Docs;

/// <summary>The package README's C# block is Docs/ReadmeExample.cs between its snippet markers, verbatim; xunit runs its tests.</summary>
public sealed class ReadmeExampleTests
{
    /// <summary>Each C# block the README marks with a snippet name is the tested source, verbatim.</summary>
    [Theory]
    [InlineData("testkit-example", "tests/PortkeyJwt.TestKit.Tests/Docs/ReadmeExample.cs")]
    public void Readme_ShowsTheTestedSnippet_Verbatim(string snippet, string file)
    {
        (string expected, string? shown) = ReadmeSnippets.Read("src/PortkeyJwt.TestKit/README.md", snippet, file);

        Assert.True(shown is not null, $"src/PortkeyJwt.TestKit/README.md has no ```csharp block after <!-- snippet: {snippet} -->");
        Assert.Equal(expected, shown);
    }
}
