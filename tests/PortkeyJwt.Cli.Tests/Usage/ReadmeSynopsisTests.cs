using System.CommandLine;

namespace PortkeyJwt.Cli.Tests.Usage;

/// <summary>
/// The README's command list gives each command's synopsis (the first code span of the command's bullet); every option
/// the command really has is in it, so a new flag cannot go undocumented.
/// </summary>
public sealed class ReadmeSynopsisTests
{
    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        foreach (Command command in Cli.Build(CliIo.Console).Subcommands)
        {
            data.Add(command.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void ReadmeSynopsis_NamesEveryOptionOfTheCommand(string name)
    {
        Command command = Cli.Build(CliIo.Console).Subcommands.Single(c => c.Name == name);
        string synopsis = Synopsis(File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md")), name);

        string[] missing = command.Options
            .Where(o => o.Name is not ("--help" or "-h"))
            .Select(o => o.Name)
            .Where(option => !synopsis.Contains(option, StringComparison.Ordinal))
            .ToArray();

        Assert.True(missing.Length == 0, $"README's synopsis for '{name}' ({synopsis}) lacks {string.Join(", ", missing)}");
    }

    /// <summary>The first code span of the bullet "- `name …`" in the README's command list.</summary>
    private static string Synopsis(string[] readme, string name)
    {
        string? line = readme.FirstOrDefault(l => l.StartsWith($"- `{name}", StringComparison.Ordinal));
        Assert.True(line is not null, $"README.md has no '- `{name} …`' bullet");
        int end = line.IndexOf('`', 3);
        return end < 0 ? line[3..] : line[3..end];
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PortkeyJwt.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (the directory holding PortkeyJwt.sln) is not above " + AppContext.BaseDirectory);
    }
}
