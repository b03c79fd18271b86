// Run: part of the CI gate (dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --ci).
namespace PortkeyJwt.Benchmarks;

/// <summary>
/// Managed memory per idle trust anchor: <see cref="GC.GetTotalMemory(bool)"/> (after a full collection) before and after
/// building a <see cref="TrustAnchorSet"/> of <see cref="Anchors"/> remote anchors, each with its own issuer, one JWKS
/// URL and one organisation, divided by <see cref="Anchors"/>. The anchor definitions are made (and kept alive) before the
/// first reading, so only what the set holds is counted, its fixed part (the validated-token cache, the fetch slots)
/// spread over the anchors. An idle anchor creates no key provider, so the set must also have made no request.
/// </summary>
internal static class AnchorMemory
{
    public const int Anchors = 10_000;

    public static Result Measure()
    {
        TrustAnchor[] anchors = BenchmarkAnchors.Set(Anchors, tokenAt: -1);
        var endpoint = new StubJwksHandler("{\"keys\":[]}");
        using var client = new HttpClient(endpoint);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var set = new TrustAnchorSet(anchors, httpClient: client);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(set);
        GC.KeepAlive(anchors);
        set.Dispose();
        return new Result((after - before) / Anchors, endpoint.Requests);
    }

    /// <summary>Bytes per anchor, and the HTTP requests building the set made (0 expected).</summary>
    public sealed record Result(long BytesPerAnchor, int Requests);
}
