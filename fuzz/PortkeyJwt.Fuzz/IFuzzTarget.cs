namespace PortkeyJwt.Fuzz;

/// <summary>One fuzz target: a function of the input bytes that throws when the library breaks a promise.</summary>
internal interface IFuzzTarget
{
    /// <summary>
    /// Runs one input; throws <see cref="InvariantViolationException"/> (or lets the library's exception escape) on a finding.
    /// With <paramref name="describe"/>, returns what the library answered (for replay); otherwise null.
    /// </summary>
    string? Run(ReadOnlySpan<byte> input, bool describe = false);

    /// <summary>Runs a few known inputs once, so that JIT compilation and one-time setup do not count against the time limit.</summary>
    void WarmUp();
}

/// <summary>The targets by name.</summary>
internal static class FuzzTargets
{
    public static readonly string[] Names = ["tokens", "signed", "jwks"];

    public static IFuzzTarget? Create(string name) => name switch
    {
        "tokens" => new TokenTarget(),
        "signed" => new SignedTarget(),
        "jwks" => new JwksTarget(),
        _ => null,
    };
}
