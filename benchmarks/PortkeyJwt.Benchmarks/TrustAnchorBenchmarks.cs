// Run (full length): dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --filter '*TrustAnchorBenchmarks*'
// CI runs the short job and gates the times (see Gate.cs); AnchorScaling and AnchorMemory add the 10,000-anchor checks.
using BenchmarkDotNet.Attributes;
using PortkeyJwt.Internal;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// Trust anchors: routing a valid token by its unverified <c>iss</c> (<see cref="TrustRouter.Route"/> alone,
/// over 2 or 100 anchors), and a flood of tokens whose issuers name no anchor, which the set's validator must reject
/// before any key lookup: no fetch, no allocation. Every anchor is remote, on a stub JWKS endpoint that counts requests.
/// </summary>
[MemoryDiagnoser]
public class TrustAnchorBenchmarks
{
    /// <summary>Distinct unknown issuers cycled by <see cref="UnknownIssuerFlood"/>: ~1 MB of tokens, more than a core's L2 holds.</summary>
    internal const int FloodIssuers = 1024;

    private BenchmarkTokens _tokens = null!;
    private StubJwksHandler _jwksEndpoint = null!;
    private TrustAnchorSet _set = null!;
    private TrustRouter _router = null!;
    private string[] _flood = null!;
    private int _floodNext;

    /// <summary>How many anchors the set holds: the token's, in the middle, and idle ones.</summary>
    [Params(2, 100)]
    public int Anchors { get; set; } = 2;

    [GlobalSetup]
    public void Setup()
    {
        _tokens = new BenchmarkTokens();
        _jwksEndpoint = new StubJwksHandler(_tokens.Jwks);
        _set = new TrustAnchorSet(BenchmarkAnchors.Set(Anchors, tokenAt: Anchors / 2), httpClient: new HttpClient(_jwksEndpoint));
        _router = _set.Router;
        _flood = _tokens.WithUnknownIssuers(FloodIssuers);

        // The token's anchor loads its keys once; the idle anchors and the flood must fetch nothing after that.
        ValidationBenchmarks.Check(Route() is not null, "setup: the token routes to no anchor");
        ValidationBenchmarks.Check(_set.KeysOf(BenchmarkTokens.Issuer)!.WarmUpAsync().GetAwaiter().GetResult(), "setup: the stub JWKS did not load");
        ValidationBenchmarks.Check(ValidationBenchmarks.Sync(_set.Validator.ValidateAsync(_tokens.Valid)).IsValid, "setup: the token does not validate");
        ValidationBenchmarks.Check(_flood.All(t => ValidationBenchmarks.Sync(_set.Validator.ValidateAsync(t)).Error == PortkeyJwtError.UnknownIssuer), "setup: a flood token is not UnknownIssuer");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        ValidationBenchmarks.Check(_jwksEndpoint.Requests == 1, $"the idle anchors or the unknown-issuer flood fetched ({_jwksEndpoint.Requests} requests, 1 expected)");
        _set.Dispose();
    }

    /// <summary>What routing adds to a validation: find <c>iss</c> in the payload and its anchor's validator.</summary>
    [Benchmark]
    public PortkeyJwtValidator? Route() => _router.Route(_tokens.Valid, out PortkeyJwtValidator? target) is null ? target : null;

    /// <summary>A different unknown issuer on every call, through the set's validator (validated-token cache on, as by default).</summary>
    [Benchmark]
    public PortkeyJwtResult UnknownIssuerFlood()
    {
        int next = _floodNext;
        _floodNext = (next + 1) & (FloodIssuers - 1);
        return ValidationBenchmarks.Sync(_set.Validator.ValidateAsync(_flood[next]));
    }

    /// <summary>
    /// For the gate: every flood token <paramref name="passes"/> times through a fresh set of <paramref name="anchors"/>
    /// idle anchors, each rejected as <see cref="PortkeyJwtError.UnknownIssuer"/>; returns the HTTP requests the set made
    /// and how many anchors created a key provider (both must be 0: a provider starts fetching when it is created).
    /// </summary>
    internal static (int Requests, int Providers) FloodRequests(int anchors, int passes)
    {
        var tokens = new BenchmarkTokens();
        var endpoint = new StubJwksHandler(tokens.Jwks);
        using var set = new TrustAnchorSet(BenchmarkAnchors.Set(anchors, tokenAt: -1), httpClient: new HttpClient(endpoint));
        string[] flood = tokens.WithUnknownIssuers(FloodIssuers);
        for (int pass = 0; pass < passes; pass++)
        {
            foreach (string token in flood)
            {
                ValidationBenchmarks.Check(ValidationBenchmarks.Sync(set.Validator.ValidateAsync(token)).Error == PortkeyJwtError.UnknownIssuer, "a flood token is not UnknownIssuer");
            }
        }

        return (endpoint.Requests, set.Router.Slots.Values.Count(slot => slot.Keys is not null));
    }
}
