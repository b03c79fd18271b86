using System.Reflection;

namespace PortkeyJwt.Fuzz;

/// <summary>
/// What the harness carries: the public JWKS the seed tokens were signed for (written by <c>seed</c>, private parts
/// discarded), the valid seed tokens used as probes, and the two option sets every token is checked under.
/// </summary>
internal static class HarnessData
{
    public const string RsaKid = "fuzz-rsa";
    public const string Ec256Kid = "fuzz-ec256";
    public const string Ec384Kid = "fuzz-ec384";
    public const string Ec521Kid = "fuzz-ec521";

    public const string Issuer = "https://issuer.fuzz.example";
    public const string Audience = "gateway";

    /// <summary>Scopes the broad validator requires per call (on top of <see cref="BroadOptions"/>' own).</summary>
    public static readonly string[] CallScopes = ["logs.view"];

    /// <summary>The valid seed tokens (file name, kid); each must validate under both option sets at <see cref="FixedClock.SeedTime"/>.</summary>
    public static readonly (string File, string Kid)[] ProbeFiles =
    [
        ("valid-rs256.jwt", RsaKid),
        ("valid-ps512.jwt", RsaKid),
        ("valid-es256.jwt", Ec256Kid),
        ("valid-es384.jwt", Ec384Kid),
        ("valid-es512.jwt", Ec521Kid),
    ];

    private static readonly Lazy<string> LazyJwks = new(() => ReadResource("harness-jwks.json"));

    private static readonly Lazy<(string Token, string Kid)[]> LazyProbes =
        new(() => [.. ProbeFiles.Select(p => (ReadResource(p.File).Trim(), p.Kid))]);

    /// <summary>The harness's public JWKS.</summary>
    public static string Jwks => LazyJwks.Value;

    /// <summary>The valid seed tokens and the kid each names.</summary>
    public static IReadOnlyList<(string Token, string Kid)> Probes => LazyProbes.Value;

    /// <summary>The library's defaults: RS256 only, <c>typ</c> JWT required, the validation cache on.</summary>
    public static PortkeyJwtOptions StrictOptions() => new();

    /// <summary>Everything switched on: every algorithm, issuer, audience and scope checks, no <c>typ</c> rule, no cache.</summary>
    public static PortkeyJwtOptions BroadOptions() => new()
    {
        AllowedAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"],
        RequiredType = null,
        ValidIssuers = [Issuer],
        ValidAudiences = [Audience],
        RequiredScopes = ["completions.write"],
        MaxTokenLength = 256 * 1024,
        ClockSkew = PortkeyJwtOptions.MaxClockSkew,
        ValidationCache = false,
    };

    private static string ReadResource(string name)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The harness resource '{name}' is missing; run 'seed' and rebuild.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
