using System.Text;

namespace PortkeyJwt.Fuzz;

/// <summary>
/// The input, as UTF-8 text, is a compact token for the full public path
/// (<see cref="PortkeyJwtValidator.ValidateAsync(string, CancellationToken)"/>) over the harness's public JWKS.
/// Only the seed tokens can be valid; everything the fuzzer derives from them tests structure, header policy,
/// base64url, key selection and signature checks.
/// </summary>
internal sealed class TokenTarget : IFuzzTarget
{
    private readonly TokenOracle _oracle = new(HarnessData.Jwks, FixedClock.AtSeedTime);

    public string? Run(ReadOnlySpan<byte> input, bool describe = false)
    {
        var results = _oracle.Check(Encoding.UTF8.GetString(input));
        return describe ? TokenOracle.Describe(results) : null;
    }

    public void WarmUp()
    {
        foreach ((string token, _) in HarnessData.Probes)
        {
            // Every probe is valid under the broad options; the strict (default) options accept RS256 only.
            Checks.Require(_oracle.Check(token).Broad.IsValid, "a valid seed token does not validate; run 'seed' and rebuild");
        }

        _oracle.Check("eyJhbGciOiJub25lIn0.e30.");
    }
}
