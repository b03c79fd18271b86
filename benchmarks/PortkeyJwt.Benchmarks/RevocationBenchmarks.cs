// Run (full length): dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --filter '*RevocationBenchmarks*'
// CI runs the short job and gates it: bash .ci/bench (see Gate.cs). The million-entry memory and sync checks: -- --revocation
using BenchmarkDotNet.Attributes;
using PortkeyJwt.Internal;

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// The revocation check alone (<see cref="RevocationList"/>), as every valid token and every cache hit pays it: a principal
/// none of whose entries is revoked, against lists of 0, 1,000 and 1,000,000 entries that hold every kind of entry (token,
/// organisation, workspace and user, for any issuer and for one), so every probe is made. The principal's probe keys are
/// computed on its first check and kept with it, as the validated-token cache keeps them.
/// </summary>
[MemoryDiagnoser]
public class RevocationBenchmarks
{
    private PortkeyPrincipal _principal = null!;
    private RevocationList _list = null!;
    private long _nowMs;

    [Params(0, 1_000, 1_000_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var tokens = new BenchmarkTokens();
        _principal = new PortkeyJwtValidator(JwksKeyProvider.FromJson(tokens.Jwks)).ValidateAsync(tokens.Valid).AsTask().GetAwaiter().GetResult().Principal!;
        _list = Filled(Entries, DateTimeOffset.UtcNow);
        _nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        ValidationBenchmarks.Check(_list.Count == Entries && Check() is null, "setup: the principal is revoked or the list is wrong");
    }

    /// <summary>The check a valid token pays: at most eight probes.</summary>
    [Benchmark]
    public PortkeyJwtResult? Check() => _list.Check(_principal, _nowMs);

    /// <summary>
    /// A list of <paramref name="count"/> entries of every kind (for other organisations, users and tokens than the
    /// benchmark token's), a quarter of them per kind, half of them limited to one issuer.
    /// </summary>
    internal static RevocationList Filled(int count, DateTimeOffset now)
    {
        var list = new RevocationList();
        list.ReplaceAll(Make(count, now));
        return list;
    }

    internal static IEnumerable<Revocation> Make(int count, DateTimeOffset now)
    {
        DateTimeOffset later = now.AddHours(1);
        for (int i = 0; i < count; i++)
        {
            string? issuer = (i & 1) == 0 ? null : BenchmarkTokens.Issuer;
            yield return (i & 6) switch
            {
                0 => Revocation.Token($"{i:x8}-4a2f-4c11-9e3d-0f6a1b2c3d4e", later, issuer),
                2 => Revocation.OrganisationIssuedBefore($"org-{i:x8}", now, issuer),
                4 => Revocation.WorkspaceIssuedBefore(BenchmarkTokens.Organisation, $"ws-{i:x8}", now, issuer),
                _ => Revocation.UserIssuedBefore(BenchmarkTokens.Organisation, $"user-{i:x8}@example.com", now, issuer),
            };
        }
    }
}
