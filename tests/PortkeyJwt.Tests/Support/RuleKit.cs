using System.Text;

namespace PortkeyJwt.Tests.Support;

/// <summary>
/// Helpers for the validation-rule specs: raw JSON surgery, segment surgery, extra keys, and assertions that pin the
/// exact error and HTTP status of a result.
/// </summary>
internal static class RuleKit
{
    private static readonly Lazy<TestKey> LazyEc256 = new(() => TestKey.Ec("test-ec-256", "ES256"));
    private static readonly Lazy<TestKey> LazyEc384 = new(() => TestKey.Ec("test-ec-384", "ES384"));
    private static readonly Lazy<TestKey> LazyEc521 = new(() => TestKey.Ec("test-ec-521", "ES512"));
    private static readonly Lazy<TestKey> LazyRsa3072 = new(() => TestKey.Rsa("test-rsa-3072", 3072));
    private static readonly Lazy<TestKey> LazySecondRsa = new(() => TestKey.Rsa("test-rsa-second"));
    private static readonly Lazy<TestKey> LazyImpostor = new(() => TestKey.Rsa(TestKey.Default.Kid));

    /// <summary>An EC P-256 key (ES256).</summary>
    public static TestKey Ec256 => LazyEc256.Value;

    /// <summary>An EC P-384 key (ES384).</summary>
    public static TestKey Ec384 => LazyEc384.Value;

    /// <summary>An EC P-521 key (ES512).</summary>
    public static TestKey Ec521 => LazyEc521.Value;

    /// <summary>An RSA-3072 key.</summary>
    public static TestKey Rsa3072 => LazyRsa3072.Value;

    /// <summary>A second RSA-2048 key with its own kid.</summary>
    public static TestKey SecondRsa => LazySecondRsa.Value;

    /// <summary>An attacker's RSA-2048 key that claims the kid of <see cref="TestKey.Default"/>.</summary>
    public static TestKey Impostor => LazyImpostor.Value;

    /// <summary>Every algorithm the library supports, for validators that should get as far as the signature.</summary>
    public static PortkeyJwtOptions AllAlgorithms() => new()
    {
        AllowedAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"],
    };

    /// <summary>The default header as raw JSON text.</summary>
    public static string HeaderJson(TestKey? key = null) => Tokens.Header(key ?? TestKey.Default).ToJsonString();

    /// <summary>The default claims as raw JSON text.</summary>
    public static string ClaimsJson() => Tokens.Claims().ToJsonString();

    /// <summary>
    /// <paramref name="json"/> (an object) without member <paramref name="name"/>, then with <c>"name":rawValue</c> appended
    /// verbatim when <paramref name="rawValue"/> is not null. Lets a test write values JsonNode cannot (1e400, "\ud800").
    /// </summary>
    public static string WithRaw(string json, string name, string? rawValue)
    {
        var source = (JsonObject)JsonNode.Parse(json)!;
        string without = source.With((name, null)).ToJsonString();
        return rawValue is null ? without : Append(without, $"\"{name}\":{rawValue}");
    }

    /// <summary>Default claims with one member replaced by raw JSON (or removed when <paramref name="rawValue"/> is null).</summary>
    public static string ClaimsWithRaw(string name, string? rawValue) => WithRaw(ClaimsJson(), name, rawValue);

    /// <summary>Default header with one member replaced by raw JSON (or removed when <paramref name="rawValue"/> is null).</summary>
    public static string HeaderWithRaw(string name, string? rawValue, TestKey? key = null) => WithRaw(HeaderJson(key), name, rawValue);

    /// <summary>Appends raw members (<c>"a":1,"b":2</c>) to a JSON object's text, keeping everything already there.</summary>
    public static string Append(string objectJson, string rawMembers)
    {
        int close = objectJson.LastIndexOf('}');
        string body = objectJson[..close].TrimEnd();
        string separator = body.EndsWith('{') ? string.Empty : ",";
        return body + separator + rawMembers + "}";
    }

    /// <summary>A compact JWS over exact header and payload bytes (which need not be UTF-8), signed by <paramref name="key"/>.</summary>
    public static string SignBytes(TestKey key, byte[] header, byte[] payload, string? algorithm = null)
    {
        string signingInput = TestKey.B64(header) + "." + TestKey.B64(payload);
        return signingInput + "." + TestKey.B64(key.Sign(algorithm ?? key.Algorithm, Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>The token with segment <paramref name="index"/> (0 header, 1 payload, 2 signature) replaced verbatim.</summary>
    public static string WithSegment(string token, int index, string segment)
    {
        string[] parts = token.Split('.');
        parts[index] = segment;
        return string.Join('.', parts);
    }

    /// <summary>The token's segment <paramref name="index"/>.</summary>
    public static string Segment(string token, int index) => token.Split('.')[index];

    /// <summary>The decoded signature bytes of a well-formed token.</summary>
    public static byte[] SignatureBytes(string token) => System.Buffers.Text.Base64Url.DecodeFromChars(Segment(token, 2));

    /// <summary>The token with its signature replaced by <paramref name="signature"/>, canonically encoded.</summary>
    public static string WithSignature(string token, byte[] signature) => WithSegment(token, 2, TestKey.B64(signature));

    /// <summary>
    /// Sets an unused low bit of the last character of a segment whose length is 2 or 3 mod 4: the segment still decodes
    /// to the same bytes with a lenient decoder, but is not the canonical encoding.
    /// </summary>
    public static string NonCanonicalTail(string segment)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        if (segment.Length % 4 is 0 or 1)
        {
            throw new ArgumentException("Only a segment of length 2 or 3 mod 4 has unused bits.", nameof(segment));
        }

        int value = alphabet.IndexOf(segment[^1], StringComparison.Ordinal);
        return segment[..^1] + alphabet[value | 1];
    }

    /// <summary>Validates and requires synchronous completion, as it must for a static key set.</summary>
    public static PortkeyJwtResult ValidateNow(this PortkeyJwtValidator validator, string token, IReadOnlyList<string>? requiredScopes = null)
    {
        ValueTask<PortkeyJwtResult> pending = validator.ValidateAsync(token, requiredScopes);
        return pending.IsCompletedSuccessfully
            ? pending.Result
            : throw new Xunit.Sdk.XunitException("A validation over a static key set completes synchronously.");
    }

    /// <summary>Validates with a default validator (RS256, <see cref="TestKey.Default"/>, clock at <see cref="Tokens.Now"/>).</summary>
    public static PortkeyJwtResult ValidateDefault(string token) => Tokens.Validator().ValidateNow(token);

    /// <summary>Asserts a rejection with exactly <paramref name="expected"/> and the status code that error maps to.</summary>
    public static void AssertRejected(PortkeyJwtError expected, PortkeyJwtResult result)
    {
        Assert.Equal(expected, result.Error);
        Assert.False(result.IsValid);
        Assert.Null(result.Principal);
        Assert.Equal(expected == PortkeyJwtError.InsufficientScope ? 403 : 401, result.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(result.Detail));
    }

    /// <summary>
    /// Asserts a rejection by exactly the rule behind <paramref name="expected"/> (one of <c>Internal.Failures</c>): its
    /// error and its detail, which names the rule. <paramref name="row"/> names the theory row in the failure message.
    /// </summary>
    public static void AssertRejectedBy(PortkeyJwtResult expected, PortkeyJwtResult result, string row)
    {
        AssertRejected(expected.Error, result);
        Assert.True(expected.Detail == result.Detail, $"Row '{row}': expected the rule \"{expected.Detail}\", got \"{result.Detail}\".");
    }

    /// <summary>Asserts a valid result and returns its principal.</summary>
    public static PortkeyPrincipal AssertValid(PortkeyJwtResult result)
    {
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(PortkeyJwtError.None, result.Error);
        Assert.Equal(200, result.StatusCode);
        return result.Principal;
    }
}
