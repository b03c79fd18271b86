using System.Text.RegularExpressions;

namespace PortkeyJwt.TestKit.Tests.Docs;

/// <summary>The package README's C# block is Docs/ReadmeExample.cs between its snippet markers, verbatim; xunit runs its tests.</summary>
public sealed class ReadmeExampleTests
{
    /// <summary>Each C# block the README marks with a snippet name is the tested source, verbatim.</summary>
    [Theory]
    [InlineData("testkit-example", "tests/PortkeyJwt.TestKit.Tests/Docs/ReadmeExample.cs")]
    public void Readme_ShowsTheTestedSnippet_Verbatim(string snippet, string file)
    {
        // Located from the repository root, not [CallerFilePath]: a CI build (CI=true) maps source paths to /_/.
        string source = File.ReadAllText(Path.Combine([RepoPaths.Root, .. file.Split('/')])).Replace("\r\n", "\n", StringComparison.Ordinal);
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "PortkeyJwt.TestKit", "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);

        string begin = $"// begin-snippet: {snippet}\n";
        Assert.Contains(begin, source, StringComparison.Ordinal);
        string expected = Dedent(Between(source, begin, "// end-snippet")).TrimEnd();
        Match block = Regex.Match(readme, $"<!-- snippet: {Regex.Escape(snippet)} -->\\s*```csharp\\n(?<code>.*?)```", RegexOptions.Singleline);

        Assert.True(block.Success, $"README.md has no ```csharp block after <!-- snippet: {snippet} -->");
        Assert.Equal(expected, block.Groups["code"].Value.TrimEnd());
    }

    private static string Between(string text, string start, string end)
    {
        int from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
        return text[from..text.IndexOf(end, from, StringComparison.Ordinal)];
    }

    private static string Dedent(string code)
    {
        string[] lines = code.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }
}
