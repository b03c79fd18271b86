// Run the curve: dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --distinct-tokens [max]
// (writes artifacts/curves/distinct-tokens.json and .csv); its 2×-capacity check is part of the CI gate (-- --ci).
using System.Buffers.Text;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// The validated-token cache under a cycled working set: <c>n</c> distinct valid RS256 tokens (the realistic ~830-character
/// shape of <see cref="BenchmarkTokens"/>, each with its own <c>jti</c>) validated in turn, round and round, by a validator
/// with the default cache, interleaved with the same tokens through a validator with the cache off (same key set).
/// <para>
/// Time: as in <see cref="AnchorScaling"/>, blocks of validations alternate between the two (order swapped every round),
/// and the ratio compares the mean of each side's fastest 5 % of blocks (interference only ever adds time). A block whose
/// hit count varied would let the fastest blocks be the luckiest ones, so while the set is small enough a block is a whole
/// number of passes over it (every block then holds the same hits in steady state); beyond <see cref="MaxWholeBlock"/>
/// tokens a block is <see cref="LargeBlock"/> validations, and the median of the per-round ratios is reported beside it.
/// </para>
/// <para>
/// Before each validation, both sides read one character per cache line of the token: a gateway's token string was just
/// made from the request, so it is in the CPU's caches, while a million tokens held here (1.6 GB) are not. Without that
/// read, the cached side's first touch of a cold token (hashing its tail) counted as the cache's cost: 1,000,000 tokens
/// measured 1.034× cache off without it, 1.015× with it.
/// </para>
/// <para>
/// Hit rate: the cache's own hit and miss counters (<c>portkeyjwt.cache.hits</c>/<c>misses</c>) over the measured rounds.
/// Memory: <see cref="GC.GetTotalMemory(bool)"/> after a full collection, before the cached validator is built and after
/// its warm-up, so the table and sketch allocated up front are included (the tokens were made before; a gateway's cache also keeps each token string, 2 bytes a character, which
/// is reported as <c>tokenBytes</c> and not counted in <c>cacheBytes</c>).
/// </para>
/// <para>
/// Tokens: signing RS256 costs ~1 ms here, so they are minted once (on both cores) with a key kept beside them and cached
/// in <c>artifacts/curves/distinct-tokens-*.txt</c> (valid 30 days; reminted when older than 20), and each size uses a
/// prefix of the largest file.
/// </para>
/// </summary>
internal static class DistinctTokens
{
    /// <summary>The curve's sizes; 20,000 is twice the default cache size, the load test's case.</summary>
    public static readonly int[] Sizes = [1, 1_000, 10_000, 20_000, 100_000, 1_000_000];

    private const int MaxWholeBlock = 20_000;

    private const int LargeBlock = 500;

    private static readonly TimeSpan TokenLifetime = TimeSpan.FromDays(30);

    /// <summary>Measures each size up to <paramref name="max"/> and writes the curve as JSON and CSV into <paramref name="dir"/>.</summary>
    public static int RunCurve(string dir, int max, TimeSpan perSize, int min = 1)
    {
        Directory.CreateDirectory(dir);
        int[] sizes = [.. Sizes.Where(s => s >= min && s <= max)];
        int largest = sizes.Max();
        (string jwks, string[] all) = Load(dir, largest);
        var points = new List<Point>();
        foreach (int n in sizes)
        {
            Point p = Measure(jwks, all.AsMemory(0, n), new PortkeyJwtOptions(), perSize);
            points.Add(p);
            Console.WriteLine(FormattableString.Invariant(
                $"n={n,9:N0}  cached {p.CachedNs / 1000,8:0.00} µs  off {p.OffNs / 1000,8:0.00} µs  ratio {p.Ratio:0.000} (median {p.MedianRatio:0.000})  hits {p.HitRate:P1}  gen2 GCs {p.Gen2Collections}  entries {p.Entries:N0}  cache {p.CacheBytes / 1e6:0.0} MB ({p.BytesPerEntry:N0} B/entry; tokens {p.TokenBytes / 1e6:0.0} MB)  rounds {p.Rounds}"));
        }

        Write(dir, points);
        return 0;
    }

    /// <summary>
    /// The gate's quick version: a cache of <paramref name="capacity"/> entries, twice as many tokens cycled, whole passes per
    /// block, for <paramref name="duration"/>.
    /// </summary>
    public static Point MeasureThrash(string dir, int capacity, TimeSpan duration)
    {
        (string jwks, string[] all) = Load(dir, 2 * capacity);
        return Measure(jwks, all.AsMemory(0, 2 * capacity), new PortkeyJwtOptions { ValidationCacheSize = capacity }, duration);
    }

    public static Point Measure(string jwks, ReadOnlyMemory<string> tokens, PortkeyJwtOptions cachedOptions, TimeSpan duration)
    {
        int n = tokens.Length;
        JwksKeyProvider keys = JwksKeyProvider.FromJson(jwks);
        var off = new PortkeyJwtValidator(keys, new PortkeyJwtOptions { ValidationCache = false });
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var cached = new PortkeyJwtValidator(keys, cachedOptions);
        int block = n <= MaxWholeBlock ? Math.Max(n, 20 / n * n) : LargeBlock;
        var cachedRun = new Cycle(cached, tokens);
        var offRun = new Cycle(off, tokens);

        // Warm-up: the cached side twice round the set (or 20 s, for the largest sets), so the cache is in its steady state.
        var warm = Stopwatch.StartNew();
        for (long i = 0; i < 2L * Math.Max(n, block) && warm.Elapsed < TimeSpan.FromSeconds(20); i++)
        {
            cachedRun.Next();
        }

        for (int i = 0; i < Math.Min(n, 2_000); i++)
        {
            offRun.Next();
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        int entries = cached.Cache!.Count;

        using var counts = new CacheCounters();
        int gen2 = GC.CollectionCount(2);
        var cachedBlocks = new List<double>();
        var offBlocks = new List<double>();
        var ratios = new List<double>();
        var run = Stopwatch.StartNew();
        for (int round = 0; run.Elapsed < duration || round < 4; round++)
        {
            double c, o;
            if ((round & 1) == 0)
            {
                c = cachedRun.Block(block);
                o = offRun.Block(block);
            }
            else
            {
                o = offRun.Block(block);
                c = cachedRun.Block(block);
            }

            cachedBlocks.Add(c);
            offBlocks.Add(o);
            ratios.Add(c / o);
        }

        gen2 = GC.CollectionCount(2) - gen2;
        double hitRate = counts.HitRate;
        GC.KeepAlive(cached);

        double cachedNs = Interleaved.FastestMean(cachedBlocks);
        double offNs = Interleaved.FastestMean(offBlocks);
        long tokenBytes = 0;
        foreach (string t in tokens.Span[..Math.Min(n, entries)])
        {
            tokenBytes += 22 + (2L * t.Length);
        }

        return new Point(n, cachedOptions.ValidationCacheSize, cachedNs, offNs, cachedNs / offNs, Median(ratios), hitRate, entries,
            after - before, entries > 0 ? (after - before) / entries : 0, tokenBytes, cachedBlocks.Count, block, gen2);
    }

    /// <summary>The signing key and <paramref name="count"/> (or more) tokens, from the file cache or minted now.</summary>
    public static (string Jwks, string[] Tokens) Load(string dir, int count)
    {
        Directory.CreateDirectory(dir);
        string keyFile = Path.Combine(dir, "distinct-tokens-key.pem");
        string[] files = Directory.GetFiles(dir, "distinct-tokens-*.txt");
        using var rsa = RSA.Create();
        if (File.Exists(keyFile) && File.GetLastWriteTimeUtc(keyFile) > DateTime.UtcNow - TimeSpan.FromDays(20))
        {
            rsa.ImportFromPem(File.ReadAllText(keyFile));
            string? file = files.Where(f => SizeOf(f) >= count).OrderBy(SizeOf).FirstOrDefault();
            if (file is not null)
            {
                return (Jwks(rsa), File.ReadLines(file).Take(count).ToArray());
            }
        }
        else
        {
            rsa.ImportParameters(RSA.Create(2048).ExportParameters(true));
            foreach (string f in files)
            {
                File.Delete(f);
            }

            File.WriteAllText(keyFile, rsa.ExportPkcs8PrivateKeyPem());
        }

        var watch = Stopwatch.StartNew();
        string[] tokens = Mint(rsa, count);
        Console.WriteLine(FormattableString.Invariant($"minted {count:N0} RS256 tokens in {watch.Elapsed.TotalSeconds:0.0} s ({watch.Elapsed.TotalMilliseconds * 1000 / count:0} µs each, {Environment.ProcessorCount} threads)"));
        File.WriteAllLines(Path.Combine(dir, FormattableString.Invariant($"distinct-tokens-{count}.txt")), tokens);
        return (Jwks(rsa), tokens);
    }

    private static int SizeOf(string file) =>
        int.Parse(Path.GetFileNameWithoutExtension(file)["distinct-tokens-".Length..], CultureInfo.InvariantCulture);

    private static string Jwks(RSA rsa)
    {
        RSAParameters p = rsa.ExportParameters(false);
        return new JsonObject { ["keys"] = new JsonArray(new JsonObject { ["kty"] = "RSA", ["kid"] = "distinct", ["use"] = "sig", ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent) }) }.ToJsonString();
    }

    private static string[] Mint(RSA rsa, int count)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string header = Base64Url.EncodeToString("""{"alg":"RS256","typ":"JWT","kid":"distinct"}"""u8);
        RSAParameters key = rsa.ExportParameters(true);
        var tokens = new string[count];
        Parallel.For(0, Environment.ProcessorCount, worker =>
        {
            using var signer = RSA.Create();
            signer.ImportParameters(key);
            for (int i = worker; i < count; i += Environment.ProcessorCount)
            {
                JsonObject claims = new()
                {
                    ["iss"] = BenchmarkTokens.Issuer,
                    ["aud"] = "portkey-gateway",
                    ["sub"] = "auth0|6571d2c3f0a9b1e2d3c4b5a6",
                    ["email_id"] = "ada.lovelace@analytical-engines.example",
                    ["portkey_oid"] = BenchmarkTokens.Organisation,
                    ["portkey_workspace"] = "production-eu-west",
                    ["scope"] = "completions.write portkey.logs.view prompts.read virtual_keys.list",
                    ["iat"] = now,
                    ["nbf"] = now,
                    ["exp"] = now + (long)TokenLifetime.TotalSeconds,
                    ["jti"] = FormattableString.Invariant($"b7e1c0de-4a2f-4c11-9e3d-{i:x12}"),
                };
                string input = header + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
                byte[] signature = signer.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                tokens[i] = input + "." + Base64Url.EncodeToString(signature);
            }
        });
        return tokens;
    }

    private static void Write(string dir, List<Point> points)
    {
        var json = new JsonObject
        {
            ["description"] = "Distinct valid RS256 tokens cycled through a validator with the default validated-token cache, against the same tokens with the cache off, interleaved (see benchmarks/PortkeyJwt.Benchmarks/DistinctTokens.cs).",
            ["fields"] = new JsonObject
            {
                ["distinctTokens"] = "tokens in the cycled working set",
                ["capacity"] = "the cache's configured size (ValidationCacheSize)",
                ["cachedNs"] = "ns per validation with the cache (mean of the fastest 5 % of blocks)",
                ["cacheOffNs"] = "ns per validation with the cache off (same)",
                ["ratio"] = "cachedNs / cacheOffNs",
                ["medianRatio"] = "median over rounds of the adjacent blocks' quotient",
                ["hitRate"] = "cache hits / lookups during the measured rounds",
                ["entries"] = "entries the cache held after warm-up",
                ["cacheBytes"] = "managed memory the cached validator retained after warm-up (excluding the token strings)",
                ["bytesPerEntry"] = "cacheBytes / entries",
                ["tokenBytes"] = "what the held entries' token strings occupy (a gateway's cache keeps them too)",
                ["rounds"] = "interleaved rounds measured",
                ["block"] = "validations per block",
                ["gen2Collections"] = "full garbage collections during the measured rounds (both sides)",
            },
            ["machine"] = FormattableString.Invariant($"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}"),
            ["date"] = DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture),
            ["points"] = new JsonArray([.. points.Select(p => (JsonNode)new JsonObject
            {
                ["distinctTokens"] = p.DistinctTokens, ["capacity"] = p.Capacity, ["cachedNs"] = Math.Round(p.CachedNs, 1), ["cacheOffNs"] = Math.Round(p.OffNs, 1),
                ["ratio"] = Math.Round(p.Ratio, 4), ["medianRatio"] = Math.Round(p.MedianRatio, 4), ["hitRate"] = Math.Round(p.HitRate, 4), ["entries"] = p.Entries,
                ["cacheBytes"] = p.CacheBytes, ["bytesPerEntry"] = p.BytesPerEntry, ["tokenBytes"] = p.TokenBytes, ["rounds"] = p.Rounds, ["block"] = p.Block, ["gen2Collections"] = p.Gen2Collections,
            })]),
        };
        File.WriteAllText(Path.Combine(dir, "distinct-tokens.json"), json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        var csv = new StringBuilder("distinctTokens,capacity,cachedNs,cacheOffNs,ratio,medianRatio,hitRate,entries,cacheBytes,bytesPerEntry,tokenBytes,rounds,block,gen2Collections\n");
        foreach (Point p in points)
        {
            csv.AppendLine(CultureInfo.InvariantCulture, $"{p.DistinctTokens},{p.Capacity},{p.CachedNs:0.0},{p.OffNs:0.0},{p.Ratio:0.0000},{p.MedianRatio:0.0000},{p.HitRate:0.0000},{p.Entries},{p.CacheBytes},{p.BytesPerEntry},{p.TokenBytes},{p.Rounds},{p.Block},{p.Gen2Collections}");
        }

        File.WriteAllText(Path.Combine(dir, "distinct-tokens.csv"), csv.ToString());
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>One point of the curve (times in ns per validation).</summary>
    public sealed record Point(int DistinctTokens, int Capacity, double CachedNs, double OffNs, double Ratio, double MedianRatio, double HitRate, int Entries,
        long CacheBytes, long BytesPerEntry, long TokenBytes, int Rounds, int Block, int Gen2Collections);

    /// <summary>One validator going round the token set.</summary>
    private sealed class Cycle(PortkeyJwtValidator validator, ReadOnlyMemory<string> tokens)
    {
        private int _next;

        private int _touched;

        public void Next()
        {
            string token = tokens.Span[_next];
            _next = _next + 1 == tokens.Length ? 0 : _next + 1;

            // A gateway's token was just read from the request, so it is in the CPU's caches; here a million tokens
            // (1.6 GB) are not. Reading one character per 64-byte line first puts both sides back in a gateway's shape.
            for (int i = 0; i < token.Length; i += 32)
            {
                _touched += token[i];
            }

            if (!ValidationBenchmarks.Sync(validator.ValidateAsync(token)).IsValid)
            {
                throw new InvalidOperationException("distinct tokens: a token did not validate");
            }
        }

        /// <summary>Nanoseconds per validation over <paramref name="count"/> validations.</summary>
        public double Block(int count)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++)
            {
                Next();
            }

            return Stopwatch.GetElapsedTime(start).TotalNanoseconds / count;
        }
    }

    /// <summary>Counts the library's cache hits and misses while alive.</summary>
    private sealed class CacheCounters : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _hits;
        private long _misses;

        public CacheCounters()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "PortkeyJwt" && instrument.Name is "portkeyjwt.cache.hits" or "portkeyjwt.cache.misses")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                if (instrument.Name == "portkeyjwt.cache.hits")
                {
                    Interlocked.Add(ref _hits, value);
                }
                else
                {
                    Interlocked.Add(ref _misses, value);
                }
            });
            _listener.Start();
        }

        public double HitRate => _hits + _misses == 0 ? 0 : (double)_hits / (_hits + _misses);

        public void Dispose() => _listener.Dispose();
    }
}
