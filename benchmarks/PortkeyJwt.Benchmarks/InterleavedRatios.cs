// Run: part of the CI gate (dotnet run -c Release --project benchmarks/PortkeyJwt.Benchmarks -- --ci), or alone with -- --ratios.

namespace PortkeyJwt.Benchmarks;

/// <summary>
/// The time ratios the gate holds at their targets, measured interleaved. BenchmarkDotNet runs its cases one after
/// another, and on the 2-vCPU CI VM two cases a minute apart differ by ±20 %, so a ratio of two such cases says more
/// about the neighbours than the code (bad signature once came out at 0.91× the very verification it performs). Here the
/// floor (RSA PKCS#1 v1.5 SHA-256 verification of the signing input, key imported) and each case run in blocks of
/// <see cref="CallsPerBlock"/> calls, one after another in every round (the order rotated each round), for
/// <see cref="Duration"/>; interference only ever adds time, so each ratio compares the mean of the fastest
/// <see cref="Interleaved.FastestShare"/> of the case's blocks with that of the floor's. Cases: a valid token with the validated-token
/// cache off, an expired token, <c>JsonWebTokenHandler</c> with its principal (for the README), and the method's sanity
/// check: a bad signature against the floor's own failing verification of the same bytes, which must read 1.00 within
/// the margin. (OpenSSL's failing verification costs about 230 ns more than a successful one: 20.51 against 20.28 µs
/// here, so a bad signature compared with a successful floor reads 1.03 for no fault of the validator's.)
/// Where valid (cache off) spends its time beyond the floor, measured this way on the 2-vCPU CI VM (2026-12-04; floor
/// 16.0-16.2 µs, valid 1.045-1.046×, about 0.74 µs above it), split by the cases that stop earlier: about 0.19 µs up to
/// the signature (bad signature 1.012× the failing floor: the call's entry and metrics, the token to ASCII, its header
/// matched against the headers of tokens verified lately, which skips decoding and reading it and finding the key, the
/// dots found, payload and signature base64url-decoded in one strict pass each), about 0.26 µs from the signature to the
/// lifetime check (expired 1.028×: the payload scanned once for every claim, about 0.1 µs, exp/nbf/iat read, one clock
/// read) and about 0.29 µs reading the rest into a principal (issuer and audience compared as bytes, organisation,
/// workspace, scopes, audience list, email and subject found by their bytes in the validator's claim pools, about 50 ns of
/// hashing and lookups, jti as a new string, the principal, 288 B in all). With the verification stubbed out (a scratch
/// build) the same code takes 0.49 µs, so about a third of the overhead is the cache and branch state the RSA
/// verification leaves behind rather than instructions of ours.
/// </summary>
internal static class InterleavedRatios
{
    private const int CallsPerBlock = 20;

    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(24);

    /// <summary>Warms every case up, then interleaves blocks for <see cref="Duration"/>.</summary>
    public static Result Measure()
    {
        var cases = new ValidationBenchmarks();
        cases.Setup();
        Func<bool>[] run =
        [
            cases.RawRsaVerify,
            () => !cases.RawRsaVerifyBadSignature(),
            () => cases.Valid().IsValid,
            () => cases.BadSignature().Error == PortkeyJwtError.InvalidSignature,
            () => cases.Expired().Error == PortkeyJwtError.Expired,
            () => cases.JsonWebTokenHandler().Result.OrganisationId is not null,
        ];

        (double[] fastest, int rounds) = Interleaved.Measure(run, CallsPerBlock, Duration, TimeSpan.FromSeconds(2));
        cases.Cleanup();
        return new Result(fastest[0], fastest[2] / fastest[0], fastest[3] / fastest[1], fastest[4] / fastest[0], fastest[5] / fastest[0], fastest[1] / fastest[0], rounds);
    }

    /// <summary>
    /// The floor's fastest blocks (ns per verification), each case's ratio to it (bad signature's to the failing floor),
    /// the failing floor's ratio to the floor, and the rounds run.
    /// </summary>
    public sealed record Result(double FloorNs, double Valid, double BadSignature, double Expired, double JsonWebTokenHandler, double FailingFloor, int Rounds);
}
