using System.Text;

namespace PortkeyJwt.Internal;

/// <summary>An immutable, checked copy of <see cref="PortkeyJwtOptions"/>, with values pre-encoded for the hot path.</summary>
internal sealed class ValidationSettings
{
    public const int MinMaxTokenLength = 256;
    public const int MaxMaxTokenLength = 256 * 1024;

    public ValidationSettings(PortkeyJwtOptions options, AnchorPolicy? anchor = null)
    {
        ArgumentNullException.ThrowIfNull(options);

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > PortkeyJwtOptions.MaxClockSkew)
        {
            throw new ArgumentOutOfRangeException(nameof(PortkeyJwtOptions.ClockSkew), options.ClockSkew, "ClockSkew must be from zero to 5 minutes.");
        }

        if (options.MaxTokenLength is < MinMaxTokenLength or > MaxMaxTokenLength)
        {
            throw new ArgumentOutOfRangeException(nameof(PortkeyJwtOptions.MaxTokenLength), options.MaxTokenLength, $"MaxTokenLength must be from {MinMaxTokenLength} to {MaxMaxTokenLength} characters.");
        }

        if (options.MinimumRsaKeySize is < JwksParser.MinimumRsaKeySize or > JwksParser.MaximumRsaKeySize)
        {
            throw new ArgumentOutOfRangeException(nameof(PortkeyJwtOptions.MinimumRsaKeySize), options.MinimumRsaKeySize, $"MinimumRsaKeySize must be from {JwksParser.MinimumRsaKeySize} to {JwksParser.MaximumRsaKeySize} bits.");
        }

        if (options.ValidationCacheDuration < TimeSpan.FromSeconds(1) || options.ValidationCacheDuration > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(PortkeyJwtOptions.ValidationCacheDuration), options.ValidationCacheDuration, "ValidationCacheDuration must be from 1 second to 1 hour.");
        }

        if (options.ValidationCacheSize is < 16 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(PortkeyJwtOptions.ValidationCacheSize), options.ValidationCacheSize, "ValidationCacheSize must be from 16 to 1,000,000.");
        }

        ValidationCache = options.ValidationCache;
        ValidationCacheDuration = options.ValidationCacheDuration;
        ValidationCacheSize = options.ValidationCacheSize;
        TagMetricsWithIssuer = options.TagMetricsWithIssuer;
        ClockSkewMilliseconds = (long)options.ClockSkew.TotalMilliseconds;
        MaxTokenLength = options.MaxTokenLength;
        MinimumRsaKeySize = options.MinimumRsaKeySize;
        AllowedAlgorithms = ParseAlgorithms(options.AllowedAlgorithms);
        RequiredType = ParseType(options.RequiredType);
        ValidIssuers = CopyNonEmpty(options.ValidIssuers, nameof(PortkeyJwtOptions.ValidIssuers));
        ValidIssuersUtf8 = [.. ValidIssuers.Select(Encoding.UTF8.GetBytes)];
        string[] audiences = CopyNonEmpty(options.ValidAudiences, nameof(PortkeyJwtOptions.ValidAudiences));
        ValidAudiencesUtf8 = [.. audiences.Select(Encoding.UTF8.GetBytes)];
        ValidAudienceLists = [.. audiences.Select(a => (IReadOnlyList<string>)Array.AsReadOnly(new[] { a }))];
        Capture = ClaimCapture.FromOptions(options);
        Revocations = options.Revocations;
        RequiredScopes = ParseScopes(options.RequiredScopes, nameof(PortkeyJwtOptions.RequiredScopes));
        MissingRequiredScope = [.. RequiredScopes.Select(Failures.MissingScope)];
        Anchor = anchor;
    }

    /// <summary>The claim policy of the trust anchor these settings belong to; null for a single-provider validator.</summary>
    public AnchorPolicy? Anchor { get; }

    public long ClockSkewMilliseconds { get; }

    public bool ValidationCache { get; }

    public TimeSpan ValidationCacheDuration { get; }

    public int ValidationCacheSize { get; }

    /// <summary>Whether validation metrics carry the routed anchor's issuer (<see cref="PortkeyJwtOptions.TagMetricsWithIssuer"/>).</summary>
    public bool TagMetricsWithIssuer { get; }

    public int MaxTokenLength { get; }

    public int MinimumRsaKeySize { get; }

    public JwsAlgorithmSet AllowedAlgorithms { get; }

    /// <summary>The required <c>typ</c> in upper case without an <c>application/</c> prefix, as ASCII bytes; null when not checked.</summary>
    public byte[]? RequiredType { get; }

    public string[] ValidIssuers { get; }

    public byte[][] ValidIssuersUtf8 { get; }

    public byte[][] ValidAudiencesUtf8 { get; }

    /// <summary>
    /// For each of the valid audiences, by index, a one-element list holding it: the principal's
    /// <see cref="PortkeyPrincipal.Audiences"/> when <c>aud</c> is that one string, the usual case, so reading it allocates nothing.
    /// </summary>
    public IReadOnlyList<string>[] ValidAudienceLists { get; }

    /// <summary>The revocations every valid token is checked against; null for none.</summary>
    public RevocationList? Revocations { get; }

    /// <summary>The claims captured beyond those checked, and the roles; null when the options ask for none.</summary>
    public ClaimCapture? Capture { get; }

    /// <summary>Normalised required scopes from the options.</summary>
    public string[] RequiredScopes { get; }

    /// <summary>The prebuilt rejection for each of <see cref="RequiredScopes"/>, by index.</summary>
    public PortkeyJwtResult[] MissingRequiredScope { get; }

    /// <summary>Normalises and checks scope names; throws naming <paramref name="optionName"/> on a bad one.</summary>
    public static string[] ParseScopes(IEnumerable<string>? scopes, string optionName)
    {
        var result = new List<string>();
        foreach (string? scope in scopes ?? [])
        {
            ReadOnlySpan<char> normalised = ScopeNames.Normalise(scope ?? string.Empty);
            if (!ScopeNames.IsValidToken(normalised))
            {
                throw new ArgumentOutOfRangeException(optionName, scope, "A scope must be printable ASCII without spaces, quotes or backslashes.");
            }

            string name = normalised.ToString();
            if (!result.Contains(name, StringComparer.Ordinal))
            {
                result.Add(name);
            }
        }

        return [.. result];
    }

    private static JwsAlgorithmSet ParseAlgorithms(IList<string>? names)
    {
        const string option = nameof(PortkeyJwtOptions.AllowedAlgorithms);
        if (names is null || names.Count == 0)
        {
            throw new ArgumentOutOfRangeException(option, "At least one algorithm must be allowed.");
        }

        JwsAlgorithmSet set = JwsAlgorithmSet.Empty;
        foreach (string name in names)
        {
            if (name is null || JwsAlgorithms.IsForbidden(name))
            {
                throw new ArgumentOutOfRangeException(option, name, "'none' and HMAC algorithms are never accepted: a gateway must not share a secret with the issuer.");
            }

            JwsAlgorithm algorithm = JwsAlgorithms.Parse(name.AsSpan());
            if (algorithm == JwsAlgorithm.None)
            {
                throw new ArgumentOutOfRangeException(option, name, $"Unknown algorithm; supported: {string.Join(", ", JwsAlgorithms.SupportedNames)}.");
            }

            set = set.Add(algorithm);
        }

        return set;
    }

    private static byte[]? ParseType(string? type)
    {
        if (type is null)
        {
            return null;
        }

        string bare = type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) ? type["application/".Length..] : type;
        if (bare.Length == 0 || !System.Text.Ascii.IsValid(bare) || bare.Any(c => c <= ' ' || c > '~'))
        {
            throw new ArgumentOutOfRangeException(nameof(PortkeyJwtOptions.RequiredType), type, "RequiredType must be a non-empty printable ASCII media type, or null.");
        }

        return Encoding.ASCII.GetBytes(bare.ToUpperInvariant());
    }

    private static string[] CopyNonEmpty(IList<string>? values, string optionName)
    {
        string[] copy = [.. values ?? []];
        if (copy.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentOutOfRangeException(optionName, "Values must be non-empty strings.");
        }

        return copy;
    }
}
