// Run: dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --curves [anchors] [revocation] [token-size] [threads]
// (all four when none is named; about 3 minutes), then draw them: dotnet run -c Release --project benchmarks/PortkeyJwt.Charts
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using PortkeyJwt.Curves;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// The README's cost curves: how a validation's cost moves as the work grows (trust anchors, revocation entries, token
/// size, threads). Each curve's cases run interleaved in the same rounds (<see cref="Interleaved"/>, or
/// <see cref="PairedScaling"/> for threads), so a ratio compares numbers taken in the same minute of a noisy VM. Each is
/// written to <c>docs/curves/{name}.json</c> and <c>.csv</c> (<see cref="CurveFile"/>) with the run that produced it.
/// </summary>
internal static class Curves
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    public static readonly string[] Names = ["anchors", "revocation", "token-size", "threads"];

    /// <summary>Runs the named curves (all when <paramref name="only"/> is empty) and writes them into <paramref name="dir"/>.</summary>
    public static int Run(string dir, string artifacts, IReadOnlyCollection<string> only)
    {
        RunInfo run = Capture();
        Console.WriteLine(run.Caption);
        bool Wanted(string name) => only.Count == 0 || only.Contains(name);
        var total = Stopwatch.StartNew();
        if (Wanted("anchors"))
        {
            Report(TrustAnchors(run).Write(dir));
        }

        if (Wanted("revocation"))
        {
            Report(RevocationEntries(run).Write(dir));
        }

        if (Wanted("token-size"))
        {
            Report(TokenSize(run).Write(dir));
        }

        if (Wanted("threads"))
        {
            Report(Threads(run).Write(dir));
        }

        // Distinct live tokens (DistinctTokens), up to 100,000 tokens, 10 s a size (1,000,000 adds minutes of minting and
        // warm-up: -- --distinct-tokens runs it alone); the next statement copies its data here with this run's commit and CPU.
        if (Wanted("distinct-tokens"))
        {
            _ = DistinctTokens.RunCurve(Path.Combine(artifacts, "curves"), 100_000, TimeSpan.FromSeconds(10));
        }

        AdoptDistinctTokens(Path.Combine(artifacts, "curves", "distinct-tokens.json"), dir, run, since: total.Elapsed);

        Console.WriteLine(FormattableString.Invariant($"curves done in {total.Elapsed.TotalSeconds:0} s; draw them: dotnet run -c Release --project benchmarks/PortkeyJwt.Charts"));
        return 0;
    }

    /// <summary>
    /// The same valid token (cache off) through a <see cref="TrustAnchorSet"/> of 1, 100 and 10,000 anchors, the token's
    /// in the middle of the others, which are idle remote anchors that never fetch.
    /// </summary>
    private static CurveFile TrustAnchors(RunInfo run)
    {
        int[] sizes = [1, 100, 10_000];
        var tokens = new BenchmarkTokens();
        var options = new PortkeyJwtOptions { ValidationCache = false };
        var sets = sizes.Select(n => new TrustAnchorSet(BenchmarkAnchors.Set(n, tokenAt: n / 2), options, httpClient: new HttpClient(new StubJwksHandler(tokens.Jwks)))).ToArray();
        try
        {
            Func<bool>[] cases = [.. sets.Select(set =>
            {
                ValidationBenchmarks.Check(set.Validator.ValidateAsync(tokens.Valid).AsTask().GetAwaiter().GetResult().IsValid, "anchors: the token does not validate");
                return (Func<bool>)(() => ValidationBenchmarks.Sync(set.Validator.ValidateAsync(tokens.Valid)).IsValid);
            })];
            (double[] ns, int rounds) = Interleaved.Measure(cases, callsPerBlock: 20, TimeSpan.FromSeconds(40), WarmUp);
            return new CurveFile("trust-anchors",
                "A valid ~800-character RS256 token (validated-token cache off) through a TrustAnchorSet of n anchors, relative to one anchor; the other anchors are idle remote anchors no token names.",
                Method(rounds, 20, "ns per validation"),
                run,
                [new("anchors", "trust anchors configured"), new("ns", "ns per validation (mean of the fastest 5 % of blocks)"), new("ratio", "ns / ns with one anchor")],
                [.. sizes.Select((n, i) => Row(("anchors", n), ("ns", Math.Round(ns[i], 1)), ("ratio", Math.Round(ns[i] / ns[0], 4))))]);
        }
        finally
        {
            foreach (TrustAnchorSet set in sets)
            {
                set.Dispose();
            }
        }
    }

    /// <summary>The revocation check a valid token pays (<see cref="RevocationBenchmarks"/>'s lists of every kind of entry), against 0, 1,000 and 1,000,000 entries.</summary>
    private static CurveFile RevocationEntries(RunInfo run)
    {
        int[] sizes = [0, 1_000, 1_000_000];
        var tokens = new BenchmarkTokens();
        PortkeyPrincipal principal = new PortkeyJwtValidator(JwksKeyProvider.FromJson(tokens.Jwks)).ValidateAsync(tokens.Valid).AsTask().GetAwaiter().GetResult().Principal!;
        long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Func<bool>[] cases = [.. sizes.Select(n =>
        {
            RevocationList list = RevocationBenchmarks.Filled(n, DateTimeOffset.UtcNow);
            ValidationBenchmarks.Check(list.Count == n && list.Check(principal, nowMs) is null, "revocation: the list is wrong or revokes the principal");
            return (Func<bool>)(() => list.Check(principal, nowMs) is null);
        })];
        (double[] ns, int rounds) = Interleaved.Measure(cases, callsPerBlock: 500, TimeSpan.FromSeconds(20), WarmUp);
        return new CurveFile("revocation-entries",
            "The revocation check every valid token and cache hit pays (RevocationList.Check, all eight probes made) for a principal none of whose entries is revoked, against lists of n entries of every kind.",
            Method(rounds, 500, "ns per check"),
            run,
            [new("entries", "revocation entries in force"), new("ns", "ns per check (mean of the fastest 5 % of blocks)"), new("ratio", "ns / ns with an empty list")],
            [.. sizes.Select((n, i) => Row(("entries", n), ("ns", Math.Round(ns[i], 1)), ("ratio", Math.Round(ns[i] / ns[0], 4))))]);
    }

    /// <summary>
    /// Validation (cache off) of tokens of about 800 B, 4 KB and 16 KB (an uncaptured string claim pads the payload; the
    /// default <see cref="PortkeyJwtOptions.MaxTokenLength"/> is 16,384), each against the RSA verification of the same
    /// token: the floor hashes the same signing input, so the ratio is what the validator adds per byte.
    /// </summary>
    private static CurveFile TokenSize(RunInfo run)
    {
        int[] targets = [0, 4_096, 16_000];
        int baseLength = new BenchmarkTokens().Valid.Length;
        var cases = new List<Func<bool>>();
        var lengths = new List<int>();
        foreach (int target in targets)
        {
            JsonObject? padding = target <= baseLength ? null : new JsonObject { ["padding"] = new string('x', ((target - baseLength) * 3 / 4) - 14) };
            var tokens = new BenchmarkTokens(extraClaims: padding);
            var rsa = (RSA)tokens.Key;
            var validator = new PortkeyJwtValidator(JwksKeyProvider.FromJson(tokens.Jwks), new PortkeyJwtOptions { ValidIssuers = [BenchmarkTokens.Issuer], ValidationCache = false });
            string token = tokens.Valid;
            ValidationBenchmarks.Check(validator.ValidateAsync(token).AsTask().GetAwaiter().GetResult().IsValid, $"token size: a {token.Length}-character token does not validate");
            lengths.Add(token.Length);
            cases.Add(() => rsa.VerifyData(tokens.SigningInput, tokens.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            cases.Add(() => ValidationBenchmarks.Sync(validator.ValidateAsync(token)).IsValid);
        }

        (double[] ns, int rounds) = Interleaved.Measure(cases, callsPerBlock: 20, TimeSpan.FromSeconds(40), WarmUp);
        return new CurveFile("token-size",
            "Validation (validated-token cache off) of RS256 tokens of about 800 B, 4 KB and 16 KB, relative to the raw RSA verification of the same token (the floor: RSA.VerifyData on the pre-decoded signature, key imported).",
            Method(rounds, 20, "ns per call") + " Each size's floor and validation are two of the six cases.",
            run,
            [new("tokenBytes", "the token's length in characters (bytes)"), new("floorNs", "ns per raw RSA verification of the token (mean of the fastest 5 % of blocks)"), new("validationNs", "ns per validation (same)"), new("ratio", "validationNs / floorNs")],
            [.. lengths.Select((n, i) => Row(("tokenBytes", n), ("floorNs", Math.Round(ns[2 * i], 1)), ("validationNs", Math.Round(ns[(2 * i) + 1], 1)), ("ratio", Math.Round(ns[(2 * i) + 1] / ns[2 * i], 4))))]);
    }

    /// <summary>One validator shared by two threads against the floor on two threads, round by round (<see cref="PairedScaling"/>).</summary>
    private static CurveFile Threads(RunInfo run)
    {
        const int rounds = 200;
        PairedScaling.Result r = PairedScaling.Measure(rounds);
        return new CurveFile("threads",
            "Two threads against one: the speed-up of one shared validator (cache off, the same token) and of the raw RSA verification floor, and their quotient (1 = the validator scales as the hardware does).",
            FormattableString.Invariant($"PairedScaling: each of {rounds} rounds (after a 2 s warm-up) runs 256 operations on one thread then split over two, for the floor then for validation; speed-ups are medians over the rounds, relative the median of the per-round quotient."),
            run,
            [new("threads", "threads sharing the work"), new("floorSpeedUp", "time on one thread / time on this many, the floor (median over rounds)"), new("validationSpeedUp", "the same for validation"), new("relative", "validationSpeedUp / floorSpeedUp (median of the per-round quotients)")],
            [Row(("threads", 1), ("floorSpeedUp", 1), ("validationSpeedUp", 1), ("relative", 1)),
             Row(("threads", 2), ("floorSpeedUp", Math.Round(r.FloorSpeedUp, 4)), ("validationSpeedUp", Math.Round(r.ValidationSpeedUp, 4)), ("relative", Math.Round(r.Relative, 4)))]);
    }

    /// <summary>
    /// Copies the distinct-tokens curve (branch <c>cache</c>'s <c>DistinctTokens</c> format) into <paramref name="dir"/>,
    /// with this run's commit, cores and CPU, when it was written during this run; otherwise leaves what is there.
    /// </summary>
    internal static void AdoptDistinctTokens(string source, string dir, RunInfo run, TimeSpan since)
    {
        if (!File.Exists(source) || File.GetLastWriteTimeUtc(source) < DateTime.UtcNow - since)
        {
            return;
        }

        CurveFile read = CurveFile.Read(source);
        Report((read with { Name = "distinct-tokens", Run = run with { Date = read.Run.Date } }).Write(dir));
    }

    private static string Method(int rounds, int callsPerBlock, string unit) => FormattableString.Invariant(
        $"Interleaved: blocks of {callsPerBlock} calls, one block per case each round, the order rotated every round, {rounds} rounds after a 2 s warm-up; each case's {unit} is the mean of its fastest 5 % of blocks (interference only adds time).");

    private static Dictionary<string, double> Row(params (string Name, double Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    private static void Report(string path)
    {
        CurveFile curve = CurveFile.Read(path);
        Console.WriteLine($"{curve.Name} -> {path}");
        foreach (IReadOnlyDictionary<string, double> p in curve.Points)
        {
            Console.WriteLine("  " + string.Join("  ", p.Select(kv => FormattableString.Invariant($"{kv.Key}={kv.Value:G6}"))));
        }
    }

    /// <summary>Date, commit, cores, CPU model, OS and runtime of this run.</summary>
    private static RunInfo Capture()
    {
        string commit = Git("rev-parse --short HEAD") ?? "unknown";
        if (!string.IsNullOrEmpty(Git("status --porcelain --untracked-files=no")))
        {
            commit += "+changes";
        }

        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : RuntimeInformation.ProcessArchitecture.ToString();
        int cores = Environment.ProcessorCount;
        string machine = FormattableString.Invariant($"{cores} cores, {cpu}, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        return new RunInfo(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture), commit, machine, cores, cpu);
    }

    private static string? Git(string arguments)
    {
        try
        {
            using Process git = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            string output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
