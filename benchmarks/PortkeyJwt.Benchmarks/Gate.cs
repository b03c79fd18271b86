using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// The CI benchmark gate: a short in-process run of every benchmark, then each target checked against the floor measured
/// in the same run. Allocation limits are exact. Time ratios to the floor (valid, expired, bad signature) are measured
/// interleaved outside BenchmarkDotNet (<see cref="InterleavedRatios"/>) and gated at their targets plus a noise margin
/// set from repeated runs: on the 2-vCPU CI VM, short BenchmarkDotNet cases a minute apart vary by up to ±25 %, so the
/// BenchmarkDotNet ratios that remain (insufficient scope, other algorithms, none-captured claims) keep 2× regression
/// limits. Absolute times (malformed, routing, revocation, unknown kid) are gated at their targets plus that noise.
/// Trust anchors: routing by <c>iss</c> at 100 ns against its 50 ns target (28 ns in blocks, 40 ns in a short run alone,
/// 48–51 ns in a CI gate run before the clock read left the path); the unknown-issuer flood at 400 ns against its 300 ns target (145–303 ns in short runs and gate
/// runs). The 10,000-anchor time and memory checks run outside BenchmarkDotNet.
/// Run: dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --ci
/// </summary>
internal static class Gate
{
    /// <summary>What each case must meet: a ratio to its class's baseline, or an absolute time; and bytes allocated.</summary>
    private static readonly Rule[] Rules =
    [
        new("ValidationBenchmarks", "Valid", "valid, cache off", MaxBytes: 512, Target: "≤ 512 B (time: interleaved, below)"),
        new("ValidationBenchmarks", "ValidCacheHit", "valid, cache hit", MaxRatio: 0.015, MaxBytes: 0, Target: "≤ 0.01× floor, 0 B"),
        new("ValidationBenchmarks", "Malformed", "malformed", MaxNanoseconds: 250, MaxBytes: 0, Target: "≤ 100 ns, 0 B"),
        new("ValidationBenchmarks", "BadSignature", "bad signature", MaxBytes: 0, Target: "0 B (time: interleaved, below)"),
        new("ValidationBenchmarks", "Expired", "expired", MaxBytes: 0, Target: "0 B (time: interleaved, below)"),
        new("ValidationBenchmarks", "UnknownKidInCooldown", "unknown kid in cooldown (the same token again)", MaxNanoseconds: 200, MaxBytes: 0, Target: "≤ 200 ns, 0 B, no fetch"),
        new("ValidationBenchmarks", "UnknownKidFlood", "unknown kid in cooldown (a new kid each time)", MaxNanoseconds: 1000, MaxBytes: 0, Target: "0 B, no fetch"),
        new("ValidationBenchmarks", "InsufficientScope", "insufficient scope (403)", MaxRatio: 2.0, MaxBytes: 1024, Target: "≤ 1.05× floor"),
        new("ValidationBenchmarks", "LargeToken", "large token (~4 KB, 104 scopes)", MaxBytes: 8192, Target: "informational"),
        new("ValidationBenchmarks", "JsonWebTokenHandler", "JsonWebTokenHandler + principal", Target: "baseline to beat"),
        new("CapturedClaimsBenchmarks", "NoneCaptured", "four custom claims, none captured", MaxRatio: 2.0, SameBytesAs: "ValidationBenchmarks.Valid", Target: "the bytes of valid, cache off: claims not captured cost nothing"),
        new("CapturedClaimsBenchmarks", "OneCaptured", "one claim captured", MaxBytes: 1024, Target: "informational: the first captured claim"),
        new("CapturedClaimsBenchmarks", "FourCaptured", "four claims captured", MaxBytes: 2048, Target: "informational: each further claim"),
        // Measured 26–45 ns in gate runs (29–30 ns in short runs alone) against its 50 ns target: the CI limit is 100 ns, a
        // regression limit (a hash per check, a lock or a second table probe per kind would cross it), not the target.
        new("RevocationBenchmarks", "Check", "revocation check (every valid token and cache hit)", MaxNanoseconds: 100, MaxBytes: 0, Target: "≤ 50 ns, 0 B, flat from 0 to 1,000,000 entries"),
        new("KeyAndAlgorithmBenchmarks", "Valid", "valid", MaxRatio: 2.0, MaxBytes: 512, BytesBeyondFloor: true, Target: "≤ 1.05× own floor, ≤ 512 B beyond it"),
        new("TrustAnchorBenchmarks", "Route", "trust anchors: routing by iss (valid token)", MaxNanoseconds: 100, MaxBytes: 0, Target: "≤ 50 ns, 0 B"),
        new("TrustAnchorBenchmarks", "UnknownIssuerFlood", "trust anchors: unknown issuer (a new iss each time)", MaxNanoseconds: 400, MaxBytes: 0, Target: "≤ 300 ns, 0 B, no fetch (checked below)"),
        new("ThroughputBenchmarks", "TwoThreads", "2 threads vs 1 (time ratio)", Target: "≥ 1.8× throughput (≤ 0.556) where the floor scales; gated below"),
    ];

    private const int ScalingRounds = 120;

    /// <summary>
    /// Noise margin of the interleaved ratios (see <see cref="InterleavedRatios"/>): across five runs on the CI VM (some
    /// beside other builds), valid read 1.096–1.117×, expired 1.049–1.055×, bad signature against the failing floor
    /// 1.021–1.024×, so the spread is up to 0.02; the margin is 0.03.
    /// </summary>
    private const double RatioMargin = 0.03;

    /// <summary>Expired: the 1.05× target plus the margin.</summary>
    private const double MaxExpiredRatio = 1.05 + RatioMargin;

    /// <summary>Valid (cache off): the 1.05× target plus the margin (see <see cref="InterleavedRatios"/> for where the time goes).</summary>
    private const double MaxValidRatio = 1.05 + RatioMargin;

    /// <summary>
    /// The 1.02 target and a 1 % noise margin: interleaved, the ratio measured 1.000, 1.001, 1.000 and 1.003 in four runs on
    /// the CI VM (the fastest 5 % of ~10,000 blocks of 20 validations each).
    /// </summary>
    private const double MaxAnchorRatio = 1.03;

    /// <summary>The budget for an idle anchor's managed memory.</summary>
    private const long MaxBytesPerAnchor = 4096;

    /// <summary>Passes of the 1,024 unknown-issuer tokens in the no-fetch check.</summary>
    private const int FloodPasses = 4;

    private const double MinRelativeScaling = 0.85;

    /// <summary>The cycled-working-set check's cache size (twice as many tokens are cycled) and measuring time.</summary>
    private const int ThrashCapacity = 256;

    private static readonly TimeSpan ThrashDuration = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The 1.02 target plus a 2.5 % noise margin: the ratio measured 0.507–0.533 in twelve runs on the VM (±2.5 % around
    /// 0.52; about half the tokens hit, the admission policy keeping a stable half resident). MemoryCache measured 1.17× on
    /// the same shape at 10,000 entries (0 % hits). About 4 s with minting the 512 tokens.
    /// </summary>
    private const double MaxThrashRatio = 1.045;

    /// <summary>The budget for one cached validation's managed memory, token string excluded.</summary>
    private const long MaxBytesPerCacheEntry = 1024;

    public static int Run(string artifacts)
    {
        Job job = Job.ShortRun
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(3)
            .WithIterationCount(7)
            .WithId("ci");
        IConfig config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub, JsonExporter.Full)
            .WithArtifactsPath(artifacts)
            .WithOptions(ConfigOptions.JoinSummary);

        Summary[] summaries = BenchmarkRunner.Run([typeof(ValidationBenchmarks), typeof(CapturedClaimsBenchmarks), typeof(RevocationBenchmarks), typeof(KeyAndAlgorithmBenchmarks), typeof(ThroughputBenchmarks), typeof(TrustAnchorBenchmarks)], config);
        List<Verdict> verdicts = Evaluate(summaries.SelectMany(s => s.Reports));
        verdicts.Add(Scaling(PairedScaling.Measure(ScalingRounds)));
        verdicts.AddRange(Anchors());
        verdicts.AddRange(Ratios(InterleavedRatios.Measure()));
        verdicts.AddRange(Revocations(RevocationScale.Measure()));
        verdicts.Add(RedisSync(RevocationRedisSync.Measure()));
        verdicts.AddRange(CacheThrash(DistinctTokens.MeasureThrash(artifacts, ThrashCapacity, ThrashDuration)));
        string table = Table(verdicts);
        Console.WriteLine();
        Console.WriteLine(table);
        File.WriteAllText(Path.Combine(artifacts, "gate.md"), table);
        File.WriteAllText(Path.Combine(artifacts, "gate.json"), JsonSerializer.Serialize(verdicts.Select(v => new Dictionary<string, object?>
        {
            ["case"] = v.Case, ["minNs"] = v.Nanoseconds, ["ratio"] = v.Ratio, ["allocatedBytes"] = v.Bytes, ["target"] = v.Target, ["pass"] = v.Pass,
        }).ToList(), GateJson.Default.ListDictionaryStringObject));
        bool pass = verdicts.All(v => v.Pass) && verdicts.Count(v => v.Checked) >= Rules.Count(r => r.Checked);
        Console.WriteLine(pass ? "benchmark gate: pass" : "benchmark gate: FAIL");
        return pass ? 0 : 1;
    }

    /// <summary>Only the two-thread scaling check, for a quick look on a new machine.</summary>
    public static int RunScaling()
    {
        Verdict verdict = Scaling(PairedScaling.Measure(ScalingRounds));
        Console.WriteLine(Table([verdict]));
        return verdict.Pass ? 0 : 1;
    }

    /// <summary>Only the interleaved time ratios.</summary>
    public static int RunRatios()
    {
        List<Verdict> verdicts = Ratios(InterleavedRatios.Measure());
        Console.WriteLine(Table(verdicts));
        return verdicts.All(v => v.Pass) ? 0 : 1;
    }

    /// <summary>Only the validated-token cache's cycled-working-set checks.</summary>
    public static int RunCacheThrash()
    {
        string artifacts = Path.Combine(Environment.CurrentDirectory, "artifacts", "benchmarks");
        List<Verdict> verdicts = CacheThrash(DistinctTokens.MeasureThrash(artifacts, ThrashCapacity, ThrashDuration));
        Console.WriteLine(Table(verdicts));
        return verdicts.All(v => v.Pass) ? 0 : 1;
    }

    /// <summary>
    /// The interleaved ratios to the floor (<see cref="InterleavedRatios"/>), each gated at its target plus the noise
    /// margin (<see cref="RatioMargin"/>); bad signature, the same verification, must come out at the floor itself.
    /// </summary>
    private static List<Verdict> Ratios(InterleavedRatios.Result r)
    {
        string run = FormattableString.Invariant($"interleaved, {r.Rounds} rounds, fastest 5 % of blocks; floor {Time(r.FloorNs)}, failing {r.FailingFloor:0.000}×");
        return
        [
            new($"valid, cache off ({run})", r.FloorNs * r.Valid, r.Valid, 0, "≤ 1.05× floor", Limit(MaxValidRatio), r.Valid <= MaxValidRatio, Checked: true),
            new("bad signature, against the floor failing on the same bytes (the method's sanity check)", r.FloorNs * r.FailingFloor * r.BadSignature, r.BadSignature, 0, "0.97–1.03×", "0.97–1.03×", r.BadSignature is >= 0.97 and <= 1.03, Checked: true),
            new("expired", r.FloorNs * r.Expired, r.Expired, 0, "≤ 1.05× floor", Limit(MaxExpiredRatio), r.Expired <= MaxExpiredRatio, Checked: true),
            new("JsonWebTokenHandler + principal", r.FloorNs * r.JsonWebTokenHandler, r.JsonWebTokenHandler, 0, "the baseline to beat", "-", Pass: true, Checked: false),
        ];

        static string Limit(double max) => "≤ " + max.ToString("0.###", CultureInfo.InvariantCulture) + "×";
    }

    /// <summary>
    /// The validated-token cache with twice its capacity cycled through it (<see cref="DistinctTokens"/>, a 256-entry cache
    /// so the check takes seconds): no slower than the cache off, within <see cref="MaxThrashRatio"/>; and its memory
    /// bounded: at most its capacity in entries, at most <see cref="MaxBytesPerCacheEntry"/> each.
    /// </summary>
    private static List<Verdict> CacheThrash(DistinctTokens.Point p) =>
    [
        new(FormattableString.Invariant($"validated-token cache: {p.DistinctTokens:N0} distinct tokens cycled through {p.Capacity:N0} entries, vs cache off, interleaved over {p.Rounds} rounds (fastest 5 %: {Time(p.CachedNs)} vs {Time(p.OffNs)}; hit rate {p.HitRate:P0})"), p.CachedNs, p.Ratio, 0, "≤ 1.02× cache off: no thrash penalty", $"≤ {MaxThrashRatio.ToString("0.###", CultureInfo.InvariantCulture)}×", p.Ratio <= MaxThrashRatio, Checked: true),
        new(FormattableString.Invariant($"validated-token cache: memory with {p.DistinctTokens:N0} tokens cycled ({p.Entries} entries of {p.Capacity}; token strings not counted)"), 0, null, p.BytesPerEntry, "entries ≤ capacity, bounded bytes per entry", $"≤ {p.Capacity} entries, ≤ {MaxBytesPerCacheEntry} B each", p.Entries <= p.Capacity && p.BytesPerEntry <= MaxBytesPerCacheEntry, Checked: true),
    ];

    /// <summary>Only the million-entry revocation checks.</summary>
    public static int RunRevocation()
    {
        List<Verdict> verdicts = Revocations(RevocationScale.Measure());
        verdicts.Add(RedisSync(RevocationRedisSync.Measure()));
        Console.WriteLine(Table(verdicts));
        return verdicts.All(v => v.Pass) ? 0 : 1;
    }

    /// <summary>
    /// A million revocation entries (<see cref="RevocationScale"/>): at most 100 bytes of managed memory each, a full sync
    /// within 2 seconds, and validations answered throughout it.
    /// </summary>
    private static List<Verdict> Revocations(RevocationScale.Result result) =>
    [
        new(FormattableString.Invariant($"revocation: managed memory per entry ({RevocationScale.Entries:N0} entries, {result.Count:N0} in force)"), 0, null, result.BytesPerEntry, "≤ 100 B per entry", "≤ 100 B", result.BytesPerEntry <= 100 && result.Count == RevocationScale.Entries, Checked: true),
        new(FormattableString.Invariant($"revocation: full sync of {RevocationScale.Entries:N0} entries ({result.SyncSeconds:0.00} s; {result.ChecksDuringSync:N0} checks answered meanwhile)"), result.SyncSeconds * 1e9, null, 0, "≤ 2 s, validations never blocked", "≤ 2 s, > 0 checks during it", result.SyncSeconds <= 2 && result.ChecksDuringSync > 0, Checked: true),
    ];

    /// <summary>Only the trust-anchor checks that are not BenchmarkDotNet cases (no fetch, 10,000 anchors' time and memory).</summary>
    public static int RunAnchors()
    {
        List<Verdict> verdicts = Anchors();
        Console.WriteLine(Table(verdicts));
        return verdicts.All(v => v.Pass) ? 0 : 1;
    }

    /// <summary>
    /// A gateway's full sync of a million entries through a real redis-server (<see cref="RevocationRedisSync"/>): read
    /// from the snapshot the first sync left, plus the change since, and the index rebuilt, within 2 s, validations
    /// answered meanwhile, every entry in force after it.
    /// </summary>
    private static Verdict RedisSync(RevocationRedisSync.Result result)
    {
        string label = FormattableString.Invariant($"revocation: full sync of {RevocationRedisSync.Entries:N0} entries through Redis ({result.SyncSeconds:0.00} s from a {result.SnapshotBytes / 1e6:0} MB snapshot: {result.FromSnapshot}; {result.ChecksDuringSync:N0} checks answered meanwhile; {result.Count:N0} in force)");
        bool pass = result.SyncSeconds <= 2 && result.FromSnapshot && result.ChecksDuringSync > 0 && result.Count == RevocationRedisSync.Entries + 2;
        return new Verdict(label, result.SyncSeconds * 1e9, null, 0, "≤ 2 s, validations never blocked", "≤ 2 s, from the snapshot, > 0 checks during it", pass, Checked: true);
    }

    /// <summary>The trust-anchor verdicts measured outside BenchmarkDotNet.</summary>
    private static List<Verdict> Anchors() => [FloodFetches(), AnchorTime(AnchorScaling.Measure()), AnchorBytes(AnchorMemory.Measure())];

    /// <summary>
    /// The unknown-issuer flood must fetch nothing: every one of its tokens, <see cref="FloodPasses"/> times, through a set
    /// of 100 idle anchors on a stub endpoint that counts requests; no request may be made and no key provider created.
    /// </summary>
    private static Verdict FloodFetches()
    {
        (int requests, int providers) = TrustAnchorBenchmarks.FloodRequests(anchors: 100, FloodPasses);
        string label = FormattableString.Invariant($"trust anchors: unknown-issuer flood ({FloodPasses} × {TrustAnchorBenchmarks.FloodIssuers} tokens, 100 anchors): {requests} JWKS requests, {providers} key providers created");
        return new Verdict(label, 0, null, 0, "no fetch", "0 requests, 0 providers", requests == 0 && providers == 0, Checked: true);
    }

    /// <summary>
    /// Validation over 10,000 anchors against one, interleaved (<see cref="AnchorScaling"/>), within <see cref="MaxAnchorRatio"/>;
    /// only the token's anchor of the 10,000 may have fetched (one URL asked for), so the idle anchors fetched nothing.
    /// </summary>
    private static Verdict AnchorTime(AnchorScaling.Result result)
    {
        string label = FormattableString.Invariant($"trust anchors: valid token, {AnchorScaling.ManyAnchors} anchors vs 1, interleaved over {result.Rounds} rounds (fastest 5 %: {Time(result.SingleNs)} vs {Time(result.ManyNs)}; {result.ManyRequests} JWKS requests, to {result.ManyUrls} URL)");
        return new Verdict(label, result.ManyNs, result.Ratio, 0, "≤ 1.02× one anchor's time", $"≤ {MaxAnchorRatio.ToString("0.###", CultureInfo.InvariantCulture)}×, 1 anchor fetched", result.Ratio <= MaxAnchorRatio && result.ManyUrls == 1, Checked: true);
    }

    /// <summary>Managed memory per idle anchor over 10,000 (<see cref="AnchorMemory"/>); building them must fetch nothing.</summary>
    private static Verdict AnchorBytes(AnchorMemory.Result result)
    {
        string label = FormattableString.Invariant($"trust anchors: managed memory per idle anchor ({AnchorMemory.Anchors} anchors, {result.Requests} requests)");
        return new Verdict(label, 0, null, result.BytesPerAnchor, "≤ 4 KB per anchor, no fetch", $"≤ {MaxBytesPerAnchor} B, 0 requests", result.BytesPerAnchor <= MaxBytesPerAnchor && result.Requests == 0, Checked: true);
    }

    private static List<Verdict> Evaluate(IEnumerable<BenchmarkReport> reports)
    {
        var all = reports.Where(r => r.ResultStatistics is not null).ToList();
        var verdicts = new List<Verdict>();
        foreach (BenchmarkReport report in all)
        {
            string type = report.BenchmarkCase.Descriptor.Type.Name;
            string method = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            string parameters = report.BenchmarkCase.Parameters.DisplayInfo;
            Rule? rule = Rules.FirstOrDefault(r => r.Type == type && r.Method == method);
            if (rule is null)
            {
                continue;
            }

            BenchmarkReport? baseline = all.FirstOrDefault(b =>
                b.BenchmarkCase.Descriptor.Type.Name == type && b.BenchmarkCase.Descriptor.Baseline && b.BenchmarkCase.Parameters.DisplayInfo == parameters);
            // The fastest iteration, not the mean: interference on a shared VM only ever adds time, so minimums compare
            // the code and not the neighbours.
            double ns = report.ResultStatistics!.Min;
            double? ratio = baseline is null ? null : ns / baseline.ResultStatistics!.Min;
            long bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? -1;
            if (rule.BytesBeyondFloor && baseline is not null && bytes >= 0)
            {
                // OpenSSL's ECDSA verification allocates on its own (~1.3 KB); count only what validation adds to it.
                bytes -= baseline.GcStats.GetBytesAllocatedPerOperation(baseline.BenchmarkCase) ?? 0;
            }

            // A case that must allocate exactly what another does in the same run (not a constant: the runtime's own
            // allocations move by a few bytes between builds and machines).
            BenchmarkReport? twin = rule.SameBytesAs is { } other
                ? all.FirstOrDefault(b => $"{b.BenchmarkCase.Descriptor.Type.Name}.{b.BenchmarkCase.Descriptor.WorkloadMethod.Name}" == other)
                : null;
            long? sameAs = twin?.GcStats.GetBytesAllocatedPerOperation(twin.BenchmarkCase);
            bool pass = (rule.SameBytesAs is null || (sameAs is { } same && bytes == same))
                && (rule.MaxRatio is not { } maxRatio || (ratio is { } r && r <= maxRatio))
                && (rule.MaxNanoseconds is not { } maxNs || ns <= maxNs)
                && (rule.MaxBytes is not { } maxBytes || (bytes >= 0 && bytes <= maxBytes));
            string name = parameters.Length > 0 && parameters != "[Empty]" ? $"{rule.Label} {parameters}" : rule.Label;
            verdicts.Add(new Verdict(name, ns, ratio, bytes, rule.Target, rule.Limit, pass, rule.Checked));
        }

        return verdicts;
    }

    /// <summary>
    /// The validator must scale like raw RSA verification does on this machine, measured round by round in one window
    /// (<see cref="PairedScaling"/>): the median of validation's two-thread speed-up over the floor's must be at least
    /// 0.85. Measured 0.99–1.00 on the CI VM (rounds' 10th–90th percentiles 0.82–1.15); a validator serialised by a lock
    /// scores 1 / (the floor's speed-up), 0.55–0.75 on that VM.
    /// </summary>
    private static Verdict Scaling(PairedScaling.Result result)
    {
        string label = FormattableString.Invariant($"2-thread speed-up, paired with the floor over {result.Rounds} rounds (medians: floor {result.FloorSpeedUp:0.00}×, validation {result.ValidationSpeedUp:0.00}×)");
        return new Verdict(label, 0, result.Relative, 0, "validation scales like the floor (validation ÷ floor speed-up)", $"≥ {MinRelativeScaling.ToString("0.##", CultureInfo.InvariantCulture)}", result.Relative >= MinRelativeScaling, Checked: true);
    }

    private static string Table(List<Verdict> verdicts)
    {
        var text = new StringBuilder();
        text.AppendLine("| case | fastest iteration | ratio to floor | allocated | target | CI limit | verdict |");
        text.AppendLine("|---|---:|---:|---:|---|---|---|");
        foreach (Verdict v in verdicts)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {v.Case} | {Time(v.Nanoseconds)} | {(v.Ratio is { } r ? r.ToString("0.000", CultureInfo.InvariantCulture) : "-")} | {v.Bytes} B | {v.Target} | {v.Limit} | {(v.Checked ? (v.Pass ? "pass" : "FAIL") : "-")} |");
        }

        return text.ToString();
    }

    private static string Time(double ns) => ns >= 1000
        ? (ns / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " µs"
        : ns.ToString("0.0", CultureInfo.InvariantCulture) + " ns";

    private sealed record Rule(string Type, string Method, string Label, double? MaxRatio = null, double? MaxNanoseconds = null, long? MaxBytes = null, bool BytesBeyondFloor = false, string Target = "", string? SameBytesAs = null)
    {
        public bool Checked => MaxRatio is not null || MaxNanoseconds is not null || MaxBytes is not null || SameBytesAs is not null;

        public string Limit => string.Join(", ", new[]
        {
            MaxRatio is { } r ? $"≤ {r.ToString("0.###", CultureInfo.InvariantCulture)}×" : null,
            MaxNanoseconds is { } n ? $"≤ {n} ns" : null,
            MaxBytes is { } b ? $"≤ {b} B" : null,
            SameBytesAs is { } same ? $"= {same}'s bytes" : null,
        }.Where(s => s is not null));
    }

    private sealed record Verdict(string Case, double Nanoseconds, double? Ratio, long Bytes, string Target, string Limit, bool Pass, bool Checked);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(List<Dictionary<string, object?>>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(double))]
[System.Text.Json.Serialization.JsonSerializable(typeof(long))]
[System.Text.Json.Serialization.JsonSerializable(typeof(bool))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class GateJson : System.Text.Json.Serialization.JsonSerializerContext;
