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
/// The gate's interleaved time ratios to the floor alone (valid, bad signature, expired, JsonWebTokenHandler): ... -- --ratios
/// The gate's million-entry revocation checks alone (memory per entry, full sync time): ... -- --revocation
/// The distinct-live-tokens curve of the validated-token cache (artifacts/curves/distinct-tokens.json/.csv):
/// ... -- --distinct-tokens [largest size, default 1000000] [seconds per size, default 10] [smallest size, default 1]
/// Mint (and cache on disk) the curve's tokens only: ... -- --mint 1000000
/// The gate's cycled-working-set check alone (2× a small cache's capacity, cache vs cache off): ... -- --cache-thrash
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

        if (args.Contains("--ratios"))
        {
            return Gate.RunRatios();
        }

        if (Array.IndexOf(args, "--distinct-tokens") is int at and >= 0)
        {
            int max = args.Length > at + 1 ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
            double seconds = args.Length > at + 2 ? double.Parse(args[at + 2], System.Globalization.CultureInfo.InvariantCulture) : 10;
            int min = args.Length > at + 3 ? int.Parse(args[at + 3], System.Globalization.CultureInfo.InvariantCulture) : 1;
            return DistinctTokens.RunCurve(Path.Combine(RepoRoot(), "artifacts", "curves"), max, TimeSpan.FromSeconds(seconds), min);
        }

        if (Array.IndexOf(args, "--mint") is int mintAt and >= 0)
        {
            _ = DistinctTokens.Load(Path.Combine(RepoRoot(), "artifacts", "curves"), int.Parse(args[mintAt + 1], System.Globalization.CultureInfo.InvariantCulture));
            return 0;
        }

        if (args.Contains("--cache-thrash"))
        {
            return Gate.RunCacheThrash();
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
