using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PortkeyJwt.Tests.Keys;
using PortkeyJwt.Tests.Remote;
using Idp = PortkeyJwt.Tests.Remote.Remote;

namespace PortkeyJwt.Tests.Hardening;

/// <summary>
/// Hostile key sets, from a fixed document (<see cref="JwksKeyProvider.FromJson"/>) and from the identity provider's
/// endpoint (a remote provider against <see cref="JwksServer"/>). A hostile key is skipped and the good key next to it
/// keeps validating; a hostile document is refused whole: FromJson throws only <see cref="ArgumentException"/>, a remote
/// fetch fails (Status.LastError) and the last good set keeps being served. Nothing else ever escapes the provider.
/// The per-rule skip reasons are pinned in <see cref="JwksLoadingTests"/>; these specs add the remote side and the
/// "keeps serving" half for every attack.
/// </summary>
public sealed class HostileJwksTests
{
    private const string Hostile = "hostile";

    private static readonly Lazy<RSAParameters> HostileRsa = new(() =>
    {
        using RSA rsa = RSA.Create(2048);
        return rsa.ExportParameters(false);
    });

    private static readonly Lazy<ECParameters> HostileEc = new(() =>
    {
        using ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return ec.ExportParameters(false);
    });

    /// <summary>Hostile keys, each row one or more JWKs that must all be skipped.</summary>
    private static readonly Dictionary<string, Func<JsonNode[]>> KeyAttacks = new(StringComparer.Ordinal)
    {
        ["e = 1"] = () => [Rsa(e: "AQ")],
        ["e even (65536)"] = () => [Rsa(e: "AQAA")],
        ["e of 5 bytes"] = () => [Rsa(e: "AQAAAAE")],
        ["e of 64 bytes"] = () => [Rsa(e: TestKey.B64([1, .. new byte[62], 1]))],
        ["n with leading zeros"] = () => [Rsa(n: [0, 0, .. HostileRsa.Value.Modulus!])],
        ["n of 16384 bits"] = () => [Rsa(n: OddModulus(16384))],
        ["n not base64url"] = () => [Rsa(nText: "n!@#$%^&*()")],
        ["n standard base64 with padding"] = () => [Rsa(nText: Convert.ToBase64String(HostileRsa.Value.Modulus!))],
        ["e not base64url"] = () => [Rsa(e: "AQ AB")],
        ["private member d"] = () => [Rsa().With(("d", "AQAB"))],
        ["private members of a whole RSA key pair"] = () => [PrivateRsa()],
        ["kty unknown"] = () => [Rsa().With(("kty", "RSA-9000"))],
        ["kty oct (symmetric)"] = () => [new JsonObject { ["kty"] = "oct", ["kid"] = Hostile, ["k"] = "c2VjcmV0" }],
        ["EC point off the curve"] = () => [Ec().With(("y", TestKey.B64([.. HostileEc.Value.Q.Y![..^1], (byte)(HostileEc.Value.Q.Y![^1] ^ 1)])))],
        ["EC point at zero"] = () => [Ec().With(("x", TestKey.B64(new byte[32])), ("y", TestKey.B64(new byte[32])))],
        ["duplicate kid, different material"] = () => [Rsa(), Ec()],
        ["deeply nested junk in a member"] = () => [Rsa().With(("kty", Nest(12)))],
        ["deeply nested junk as the key"] = () => [Nest(13)],
        ["every member a number"] = () => WrongTypes(JsonValue.Create(1)),
        ["every member a boolean"] = () => WrongTypes(JsonValue.Create(true)),
        ["every member an array"] = () => WrongTypes(new JsonArray(1, "a")),
        ["every member an object"] = () => WrongTypes(new JsonObject { ["a"] = 1 }),
        ["every member null"] = () => WrongTypesRaw("null"),
        ["every member the empty string"] = () => WrongTypes(JsonValue.Create(string.Empty)),
    };

    /// <summary>Hostile documents: refused whole. The remote error names the reason; FromJson throws ArgumentException.</summary>
    private static readonly Dictionary<string, DocumentAttack> DocumentAttacks = new(StringComparer.Ordinal)
    {
        ["10,000 keys"] = new(() => ManyTinyKeys(10_000), "holds 10000 keys, more than the limit of 100"),
        ["101 good keys"] = new(() => TestKey.Jwks([.. Enumerable.Range(0, 101).Select(k => (JsonNode)Idp.B.PublicJwk().With(("kid", $"b-{k}")))]), "holds 101 keys"),
        ["nesting 17 deep"] = new(() => $"{{\"keys\":[{Idp.B.PublicJwk().ToJsonString()}],\"junk\":{Nest(16).ToJsonString()}}}", "not a well-formed JSON object"),
        ["nesting 10,000 deep"] = new(() => $"{{\"keys\":{new string('[', 10_000)}{new string(']', 10_000)}}}", "not a well-formed JSON object"),
        ["keys a string"] = new(() => "{\"keys\":\"[]\"}", "no \"keys\" array"),
    };

    public static TheoryData<string> KeyRules => new(KeyAttacks.Keys);

    public static TheoryData<string> DocumentRules => new(DocumentAttacks.Keys);

    [Theory]
    [MemberData(nameof(KeyRules))]
    public async Task FromJson_HostileKey_IsSkipped_GoodKeyKeepsValidating(string rule)
    {
        string jwks = TestKey.Jwks([.. KeyAttacks[rule](), TestKey.Default.PublicJwk()]);

        JwksKeyProvider provider = JwksKeyProvider.FromJson(jwks, new CapturingLogger());

        Assert.Equal([TestKey.Default.Kid], provider.KeyIds);
        RuleKit.AssertValid(await new PortkeyJwtValidator(provider, null, Tokens.Clock()).ValidateAsync(Tokens.Mint()));
    }

    [Fact]
    public async Task FromJson_FiveMegabyteStringMember_KeySkipped_GoodKeyKeepsValidating()
    {
        JwksKeyProvider provider = JwksKeyProvider.FromJson(TestKey.Jwks(Rsa(nText: new string('A', 5 * 1024 * 1024)), TestKey.Default.PublicJwk()), NullLogger.Instance);

        Assert.Equal([TestKey.Default.Kid], provider.KeyIds);
        RuleKit.AssertValid(await new PortkeyJwtValidator(provider, null, Tokens.Clock()).ValidateAsync(Tokens.Mint()));
    }

    [Theory]
    [MemberData(nameof(DocumentRules))]
    public void FromJson_HostileDocument_ThrowsArgumentException_Only(string rule)
    {
        string json = DocumentAttacks[rule].Json();

        ArgumentException thrown = Assert.Throws<ArgumentException>(() => JwksKeyProvider.FromJson(json, NullLogger.Instance));
        Assert.Equal("jwksJson", thrown.ParamName);
    }

    [Theory]
    [MemberData(nameof(KeyRules))]
    public async Task Remote_HostileKey_IsSkipped_GoodKeyServed_FetchHealthy(string rule)
    {
        await using Fixture f = await Fixture.StartAsync();
        f.Server.Serve(TestKey.Jwks([.. KeyAttacks[rule](), Idp.B.PublicJwk()]), declareLength: false);

        Assert.True(await f.Provider.RefreshAsync(), f.Provider.Status.LastError);

        Assert.Equal([Idp.B.Kid], f.Provider.KeyIds);
        Assert.True(f.Provider.Status.IsHealthy);
        RuleKit.AssertValid(Idp.ValidateNow(f.Validator, Idp.Token(Idp.B)));
    }

    [Theory]
    [MemberData(nameof(DocumentRules))]
    public async Task Remote_HostileDocument_FetchFails_LastGoodSetKept(string rule)
    {
        await using Fixture f = await Fixture.StartAsync();
        DocumentAttack attack = DocumentAttacks[rule];
        f.Server.Serve(attack.Json());

        await AssertFetchFailsAndLastGoodSetIsKeptAsync(f, attack.RemoteError);
    }

    /// <summary>A body of 1 MiB + 1 byte: refused (declared or chunked), the last good set kept. Exactly 1 MiB loads.</summary>
    [Theory]
    [InlineData(true, "declares 1048577 bytes")]
    [InlineData(false, "larger than the limit of 1048576 bytes")]
    public async Task Remote_BodyOneByteOverOneMebibyte_FetchFails_LastGoodSetKept(bool declareLength, string error)
    {
        await using Fixture f = await Fixture.StartAsync();
        f.Server.Serve(Idp.PadTo(TestKey.Jwks(Idp.B), (1024 * 1024) + 1), declareLength: declareLength);

        await AssertFetchFailsAndLastGoodSetIsKeptAsync(f, error);

        f.Server.Serve(Idp.PadTo(TestKey.Jwks(Idp.B), 1024 * 1024), declareLength: declareLength);
        Assert.True(await f.Provider.RefreshAsync(), f.Provider.Status.LastError);
        Assert.Equal([Idp.B.Kid], f.Provider.KeyIds);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Remote_FiveMegabyteStringMember_FetchFails_LastGoodSetKept(bool declareLength)
    {
        await using Fixture f = await Fixture.StartAsync();
        f.Server.Serve(TestKey.Jwks(Rsa(nText: new string('A', 5 * 1024 * 1024)), Idp.B.PublicJwk()), declareLength: declareLength);

        await AssertFetchFailsAndLastGoodSetIsKeptAsync(f, declareLength ? "declares" : "larger than the limit");
    }

    private static async Task AssertFetchFailsAndLastGoodSetIsKeptAsync(Fixture f, string error)
    {
        bool refreshed = await f.Provider.RefreshAsync();

        Assert.False(refreshed);
        JwksKeyProviderStatus status = f.Provider.Status;
        Assert.True(status.IsAvailable);
        Assert.False(status.IsHealthy);
        Assert.Contains(error, status.LastError, StringComparison.Ordinal);
        Assert.Equal([Idp.A.Kid], f.Provider.KeyIds);
        RuleKit.AssertValid(Idp.ValidateNow(f.Validator, Idp.Token(Idp.A)));
    }

    private static JsonObject Rsa(byte[]? n = null, string? e = null, string? nText = null) => new()
    {
        ["kty"] = "RSA",
        ["kid"] = Hostile,
        ["n"] = nText ?? TestKey.B64(n ?? HostileRsa.Value.Modulus!),
        ["e"] = e ?? TestKey.B64(HostileRsa.Value.Exponent!),
    };

    private static JsonObject Ec() => new()
    {
        ["kty"] = "EC",
        ["kid"] = Hostile,
        ["crv"] = "P-256",
        ["x"] = TestKey.B64(HostileEc.Value.Q.X!),
        ["y"] = TestKey.B64(HostileEc.Value.Q.Y!),
    };

    private static JsonObject PrivateRsa()
    {
        using RSA rsa = RSA.Create(2048);
        RSAParameters p = rsa.ExportParameters(true);
        return new JsonObject
        {
            ["kty"] = "RSA", ["kid"] = Hostile, ["n"] = TestKey.B64(p.Modulus!), ["e"] = TestKey.B64(p.Exponent!), ["d"] = TestKey.B64(p.D!),
            ["p"] = TestKey.B64(p.P!), ["q"] = TestKey.B64(p.Q!), ["dp"] = TestKey.B64(p.DP!), ["dq"] = TestKey.B64(p.DQ!), ["qi"] = TestKey.B64(p.InverseQ!),
        };
    }

    /// <summary>One RSA and one EC key per member, that member (and only it) replaced by <paramref name="value"/>.</summary>
    private static JsonNode[] WrongTypes(JsonNode value) => WrongTypesRaw(value.ToJsonString());

    private static JsonNode[] WrongTypesRaw(string rawValue)
    {
        // A JsonObject cannot hold a JSON null value through With(), so every key is built from raw text.
        var keys = new List<JsonNode>();
        foreach ((JsonObject key, string[] members) in new[]
        {
            (Rsa().With(("alg", "RS256"), ("use", "sig"), ("key_ops", new JsonArray("verify"))), new[] { "kty", "kid", "n", "e", "alg", "use", "key_ops" }),
            (Ec().With(("alg", "ES256")), new[] { "kty", "kid", "crv", "x", "y", "alg" }),
        })
        {
            foreach (string member in members)
            {
                keys.Add(JsonNode.Parse(RuleKit.WithRaw(key.ToJsonString(), member, rawValue))!);
            }
        }

        return [.. keys];
    }

    private static JsonObject Nest(int depth)
    {
        JsonNode inner = new JsonArray("junk", 1, null, true);
        for (int k = 1; k < depth - 1; k++)
        {
            inner = k % 2 == 0 ? new JsonArray(inner) : new JsonObject { ["n"] = inner };
        }

        return new JsonObject { ["junk"] = inner };
    }

    private static byte[] OddModulus(int bits)
    {
        byte[] n = RandomNumberGenerator.GetBytes(bits / 8);
        n[0] |= 0x80;
        n[^1] |= 1;
        return n;
    }

    /// <summary><paramref name="count"/> tiny (and useless) keys: the count alone must refuse the document, before any key is read.</summary>
    private static string ManyTinyKeys(int count)
    {
        var text = new StringBuilder("{\"keys\":[");
        for (int k = 0; k < count; k++)
        {
            text.Append(k == 0 ? string.Empty : ",").Append("{\"kid\":\"").Append(k).Append("\"}");
        }

        return text.Append("]}").ToString();
    }

    private sealed record DocumentAttack(Func<string> Json, string RemoteError);

    /// <summary>A server serving key A, a remote provider warmed up on it, and a validator.</summary>
    private sealed class Fixture : IAsyncDisposable
    {
        private Fixture(JwksServer server, JwksKeyProvider provider, PortkeyJwtValidator validator)
        {
            Server = server;
            Provider = provider;
            Validator = validator;
        }

        public JwksServer Server { get; }

        public JwksKeyProvider Provider { get; }

        public PortkeyJwtValidator Validator { get; }

        public static async Task<Fixture> StartAsync()
        {
            JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Idp.A));
            FakeTimeProvider clock = Tokens.Clock();
            JwksKeyProvider provider = Idp.Provider(server, clock);
            Assert.True(await provider.WarmUpAsync());
            return new Fixture(server, provider, Idp.Validator(provider, clock));
        }

        public async ValueTask DisposeAsync()
        {
            await Provider.DisposeAsync();
            await Server.DisposeAsync();
        }
    }
}
