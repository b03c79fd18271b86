// Run (full length): dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --filter '*ValidationBenchmarks*'
// CI runs the short job of every benchmark and gates the ratios: bash .ci/bench (see Gate.cs).
using System.Security.Claims;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// One validation of a ~800-character RS256 Portkey token: the RSA verification floor (baseline), IdentityModel's
/// JsonWebTokenHandler plus reading the principal, and PortkeyJwt on the success and failure paths.
/// </summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private static readonly string[] RequiredScopes = ["completions.write"];

    /// <summary>Distinct kids cycled by <see cref="UnknownKidFlood"/>: ~1 MB of tokens, more than a core's L2 holds.</summary>
    private const int FloodKids = 1024;

    private BenchmarkTokens _tokens = null!;
    private BenchmarkTokens _large = null!;
    private RSA _rsa = null!;
    private PortkeyJwtValidator _validator = null!;
    private PortkeyJwtValidator _cached = null!;
    private PortkeyJwtValidator _largeValidator = null!;
    private JwksKeyProvider _remote = null!;
    private StubJwksHandler _jwksEndpoint = null!;
    private PortkeyJwtValidator _remoteValidator = null!;
    private string[] _flood = null!;
    private int _floodNext;
    private JsonWebTokenHandler _handler = null!;
    private TokenValidationParameters _parameters = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tokens = new BenchmarkTokens();
        _large = new BenchmarkTokens(extraScopes: 100);
        _rsa = (RSA)_tokens.Key;
        var options = new PortkeyJwtOptions { ValidIssuers = [BenchmarkTokens.Issuer], ValidationCache = false };
        JwksKeyProvider keys = JwksKeyProvider.FromJson(_tokens.Jwks);
        _validator = new PortkeyJwtValidator(keys, options);
        _cached = new PortkeyJwtValidator(keys, new PortkeyJwtOptions { ValidIssuers = [BenchmarkTokens.Issuer] });
        _largeValidator = new PortkeyJwtValidator(JwksKeyProvider.FromJson(_large.Jwks), options);

        // A remote provider whose cooldown never ends: an unknown kid must fail fast without a fetch.
        _jwksEndpoint = new StubJwksHandler(_tokens.Jwks);
        _remote = new JwksKeyProvider(
            new JwksKeyProviderOptions { JwksUrls = [new Uri("https://idp.example/jwks.json")], UnknownKeyCooldown = TimeSpan.FromHours(1) },
            new HttpClient(_jwksEndpoint));
        Check(_remote.WarmUpAsync().GetAwaiter().GetResult(), "setup: the stub JWKS did not load");
        _remoteValidator = new PortkeyJwtValidator(_remote, options);
        _flood = _tokens.WithUnknownKids(FloodKids);

        _handler = new JsonWebTokenHandler { MapInboundClaims = false };
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKey = new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = _tokens.Kid },
            ValidIssuer = BenchmarkTokens.Issuer,
            ValidateAudience = false,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidTypes = ["JWT"],
            ClockSkew = TimeSpan.FromSeconds(60),
            RequireExpirationTime = true,
        };
        Check(Valid().IsValid && ValidCacheHit().IsValid && LargeToken().IsValid, "setup: tokens do not validate");
        Check(JsonWebTokenHandler().Result.OrganisationId is not null, "setup: JsonWebTokenHandler rejects the token");
        Check(UnknownKidInCooldown().Error == PortkeyJwtError.UnknownKey && UnknownKidFlood().Error == PortkeyJwtError.UnknownKey && InsufficientScope().Error == PortkeyJwtError.InsufficientScope, "setup: wrong errors");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Check(_jwksEndpoint.Requests == 1, $"an unknown kid in cooldown fetched the JWKS ({_jwksEndpoint.Requests} requests)");
        _remote.Dispose();
    }

    /// <summary>The floor: RSA PKCS#1 v1.5 SHA-256 verification of the signing input, key already imported.</summary>
    [Benchmark(Baseline = true)]
    public bool RawRsaVerify() => _rsa.VerifyData(_tokens.SigningInput, _tokens.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    /// <summary>The floor failing: the bad-signature token's signing input and signature (for <see cref="InterleavedRatios"/>'s sanity check).</summary>
    public bool RawRsaVerifyBadSignature() => _rsa.VerifyData(_tokens.SigningInput, _tokens.BadSignatureBytes, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark]
    public async Task<PrincipalLike> JsonWebTokenHandler()
    {
        TokenValidationResult result = await _handler.ValidateTokenAsync(_tokens.Valid, _parameters);
        ClaimsIdentity identity = result.ClaimsIdentity;
        return new PrincipalLike(
            identity.FindFirst("portkey_oid")?.Value ?? identity.FindFirst("organisation_id")?.Value,
            identity.FindFirst("portkey_workspace")?.Value ?? identity.FindFirst("workspace_slug")?.Value,
            identity.FindFirst("email_id")?.Value ?? identity.FindFirst("sub")?.Value ?? identity.FindFirst("uid")?.Value,
            (identity.FindFirst("scope")?.Value ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => s.StartsWith("portkey.", StringComparison.Ordinal) ? s[8..] : s).Distinct().ToArray());
    }

    [Benchmark]
    public PortkeyJwtResult Valid() => Sync(_validator.ValidateAsync(_tokens.Valid, RequiredScopes));

    [Benchmark]
    public PortkeyJwtResult ValidCacheHit() => Sync(_cached.ValidateAsync(_tokens.Valid, RequiredScopes));

    [Benchmark]
    public PortkeyJwtResult Malformed() => Sync(_validator.ValidateAsync("abc.def"));

    [Benchmark]
    public PortkeyJwtResult BadSignature() => Sync(_validator.ValidateAsync(_tokens.BadSignature));

    [Benchmark]
    public PortkeyJwtResult Expired() => Sync(_validator.ValidateAsync(_tokens.Expired));

    /// <summary>The same token naming a rotated-away kid, again and again (a client retrying a stale token).</summary>
    [Benchmark]
    public PortkeyJwtResult UnknownKidInCooldown() => Sync(_remoteValidator.ValidateAsync(_tokens.UnknownKid));

    /// <summary>A different unknown kid on every call (a random-kid flood): must cost no fetch and allocate nothing.</summary>
    [Benchmark]
    public PortkeyJwtResult UnknownKidFlood()
    {
        int next = _floodNext;
        _floodNext = (next + 1) & (FloodKids - 1);
        return Sync(_remoteValidator.ValidateAsync(_flood[next]));
    }

    [Benchmark]
    public PortkeyJwtResult InsufficientScope() => Sync(_validator.ValidateAsync(_tokens.LacksScope, RequiredScopes));

    /// <summary>A ~4 KB token granting ~100 scopes.</summary>
    [Benchmark]
    public PortkeyJwtResult LargeToken() => Sync(_largeValidator.ValidateAsync(_large.Valid, RequiredScopes));

    /// <summary>Every case here completes synchronously; anything else is a bug worth failing on.</summary>
    internal static PortkeyJwtResult Sync(ValueTask<PortkeyJwtResult> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("validation did not complete synchronously");

    internal static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }

    /// <summary>What a gateway must read out of a validated token.</summary>
    public sealed record PrincipalLike(string? OrganisationId, string? WorkspaceSlug, string? UserId, string[] Scopes);
}
