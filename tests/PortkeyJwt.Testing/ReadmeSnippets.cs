using System.Text.RegularExpressions;

namespace PortkeyJwt.Testing;

/// <summary>
/// The README snippet check every test project shares: a ```csharp block after <c>&lt;!-- snippet: NAME --&gt;</c> in a
/// README must be, verbatim, the lines between <c>// begin-snippet: NAME</c> and <c>// end-snippet</c> in a tested source
/// file (dedented). Paths are relative to the repository root, not <c>[CallerFilePath]</c>: a CI build (CI=true) maps
/// source paths to <c>/_/</c>.
/// </summary>
internal static class ReadmeSnippets
{
    /// <summary>The tested source's lines and the README's block (null when the README has no such block).</summary>
    public static (string Expected, string? Shown) Read(string readme, string snippet, string source)
    {
        string code = Text(source);
        string begin = $"// begin-snippet: {snippet}\n";
        if (!code.Contains(begin, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{source} has no '// begin-snippet: {snippet}' line.");
        }

        string expected = Dedent(Between(code, begin, "// end-snippet")).TrimEnd();
        Match block = Regex.Match(Text(readme), $"<!-- snippet: {Regex.Escape(snippet)} -->\\s*```csharp\\n(?<code>.*?)```", RegexOptions.Singleline);
        return (expected, block.Success ? block.Groups["code"].Value.TrimEnd() : null);
    }

    private static string Text(string relativePath) =>
        File.ReadAllText(Path.Combine([RepoPaths.Root, .. relativePath.Split('/')])).Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string Between(string text, string start, string end)
    {
        int from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
        return text[from..text.IndexOf(end, from, StringComparison.Ordinal)];
    }

    private static string Dedent(string code)
    {
        string[] lines = code.Split('\n');
        int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }
}
