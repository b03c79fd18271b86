using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>
/// Rejections are values: no bad token raises an exception, not even one caught inside the library; details never echo
/// the token; misuse (null) and cancellation are the only exceptions; one validator is safe to share across threads.
/// </summary>
public sealed class NoExceptionTests
{
    private const int Seed = 20260601;

    [Fact]
    public void BadTokenCorpus_RaisesNoExceptionEvenInternally_AndNoneIsValid()
    {
        using var trust = new TrustAnchorSet(
            [new TrustAnchor { Issuer = "https://i.example", Jwks = TestKey.Jwks(TestKey.Default, Ec256), Organisations = ["*"] }],
            AllAlgorithms(), timeProvider: Tokens.Clock());
        PortkeyJwtValidator[] validators =
        [
            Tokens.Validator(null, null, TestKey.Default, Ec256, Ec384),
            Tokens.Validator(AllAlgorithms(), null, TestKey.Default, Ec256, Ec384),
            Tokens.Validator(new PortkeyJwtOptions { MaxTokenLength = 256 * 1024, ValidIssuers = ["https://i.example"], ValidAudiences = ["gw"] }, null, TestKey.Default),
            trust.Validator, // trust anchors: every token is routed by its iss before anything else
        ];
        List<string> corpus = BadTokenCorpus();
        Assert.True(corpus.Distinct(StringComparer.Ordinal).Count() >= 1000, $"The corpus holds {corpus.Count} tokens.");
        var results = new List<(string Token, PortkeyJwtResult Result)>(corpus.Count * validators.Length);

        IReadOnlyList<Exception> raised = FirstChanceExceptionsOnThisThread(() =>
        {
            foreach (PortkeyJwtValidator validator in validators)
            {
                foreach (string token in corpus)
                {
                    results.Add((token, validator.ValidateNow(token)));
                }
            }
        });

        Assert.True(raised.Count == 0, "Exceptions raised while validating: " + string.Join("; ", raised.Select(e => $"{e.GetType().Name}: {e.Message}")));
        Assert.All(results, r => Assert.False(r.Result.IsValid, $"Accepted: {r.Token}"));
        Assert.All(results, r => Assert.NotEqual(PortkeyJwtError.None, r.Result.Error));
        Assert.All(results, r => AssertDetailDoesNotEcho(r.Token, r.Result));
    }

    [Fact]
    public void ValidToken_RaisesNoExceptionEvenInternally()
    {
        var validator = Tokens.Validator(AllAlgorithms(), null, TestKey.Default, Ec256);
        string[] tokens = [Tokens.Mint(), Tokens.Mint(key: Ec256), Tokens.Mint(header: Tokens.Header(TestKey.Default, "PS512"))];
        var results = new List<PortkeyJwtResult>();

        IReadOnlyList<Exception> raised = FirstChanceExceptionsOnThisThread(() => results.AddRange(tokens.Select(t => validator.ValidateNow(t, ["completions.write"]))));

        Assert.Empty(raised);
        Assert.All(results, r => AssertValid(r));
    }

    [Fact]
    public void NullToken_ThrowsArgumentNullException()
    {
        var validator = Tokens.Validator();

        Assert.Equal("token", Assert.Throws<ArgumentNullException>(() => validator.ValidateNow(null!)).ParamName);
        Assert.Equal("token", Assert.Throws<ArgumentNullException>(() => validator.ValidateNow(null!, ["a"])).ParamName);
    }

    [Fact]
    public async Task CancelledToken_GivesACancelledValueTask()
    {
        var validator = Tokens.Validator();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        ValueTask<PortkeyJwtResult> pending = validator.ValidateAsync(Tokens.Mint(), cancellation.Token);

        Assert.True(pending.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask());
    }

    [Fact]
    public void SharedValidator_FourThreadsTimes500_AllGiveExpectedResults()
    {
        var validator = Tokens.Validator(null, null, TestKey.Default, SecondRsa);
        var cases = new List<(string Token, string[]? Required, PortkeyJwtError Expected, string? Organisation)>();
        for (int i = 0; i < 8; i++)
        {
            string org = $"org-{i}";
            TestKey key = i % 2 == 0 ? TestKey.Default : SecondRsa;
            cases.Add((Tokens.Mint(Tokens.Claims().With(("portkey_oid", org), ("sub", $"user-{i}")), key: key), null, PortkeyJwtError.None, org));
        }

        string valid = Tokens.Mint();
        cases.Add((Tokens.Mint(Tokens.Claims().With(("exp", Tokens.NowSeconds - 3600))), null, PortkeyJwtError.Expired, null));
        cases.Add((WithSignature(valid, new byte[256]), null, PortkeyJwtError.InvalidSignature, null));
        cases.Add((valid[..^5], null, PortkeyJwtError.Malformed, null));
        cases.Add((valid, ["admin"], PortkeyJwtError.InsufficientScope, null));
        cases.Add((valid, ["completions.write"], PortkeyJwtError.None, "org-3f2a"));
        cases.Add((Tokens.Mint(header: Tokens.Header(TestKey.Default).With(("kid", "nope"))), null, PortkeyJwtError.UnknownKey, null));
        cases.Add((Tokens.Mint(Tokens.Claims().With(("portkey_workspace", null))), null, PortkeyJwtError.MissingClaim, null));
        cases.Add((Tokens.Mint(header: Tokens.Header(TestKey.Default, "none")), null, PortkeyJwtError.UnsupportedAlgorithm, null));

        var mismatches = new ConcurrentQueue<string>();
        using var start = new Barrier(4);
        Thread[] threads = [.. Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int j = 0; j < 500; j++)
            {
                int index = ((t * 7) + j) % cases.Count;
                var c = cases[index];
                try
                {
                    ValueTask<PortkeyJwtResult> pending = validator.ValidateAsync(c.Token, c.Required);
                    PortkeyJwtResult r = pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("incomplete");
                    if (r.Error != c.Expected || r.Principal?.OrganisationId != c.Organisation)
                    {
                        mismatches.Enqueue($"case {index}: {r}");
                    }
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    mismatches.Enqueue($"case {index}: {e.GetType().Name}");
                }
            }
        }))];

        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Empty(mismatches);
    }

    private static IReadOnlyList<Exception> FirstChanceExceptionsOnThisThread(Action action)
    {
        // Other tests run in parallel and throw on purpose: count only this thread's exceptions.
        int thread = Environment.CurrentManagedThreadId;
        var raised = new ConcurrentQueue<Exception>();
        void OnFirstChance(object? sender, FirstChanceExceptionEventArgs e)
        {
            if (Environment.CurrentManagedThreadId == thread)
            {
                raised.Enqueue(e.Exception);
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += OnFirstChance;
        try
        {
            action();
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= OnFirstChance;
        }

        return [.. raised];
    }

    private static void AssertDetailDoesNotEcho(string token, PortkeyJwtResult result)
    {
        if (token.Length >= 12)
        {
            Assert.DoesNotContain(token, result.Detail, StringComparison.Ordinal);
        }

        foreach (string segment in token.Split('.').Where(s => s.Length >= 12))
        {
            Assert.DoesNotContain(segment, result.Detail, StringComparison.Ordinal);
        }

        foreach (string value in (string[])["org-3f2a", "ws-default", "dev@example.com", "user-42", "attacker", "evil"])
        {
            Assert.DoesNotContain(value, result.Detail, StringComparison.Ordinal);
        }
    }

    /// <summary>Every attack row from the rule specs, plus generated junk: random segments, truncations, substitutions.</summary>
    private static List<string> BadTokenCorpus()
    {
        var corpus = new List<string>();
        string valid = Tokens.Mint();
        string validEc = Tokens.Mint(key: Ec256);
        string h = Segment(valid, 0), p = Segment(valid, 1), s = Segment(valid, 2);
        string claims = ClaimsJson();
        string Signed(string header, string payload) => TestKey.Default.SignRaw(header, payload, "RS256");

        // Structure.
        corpus.AddRange([string.Empty, ".", "..", "...", "a.b", "a.b.c.d", h + "." + p, valid + ".", valid + "." + s, "." + p + "." + s, h + ".." + s]);
        corpus.AddRange([" " + valid, valid + " ", valid + "\n", valid + "=", "Bearer " + valid, h + "=." + p + "." + s, "+" + valid[1..], "/" + valid[1..]]);
        corpus.AddRange([NonCanonicalTail(h) + "." + p + "." + s, h + "." + p + "." + NonCanonicalTail(s), h + "." + p + "." + s[..^1], h + "é." + p + "." + s]);
        corpus.AddRange([new string('.', 10_000), new string('A', (16 * 1024) + 1), new string('A', 300_000), "\uD800.\uDC00.x", "\0.\0.\0"]);

        // Header and payload JSON.
        string[] brokenJson = ["[]", "\"s\"", "42", "null", "", "{", "{\"a\":1,}", "{\"a\":1}x", "\uFEFF{}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\\ud800\"}", "{'a':1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":tru}", "{\"a\":\"\\u12\"}", "{\"a\"1}", "{\"a\":[}", "{\"a\":]}"];
        foreach (string json in brokenJson)
        {
            corpus.Add(Signed(json, claims));
            corpus.Add(Signed(HeaderJson(), json));
            if (json.StartsWith('{'))
            {
                corpus.Add(Signed(HeaderJson(), Append(claims, "\"note\":" + json)));
            }
        }

        foreach (int depth in (int[])[65, 100, 5000])
        {
            string deep = "\"d\":" + new string('[', depth) + new string(']', depth);
            corpus.Add(Signed(Append(HeaderJson(), deep), claims));
            corpus.Add(Signed(HeaderJson(), Append(claims, deep)));
            corpus.Add(Signed(HeaderJson(), Append(claims, "\"d\":" + string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth))));
        }

        byte[][] badUtf8 = [[0xC3, 0x28], [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]];
        foreach (byte[] bad in badUtf8)
        {
            corpus.Add(SignBytes(TestKey.Default, [.. Encoding.UTF8.GetBytes(HeaderJson()[..^1] + ",\"x\":\""), .. bad, .. "\"}"u8], Encoding.UTF8.GetBytes(claims)));
            corpus.Add(SignBytes(TestKey.Default, Encoding.UTF8.GetBytes(HeaderJson()), [.. Encoding.UTF8.GetBytes(claims[..^1] + ",\"x\":\""), .. bad, .. "\"}"u8]));
        }

        // Header parameters.
        foreach (string? alg in (string?[])["\"rs256\"", "\"RS256 \"", "\"none\"", "\"None\"", "\"HS256\"", "\"HS384\"", "\"HS512\"", "\"RS257\"", "\"\"", "256", "null", "[\"RS256\"]", null, "\"\\u0052" + new string('S', 100) + "\""])
        {
            corpus.Add(Signed(HeaderWithRaw("alg", alg), claims));
        }

        foreach (string? typ in (string?[])[null, "\"JWS\"", "\"at+jwt\"", "1", "null", "\"" + new string('J', 500) + "\"", "\"" + string.Concat(Enumerable.Repeat("\\u004a", 40)) + "\""])
        {
            corpus.Add(Signed(HeaderWithRaw("typ", typ), claims));
        }

        foreach (string? kid in (string?[])[null, "\"\"", "42", "null", "[]", "\"unknown\"", "\"TEST-RSA-2048\"", "\"" + new string('k', 5000) + "\"", "\"" + string.Concat(Enumerable.Repeat("\\u0041", 250)) + "\"", "\"" + string.Concat(Enumerable.Repeat("\\u0041", 300)) + "\"", "\"" + string.Concat(Enumerable.Repeat("\\ud83d\\ude00", 100)) + "\"", "\"" + Ec256.Kid + "\""])
        {
            corpus.Add(Signed(HeaderWithRaw("kid", kid), claims));
        }

        foreach (string crit in (string[])["[\"exp\"]", "[]", "\"x\"", "null"])
        {
            corpus.Add(Signed(Append(HeaderJson(), "\"crit\":" + crit), claims));
        }

        foreach (string dup in (string[])["\"alg\":\"RS256\"", "\"typ\":\"JWT\"", "\"kid\":\"x\"", "\"crit\":[],\"crit\":[]"])
        {
            corpus.Add(Signed(Append(HeaderJson(), dup), claims));
        }

        foreach (string embedded in (string[])["\"jwk\":" + Impostor.PublicJwk().ToJsonString(), "\"jku\":\"https://attacker.example/k\"", "\"x5u\":\"https://attacker.example/c\"", "\"x5c\":[\"MIIB\"]"])
        {
            corpus.Add(Impostor.SignRaw(Append(HeaderJson(), embedded), claims));
            corpus.Add(Impostor.SignRaw(Append(HeaderWithRaw("kid", "\"attacker\""), embedded), claims));
        }

        foreach (string hs in (string[])["HS256", "HS384", "HS512"])
        {
            string input = TestKey.B64(HeaderWithRaw("alg", $"\"{hs}\"")) + "." + TestKey.B64(claims);
            byte[] secret = Encoding.UTF8.GetBytes(TestKey.Default.PublicJwk().ToJsonString());
            corpus.Add(input + "." + TestKey.B64(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input))));
        }

        // Keys and signatures.
        corpus.Add(Ec256.SignRaw(Tokens.Header(Ec256).With(("kid", TestKey.Default.Kid)).ToJsonString(), claims));
        corpus.Add(Ec256.SignRaw(Tokens.Header(Ec256, "ES384").ToJsonString(), claims));
        corpus.Add(Ec384.SignRaw(Tokens.Header(Ec384, "ES256").ToJsonString(), claims));
        corpus.Add(Tokens.Mint(key: Impostor));
        corpus.Add(TestKey.Default.SignRaw(HeaderJson(), claims, "PS256"));
        byte[] sig = SignatureBytes(valid);
        corpus.AddRange([WithSignature(valid, sig[..^1]), WithSignature(valid, sig[..1]), WithSignature(valid, [.. sig, 0]), WithSignature(valid, new byte[sig.Length]), WithSignature(valid, new byte[4096])]);
        corpus.Add(WithSignature(validEc, new byte[64]));
        corpus.Add(WithSignature(validEc, Enumerable.Repeat((byte)0xFF, 64).ToArray()));
        corpus.Add(WithSegment(valid, 1, TestKey.B64(Tokens.Claims().With(("portkey_oid", "org-evil")).ToJsonString())));
        corpus.Add(WithSegment(valid, 1, TestKey.B64("not json")));

        // Claims, each in a correctly signed token.
        string[] badClaims =
        [
            "exp:null-remove", "exp:\"1\"", "exp:true", "exp:null", "exp:-1", "exp:1e400", "exp:-1e400", "exp:99999999999999999999", "exp:[1]", "exp:{}", "exp:0", "exp:253402300800",
            "nbf:\"x\"", "nbf:4102444800", "nbf:-1", "iat:\"x\"", "iat:4102444800", "iat:1e400",
            "iss:42", "aud:42", "aud:[\"gw\",1]",
            "portkey_oid:null-remove", "portkey_oid:42", "portkey_oid:\"\"", "portkey_oid:\"a\\u0000\"", "portkey_workspace:null-remove", "portkey_workspace:[]",
            "scope:null-remove", "scope:\"\"", "scope:\"   \"", "scope:[]", "scope:[1]", "scope:\"portkey.\"", "scope:\"a\\\"b\"", "scope:\"caf\\u00e9\"",
            "email_id:42", "sub:true", "uid:[]", "sub:\"\"",
        ];
        foreach (string row in badClaims)
        {
            int colon = row.IndexOf(':', StringComparison.Ordinal);
            string name = row[..colon], raw = row[(colon + 1)..];
            corpus.Add(Signed(HeaderJson(), raw == "null-remove" ? ClaimsWithRaw(name, null) : ClaimsWithRaw(name, raw)));
        }

        corpus.Add(Signed(HeaderJson(), Append(claims, "\"exp\":1")));
        corpus.Add(Signed(HeaderJson(), Append(claims, "\"e\\u0078p\":1")));
        corpus.Add(Signed(HeaderJson(), ClaimsWithRaw("portkey_oid", "\"" + new string('o', 2000) + "\"")));
        corpus.Add(Signed(HeaderJson(), ClaimsWithRaw("scope", "\"" + string.Join(' ', Enumerable.Range(0, 600).Select(i => "s" + i.ToString(CultureInfo.InvariantCulture))) + "\"")));
        corpus.Add(Signed(HeaderJson(), ClaimsWithRaw("scope", "\"" + new string('s', 70_000) + " \\\"\"")));

        // Generated junk.
        var random = new Random(Seed);
        string RandomSegment() => TestKey.B64(RandomBytes(random, random.Next(1, 300)));
        for (int i = 0; i < 60; i++)
        {
            corpus.Add(RandomSegment() + "." + RandomSegment() + "." + RandomSegment());
            corpus.Add(WithSegment(valid, i % 3, RandomSegment()));
            corpus.Add(WithSegment(validEc, i % 3, RandomSegment()));
            corpus.Add(TestKey.B64("{" + Encoding.Latin1.GetString(RandomBytes(random, 40))) + "." + p + "." + s);
            corpus.Add(new string([.. Enumerable.Range(0, random.Next(1, 400)).Select(_ => (char)random.Next(0x20, 0x7F))]));
        }

        foreach (string source in (string[])[valid, validEc])
        {
            for (int length = 0; length < source.Length; length++)
            {
                corpus.Add(source[..length]);
            }

            for (int position = 0; position < source.Length; position += 5)
            {
                foreach (char replacement in "A_-=.+/ é\0\n")
                {
                    if (source[position] != replacement)
                    {
                        corpus.Add(source[..position] + replacement + source[(position + 1)..]);
                    }
                }
            }
        }

        return corpus;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
