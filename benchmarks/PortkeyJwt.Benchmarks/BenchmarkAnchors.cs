namespace PortkeyJwt.Benchmarks;

/// <summary>
/// Trust anchors for the benchmarks: the one that trusts <see cref="BenchmarkTokens.Issuer"/>, and idle ones, each a
/// remote (<see cref="TrustAnchor.JwksUrls"/>) anchor of its own issuer and organisation that no token names, so it never fetches.
/// </summary>
internal static class BenchmarkAnchors
{
    /// <summary>The anchor the benchmark tokens route to; its keys come from <c>https://auth.portkey.example/jwks.json</c> (a stub in the benchmarks).</summary>
    public static TrustAnchor ForTokens() => new()
    {
        Issuer = BenchmarkTokens.Issuer,
        JwksUrls = [new Uri(BenchmarkTokens.Issuer + "/jwks.json")],
        Organisations = [BenchmarkTokens.Organisation],
    };

    /// <summary>
    /// <paramref name="count"/> anchors, the token's among them at <paramref name="tokenAt"/> (or none when it is negative);
    /// the others idle, as a gateway holds for organisations that send no traffic.
    /// </summary>
    public static TrustAnchor[] Set(int count, int tokenAt) =>
        [.. Enumerable.Range(0, count).Select(i => i == tokenAt ? ForTokens() : Idle(i))];

    /// <summary>The idle anchor number <paramref name="i"/>: issuer <c>https://idp-{i}.example</c>, one JWKS URL, one organisation.</summary>
    public static TrustAnchor Idle(int i) => new()
    {
        Issuer = FormattableString.Invariant($"https://idp-{i:d5}.example"),
        JwksUrls = [new Uri(FormattableString.Invariant($"https://idp-{i:d5}.example/.well-known/jwks.json"))],
        Organisations = [FormattableString.Invariant($"org-{i:d5}")],
    };
}
