using System.Text.RegularExpressions;

namespace PortkeyJwt.Tests.Repository;

/// <summary>
/// A user's clone has nothing beside it: no test, build or script file may name a path outside the repository root.
/// Every relative path written in those files (<c>../x</c>, <c>..\x</c>) must resolve, from the file's own folder, to a
/// place inside the root, and C# code may not climb with a <c>".."</c> argument to <c>Path.Combine</c>/<c>Path.Join</c>.
/// </summary>
public sealed partial class SelfContainedTests
{
    private static readonly string[] CheckedExtensions = [".cs", ".csproj", ".props", ".targets", ".sln", ".sh", ".json", ".config", ".yml", ".yaml"];
    /// <summary>This file, whose test rows hold outside paths on purpose.</summary>
    private const string ThisFile = nameof(SelfContainedTests) + ".cs";

    private static readonly string[] SkippedFolders = [".git", "bin", "obj", "artifacts", "BenchmarkDotNet.Artifacts", "TestResults", "node_modules"];

    [Fact]
    public void NoTestBuildOrScriptFile_NamesAPathOutsideTheRepository()
    {
        string root = Path.GetFullPath(RepoPaths.Root);
        var offences = new List<string>();
        int checkedFiles = 0;
        foreach (string file in CheckedFiles(root).Where(f => Path.GetFileName(f) != ThisFile))
        {
            checkedFiles++;
            string text = File.ReadAllText(file);
            string folder = Path.GetDirectoryName(file)!;
            string name = Path.GetRelativePath(root, file);
            foreach (Match m in RelativePath().Matches(text))
            {
                string resolved = Path.GetFullPath(Path.Combine(folder, m.Value.Replace('\\', '/')));
                if (!IsInside(root, resolved))
                {
                    offences.Add($"{name}: '{m.Value}' resolves to {resolved}");
                }
            }

            if (file.EndsWith(".cs", StringComparison.Ordinal))
            {
                offences.AddRange(ClimbingCombine().Matches(text).Select(m => $"{name}: '{m.Value}' climbs out of a folder"));
            }
        }

        Assert.True(checkedFiles > 100, $"only {checkedFiles} files were checked under {root}");
        Assert.True(offences.Count == 0, "Paths outside the repository:\n" + string.Join('\n', offences));
    }

    /// <summary>The check itself: it catches the reference this repository used to make to files beside the root.</summary>
    [Theory]
    [InlineData("string v = Path.Combine(RepoPaths.Root, \"..\", \"elsewhere\", \"data\");")]
    [InlineData("string v = Path.Join(root, \"..\");")]
    public void ClimbingCombine_IsRecognised(string code) => Assert.Matches(ClimbingCombine(), code);

    [Theory]
    [InlineData("<None Include=\"..\\..\\..\\elsewhere\\data\\**\" />", true)]
    [InlineData("cat ../../../../elsewhere/data/x.json", true)]
    [InlineData("<ProjectReference Include=\"..\\..\\src\\PortkeyJwt\\PortkeyJwt.csproj\" />", false)]
    public void RelativePath_OutsideTheRoot_IsRecognised(string line, bool outside)
    {
        string root = Path.GetFullPath(RepoPaths.Root);
        string folder = Path.Combine(root, "tests", "PortkeyJwt.Tests");
        Match m = RelativePath().Match(line);

        Assert.True(m.Success);
        Assert.Equal(outside, !IsInside(root, Path.GetFullPath(Path.Combine(folder, m.Value.Replace('\\', '/')))));
    }

    private static IEnumerable<string> CheckedFiles(string root)
    {
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out string? folder))
        {
            foreach (string sub in Directory.EnumerateDirectories(folder))
            {
                if (!SkippedFolders.Contains(Path.GetFileName(sub), StringComparer.Ordinal))
                {
                    pending.Push(sub);
                }
            }

            foreach (string file in Directory.EnumerateFiles(folder))
            {
                bool script = Path.GetFileName(folder) == ".ci";
                if (script || CheckedExtensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase))
                {
                    yield return file;
                }
            }
        }
    }

    private static bool IsInside(string root, string path) =>
        path == root || path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>One or more <c>../</c> or <c>..\</c> steps and the path that follows them.</summary>
    [GeneratedRegex(@"(?<![\w.])(?:\.\.[/\\])+[\w.\-/\\*]*")]
    private static partial Regex RelativePath();

    /// <summary>A <c>".."</c> argument inside a Path.Combine or Path.Join call.</summary>
    [GeneratedRegex(@"Path\.(?:Combine|Join)\([^;]*?""\.\.""")]
    private static partial Regex ClimbingCombine();
}
