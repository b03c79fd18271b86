using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Running;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// Full runs: dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --filter '*'
/// CI gate: dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --ci
/// The README's cost curves (docs/curves/*.json, .csv; draw them with benchmarks/PortkeyJwt.Charts): ... -- --curves [names]
/// The gate's two-thread scaling check alone: dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --scaling
/// The gate's trust-anchor checks outside BenchmarkDotNet alone (no fetch, 10,000 anchors): ... -- --anchors
/// The gate's million-entry revocation checks alone (memory per entry, full sync time): ... -- --revocation
/// Results go to artifacts/benchmarks/ (markdown and JSON; git-ignored).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        string artifacts = Path.Combine(RepoRoot(), "artifacts", "benchmarks");
        if (Array.IndexOf(args, "--curves") is int curvesAt and >= 0)
        {
            return Curves.Run(Path.Combine(RepoRoot(), "docs", "curves"), Path.Combine(RepoRoot(), "artifacts"), [.. args.Skip(curvesAt + 1).Where(Curves.Names.Contains)]);
        }

        if (args.Contains("--ci"))
        {
            return Gate.Run(artifacts);
        }

        if (args.Contains("--scaling"))
        {
            return Gate.RunScaling();
        }

        if (args.Contains("--revocation"))
        {
            return Gate.RunRevocation();
        }

        if (args.Contains("--anchors"))
        {
            return Gate.RunAnchors();
        }

        IConfig config = DefaultConfig.Instance
            .WithArtifactsPath(artifacts)
            .AddExporter(MarkdownExporter.GitHub, JsonExporter.Full);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }

    private static string RepoRoot()
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
}
