using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace PortkeyJwt.Tests.Trust;

/// <summary>Issuers, keys, anchors and tokens shared by the trust-anchor specs.</summary>
internal static class Trust
{
    public const string IssuerA = "https://idp-a.example";
    public const string IssuerB = "https://idp-b.example";

    private static readonly Lazy<TestKey> LazyKeyA = new(() => TestKey.Ec("key-a"));
    private static readonly Lazy<TestKey> LazyKeyB = new(() => TestKey.Ec("key-b"));
    private static readonly Lazy<TestKey> LazySharedKidA = new(() => TestKey.Ec("shared"));
    private static readonly Lazy<TestKey> LazySharedKidB = new(() => TestKey.Ec("shared"));

    /// <summary>Provider A's key.</summary>
    public static TestKey KeyA => LazyKeyA.Value;

    /// <summary>Provider B's key.</summary>
    public static TestKey KeyB => LazyKeyB.Value;

    /// <summary>A key of provider A whose kid provider B also uses, for other material.</summary>
    public static TestKey SharedKidA => LazySharedKidA.Value;

    /// <summary>Provider B's key under <see cref="SharedKidA"/>'s kid.</summary>
    public static TestKey SharedKidB => LazySharedKidB.Value;

    /// <summary>The global options of these specs: the test keys' algorithm.</summary>
    public static PortkeyJwtOptions Options() => new() { AllowedAlgorithms = ["ES256"] };

    /// <summary>An anchor over a fixed JWKS of <paramref name="keys"/>, allowed to assert <paramref name="organisations"/>.</summary>
    public static TrustAnchor Anchor(string issuer, TestKey[] keys, params string[] organisations) => new()
    {
        Issuer = issuer,
        Jwks = TestKey.Jwks(keys),
        Organisations = organisations,
    };

    /// <summary>An anchor over a JWKS server.</summary>
    public static TrustAnchor RemoteAnchor(string issuer, JwksServer server, params string[] organisations) => new()
    {
        Issuer = issuer,
        JwksUrls = [server.Url],
        Organisations = organisations,
    };

    /// <summary>A set over <paramref name="anchors"/> with the fake clock at <see cref="Tokens.Now"/>.</summary>
    public static TrustAnchorSet Set(FakeTimeProvider? clock = null, PortkeyJwtOptions? options = null, params TrustAnchor[] anchors) =>
        new(anchors, options ?? Options(), new JwksKeyProviderOptions(), httpClient: null, clock ?? Tokens.Clock(), NullLogger.Instance);

    /// <summary>A set over <paramref name="anchors"/> with the fetch policy <paramref name="fetch"/>.</summary>
    public static TrustAnchorSet Set(JwksKeyProviderOptions fetch, FakeTimeProvider clock, params TrustAnchor[] anchors) =>
        new(anchors, Options(), fetch, httpClient: null, clock, NullLogger.Instance);

    /// <summary>Provider A (key A, org-a) and provider B (key B, org-b), fixed key sets.</summary>
    public static TrustAnchorSet TwoProviders() =>
        Set(anchors: [Anchor(IssuerA, [KeyA], "org-a"), Anchor(IssuerB, [KeyB], "org-b")]);

    /// <summary>A valid Portkey token signed by <paramref name="key"/> with <c>iss</c> <paramref name="issuer"/> and organisation <paramref name="organisation"/>.</summary>
    public static string Token(TestKey key, string? issuer, string? organisation = "org-a", params (string Name, JsonNode? Value)[] changes)
    {
        JsonObject claims = Tokens.Claims().With(("iss", issuer), ("portkey_oid", organisation));
        return Tokens.Mint(claims.With(changes), key: key);
    }

    /// <summary>A token signed by <paramref name="key"/> with the raw payload JSON <paramref name="claimsJson"/>.</summary>
    public static string TokenWithClaims(TestKey key, string claimsJson) =>
        key.SignRaw(Tokens.Header(key).ToJsonString(), claimsJson, key.Algorithm);
}
