using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace PortkeyJwt.Tests.Vectors;

/// <summary>
/// The third-party vectors in <c>Vectors/data</c> are the upstream bytes their READMEs name: every data file is listed
/// with its sha256 and matches it, and every folder carries its licence text.
/// </summary>
public sealed partial class VectorProvenanceTests
{
    public static TheoryData<string> Folders => new() { "wycheproof", "jose-cookbook" };

    [Theory]
    [MemberData(nameof(Folders))]
    public void EveryVectorFile_IsListedWithItsSha256_AndMatchesIt(string folder)
    {
        string directory = Path.Combine(VectorFiles.VectorsDirectory, folder);
        Dictionary<string, string> listed = ListedHashes(File.ReadAllText(Path.Combine(directory, "README.md")));
        string[] files = Directory.GetFiles(directory, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.NotEmpty(files);
        Assert.Equal(files, listed.Keys.Order(StringComparer.Ordinal));
        foreach (string file in files)
        {
            string actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, file))));
            Assert.True(listed[file] == actual, $"{folder}/{file}: README says sha256 {listed[file]}, the file has {actual}");
        }
    }

    [Theory]
    [InlineData("wycheproof", "Apache License")]
    [InlineData("jose-cookbook", "Revised BSD License")]
    public void EveryVectorFolder_ShipsItsLicenceText(string folder, string licence)
    {
        string text = File.ReadAllText(Path.Combine(VectorFiles.VectorsDirectory, folder, "LICENSE"));

        Assert.Contains(licence, text, StringComparison.Ordinal);
        Assert.True(text.Length > 1000, $"{folder}/LICENSE holds {text.Length} characters: not a licence text");
    }

    /// <summary>Rows of the README's provenance table: the first cell naming a file, the last 64-hex-digit cell its sha256.</summary>
    private static Dictionary<string, string> ListedHashes(string readme)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in readme.Split('\n'))
        {
            Match file = FileCell().Match(line);
            Match hash = HashCell().Match(line);
            if (line.StartsWith('|') && file.Success && hash.Success)
            {
                hashes.Add(file.Groups["file"].Value, hash.Groups["hash"].Value);
            }
        }

        return hashes;
    }

    [GeneratedRegex(@"^\|\s*`(?<file>[^`]+\.json)`")]
    private static partial Regex FileCell();

    [GeneratedRegex(@"\|\s*(?<hash>[0-9a-f]{64})\s*\|")]
    private static partial Regex HashCell();
}
