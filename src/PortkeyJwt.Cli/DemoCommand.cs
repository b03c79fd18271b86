using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PortkeyJwt.Cli;

/// <summary>
/// <c>portkey-jwt demo</c>: the library end to end with no outside service. Serves a generated key's JWKS from Kestrel on
/// 127.0.0.1, validates a set of good and hostile tokens through a remote <see cref="JwksKeyProvider"/>, rotates the key
/// and shows the provider follow; then two organisations' identity providers behind one <see cref="TrustAnchorSet"/>, each
/// with its own JWKS server and the same kid, where neither's key verifies the other's tokens and an unknown issuer is
/// refused without a fetch. Exits 0 only when every verdict is the expected one.
/// </summary>
internal static class DemoCommand
{
    private const string Issuer = "https://auth.demo.local";
    private const string IssuerA = "https://idp-a.demo.local";
    private const string IssuerB = "https://idp-b.demo.local";

    public static Command Create(CliIo io)
    {
        var command = new Command("demo", "Mint, serve, validate and rotate keys locally (127.0.0.1 only); exits 0 when every verdict is as expected.");
        command.SetAction((_, cancellationToken) => RunAsync(io.Out, io.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        using RSA firstKey = RSA.Create(2048);
        using RSA secondKey = RSA.Create(2048);
        var first = new TestTokenSigner(firstKey, "demo-key-1", "RS256");
        var second = new TestTokenSigner(secondKey, "demo-key-2", "RS256");

        await using LocalJwksServer server = await LocalJwksServer.StartAsync(TestTokenSigner.Jwks(first), cancellationToken: cancellationToken);
        using var keys = new JwksKeyProvider(new JwksKeyProviderOptions
        {
            JwksUrls = [server.Url],
            UnknownKeyCooldown = TimeSpan.FromSeconds(1), // short, so the demo can show a rotation within a second
        });
        if (!await keys.WarmUpAsync(cancellationToken))
        {
            await error.WriteLineAsync($"error: could not load the JWKS from {server.Url}: {keys.Status.LastError}");
            return 2;
        }

        var validator = new PortkeyJwtValidator(keys, new PortkeyJwtOptions { ValidIssuers = [Issuer] });
        string[] required = ["completions.write"];
        output.WriteLine($"JWKS served at {server.Url}; every call requires scope '{required[0]}'.");
        output.WriteLine();

        _ = await validator.ValidateAsync(first.Sign(new JsonObject { ["exp"] = 0 }), cancellationToken); // JIT warm-up, untimed
        var rows = new List<Row>();
        async Task Check(string name, string token, PortkeyJwtError expected, PortkeyJwtValidator? by = null)
        {
            long started = Stopwatch.GetTimestamp();
            PortkeyJwtResult result = await (by ?? validator).ValidateAsync(token, required, cancellationToken);
            rows.Add(new Row(name, expected, result, Stopwatch.GetElapsedTime(started)));
        }

        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        JsonObject Claims() => new()
        {
            ["iss"] = Issuer,
            ["portkey_oid"] = "org-7c1e",
            ["portkey_workspace"] = "ws-prod",
            ["scope"] = "completions.write logs.view",
            ["email_id"] = "ada@example.com",
            ["iat"] = now,
            ["exp"] = now + 600,
        };

        await Check("valid: portkey_* claims, scope string", first.Sign(Claims()), PortkeyJwtError.None);
        await Check("valid: aliases, scopes array, sub", first.Sign(Without(Claims(), "portkey_oid", "portkey_workspace", "scope", "email_id")
            .With("organisation_id", "org-7c1e").With("workspace_slug", "ws-prod").With("scopes", new JsonArray("completions.write", "portkey.logs.view")).With("sub", "user-17")), PortkeyJwtError.None);
        await Check("valid: portkey.-prefixed scopes, uid", first.Sign(Without(Claims(), "email_id").With("scope", "portkey.completions.write").With("uid", "u-99")), PortkeyJwtError.None);
        await Check("expired 5 minutes ago", first.Sign(Claims().With("exp", now - 300)), PortkeyJwtError.Expired);
        await Check("not valid for another hour (nbf)", first.Sign(Claims().With("nbf", now + 3600)), PortkeyJwtError.NotYetValid);
        await Check("wrong scope (403)", first.Sign(Claims().With("scope", "logs.view completions.writer")), PortkeyJwtError.InsufficientScope);
        await Check("missing organisation", first.Sign(Without(Claims(), "portkey_oid")), PortkeyJwtError.MissingClaim);
        await Check("wrong issuer", first.Sign(Claims().With("iss", "https://evil.example")), PortkeyJwtError.InvalidIssuer);
        await Check("tampered payload (org changed)", Tamper(first.Sign(Claims())), PortkeyJwtError.InvalidSignature);
        await Check("alg: none", Unsigned(Claims(), first.Kid), PortkeyJwtError.UnsupportedAlgorithm);
        await Check("HS256 signed with the public key", HmacConfusion(Claims(), first), PortkeyJwtError.UnsupportedAlgorithm);
        await Check("not a JWT", "abc.def", PortkeyJwtError.Malformed);

        // Rotation: the identity provider publishes a second key; the first token naming it triggers one fetch.
        server.Jwks = TestTokenSigner.Jwks(first, second);
        await WaitOutCooldownAsync(keys, TimeSpan.FromSeconds(1), cancellationToken);
        await Check("rotation: new kid, fetched on first use", second.Sign(Claims()), PortkeyJwtError.None);
        await Check("unknown kid (fails fast, no fetch)", new TestTokenSigner(firstKey, "no-such-key", "RS256").Sign(Claims()), PortkeyJwtError.UnknownKey);

        // The old key is retired: after the next refresh its tokens stop validating.
        server.Jwks = TestTokenSigner.Jwks(second);
        await keys.RefreshAsync(cancellationToken);
        await Check("rotation: retired kid after refresh", first.Sign(Claims()), PortkeyJwtError.UnknownKey);

        // Two organisations: two identity providers, each trusted for its own organisation only, publishing the same kid.
        using RSA keyA = RSA.Create(2048);
        using RSA keyB = RSA.Create(2048);
        var providerA = new TestTokenSigner(keyA, "org-key", "RS256");
        var providerB = new TestTokenSigner(keyB, "org-key", "RS256");
        await using LocalJwksServer serverA = await LocalJwksServer.StartAsync(TestTokenSigner.Jwks(providerA), cancellationToken: cancellationToken);
        await using LocalJwksServer serverB = await LocalJwksServer.StartAsync(TestTokenSigner.Jwks(providerB), cancellationToken: cancellationToken);
        using var trust = new TrustAnchorSet(
        [
            new TrustAnchor { Issuer = IssuerA, JwksUrls = [serverA.Url], Organisations = ["org-a"] },
            new TrustAnchor { Issuer = IssuerB, JwksUrls = [serverB.Url], Organisations = ["org-b"] },
        ]);
        JsonObject OrgClaims(string issuer, string organisation) => Claims().With("iss", issuer).With("portkey_oid", organisation);
        await Check("two orgs: A's token", providerA.Sign(OrgClaims(IssuerA, "org-a")), PortkeyJwtError.None, trust.Validator);
        await Check("two orgs: B's token (same kid, own key)", providerB.Sign(OrgClaims(IssuerB, "org-b")), PortkeyJwtError.None, trust.Validator);
        await Check("two orgs: B's key claiming A's issuer", providerB.Sign(OrgClaims(IssuerA, "org-a")), PortkeyJwtError.InvalidSignature, trust.Validator);
        await Check("two orgs: A asserting B's organisation", providerA.Sign(OrgClaims(IssuerA, "org-b")), PortkeyJwtError.OrganisationNotAllowed, trust.Validator);
        int fetchesBefore = serverA.Requests + serverB.Requests;
        await Check("two orgs: unknown issuer", providerA.Sign(OrgClaims("https://idp-c.demo.local", "org-a")), PortkeyJwtError.UnknownIssuer, trust.Validator);
        int fetchesAfter = serverA.Requests + serverB.Requests;
        rows[^1] = rows[^1] with { Name = $"{rows[^1].Name} (JWKS fetches {fetchesBefore} -> {fetchesAfter})", Fetched = fetchesAfter != fetchesBefore };

        Print(output, rows);
        int mismatches = rows.Count(r => !r.Matched);
        output.WriteLine();
        output.WriteLine($"{rows.Count - mismatches}/{rows.Count} verdicts as expected; JWKS servers saw {server.Requests} requests (A: {serverA.Requests}, B: {serverB.Requests}); {total.Elapsed.TotalSeconds:0.00} s in all.");
        return mismatches == 0 ? 0 : 1;
    }

    private static async Task WaitOutCooldownAsync(JwksKeyProvider keys, TimeSpan cooldown, CancellationToken cancellationToken)
    {
        if (keys.Status.LastAttemptAt is { } last && DateTimeOffset.UtcNow - last < cooldown)
        {
            await Task.Delay(cooldown - (DateTimeOffset.UtcNow - last) + TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    private static JsonObject With(this JsonObject claims, string name, JsonNode? value)
    {
        claims[name] = value;
        return claims;
    }

    private static JsonObject Without(JsonObject claims, params string[] names)
    {
        foreach (string name in names)
        {
            claims.Remove(name);
        }

        return claims;
    }

    private static string Tamper(string token)
    {
        string[] parts = token.Split('.');
        string payload = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])).Replace("org-7c1e", "org-evil", StringComparison.Ordinal);
        return $"{parts[0]}.{TestTokenSigner.B64(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
    }

    private static string Unsigned(JsonObject claims, string kid) =>
        TestTokenSigner.B64(Encoding.UTF8.GetBytes(new JsonObject { ["alg"] = "none", ["typ"] = "JWT", ["kid"] = kid }.ToJsonString()))
        + "." + TestTokenSigner.B64(Encoding.UTF8.GetBytes(claims.ToJsonString())) + ".";

    /// <summary>The classic key-confusion forgery: HS256 with the RSA public key (as published) as the HMAC secret.</summary>
    private static string HmacConfusion(JsonObject claims, TestTokenSigner victim)
    {
        string signingInput = TestTokenSigner.B64(Encoding.UTF8.GetBytes(new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = victim.Kid }.ToJsonString()))
            + "." + TestTokenSigner.B64(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        byte[] mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(victim.PublicJwk().ToJsonString()), Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + TestTokenSigner.B64(mac);
    }

    private static void Print(TextWriter output, List<Row> rows)
    {
        string[] header = ["case", "expected", "verdict", "status", "user", "scopes", "time"];
        string[][] cells = [.. rows.Select(r => new[]
        {
            r.Name,
            r.Expected == PortkeyJwtError.None ? "valid" : r.Expected.ToString(),
            (r.Matched ? "ok  " : "FAIL ") + (r.Result.IsValid ? "valid" : r.Result.Error.ToString()),
            r.Result.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
            r.Result.Principal?.UserId ?? "-",
            r.Result.Principal is { } p ? string.Join(' ', p.Scopes) : "-",
            FormatTime(r.Elapsed),
        })];
        int[] widths = [.. header.Select((h, i) => Math.Max(h.Length, cells.Length == 0 ? 0 : cells.Max(c => c[i].Length)))];
        output.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (string[] row in cells)
        {
            output.WriteLine(string.Join("  ", row.Select((c, i) => i == row.Length - 1 ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))));
        }
    }

    private static string FormatTime(TimeSpan elapsed) =>
        elapsed.TotalMilliseconds >= 1 ? $"{elapsed.TotalMilliseconds:0.0} ms" : $"{elapsed.TotalMicroseconds:0} µs";

    private sealed record Row(string Name, PortkeyJwtError Expected, PortkeyJwtResult Result, TimeSpan Elapsed)
    {
        /// <summary>Whether a check that must not fetch (the unknown issuer) made a JWKS request: then the row fails too.</summary>
        public bool Fetched { get; init; }

        public bool Matched => Result.Error == Expected && !Fetched;
    }
}
