using System.Reflection;

namespace PortkeyJwt.Testing;

/// <summary>Finds the repository root (the directory holding <c>PortkeyJwt.sln</c>) from a test run.</summary>
internal static class RepoPaths
{
    public const string SolutionFile = "PortkeyJwt.sln";

    private static readonly Lazy<string> LazyRoot = new(() => Locate());

    /// <summary>The repository root; throws when it cannot be found.</summary>
    public static string Root => LazyRoot.Value;

    private static string Locate()
    {
        // The build output may live outside the repository (--artifacts-path), so the working directory and the root the
        // build recorded (see the test project file) are tried after the test assembly's directory.
        string?[] starts = [AppContext.BaseDirectory, Environment.CurrentDirectory, RecordedRoot()];
        foreach (string? start in starts)
        {
            for (DirectoryInfo? dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException($"The repository root (the directory holding {SolutionFile}) was not found above any of: {string.Join(", ", starts)}.");
    }

    private static string? RecordedRoot() => typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
}
