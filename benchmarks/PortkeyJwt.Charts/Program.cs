// Draw the README's cost-curve charts: dotnet run -c Release --project benchmarks/PortkeyJwt.Charts [data dir] [chart dir] [--png preview dir]
// The data comes from: dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --curves
using PortkeyJwt.Charts;

string root = RepoRoot();
int pngAt = Array.IndexOf(args, "--png");
string? png = pngAt >= 0 && pngAt + 1 < args.Length ? args[pngAt + 1] : null;
args = pngAt >= 0 ? [.. args[..pngAt], .. args[Math.Min(args.Length, pngAt + 2)..]] : args;
string data = args.Length > 0 ? args[0] : Path.Combine(root, "docs", "curves");

// The distinct-tokens curve may still sit where its measurement (DistinctTokens, branch `cache`) writes or keeps it.
string[] dirs = [data, Path.Combine(root, "benchmarks", "curves"), Path.Combine(root, "artifacts", "curves")];
string output = args.Length > 1 ? args[1] : Path.Combine(root, "docs", "charts");
return Charts.RenderAll(dirs, output, png).Count > 0 ? 0 : 1;

static string RepoRoot()
{
    for (DirectoryInfo? dir = new(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "PortkeyJwt.sln")))
        {
            return dir.FullName;
        }
    }

    return Environment.CurrentDirectory;
}
