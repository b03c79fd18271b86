using System.Buffers.Text;
using System.Diagnostics;

namespace PortkeyJwt.Tests.Hardening;

/// <summary>
/// Property-based specs (FsCheck): valid claim sets always validate to the principal they describe; no edit of a valid
/// token's text is ever accepted unless it leaves the decoded bytes as they were; hostile JSON is never accepted, never
/// throws and never hangs. <see cref="PropertyConfig.Runs"/> cases each (300 by default; <c>PORTKEYJWT_PROPERTY_RUNS</c> for more).
/// </summary>
public sealed class PropertyTests
{
    /// <summary>A validation taking longer than this is a hang, not slowness; a generous bound, checked twice.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMilliseconds(100);

    private static readonly Lazy<PortkeyJwtValidator> LazyValidator = new(() => Warm(Tokens.Validator(new PortkeyJwtOptions { ValidationCache = false })));

    /// <summary>Tokens up to 256 KiB, so big hostile JSON reaches the parser instead of the size check.</summary>
    private static readonly Lazy<PortkeyJwtValidator> LazyLargeValidator = new(() => Warm(Tokens.Validator(new PortkeyJwtOptions { ValidationCache = false, MaxTokenLength = 256 * 1024 })));

    private static readonly Lazy<string> LazyToken = new(() => Tokens.Mint());

    [HardeningProperty]
    public void ValidClaimSet_Validates_ToThePrincipalItDescribes(ClaimModel model)
    {
        string token = Tokens.Mint(model.ToClaims());

        PortkeyJwtResult result = LazyValidator.Value.ValidateNow(token);

        PortkeyPrincipal principal = RuleKit.AssertValid(result);
        Assert.Equal(model.Organisation, principal.OrganisationId);
        Assert.Equal(model.Workspace, principal.WorkspaceSlug);
        Assert.Equal(model.Email, principal.Email);
        Assert.Equal(model.Subject, principal.Subject);
        Assert.Equal(model.Uid, principal.Uid);
        Assert.Equal(model.ExpectedUserId, principal.UserId);
        Assert.Equal(model.ExpectedScopes, principal.Scopes);
        Assert.Equal(Milliseconds(model.Expires), principal.ExpiresAt);
        Assert.Equal(model.NotBefore is { } nbf ? Milliseconds(nbf) : null, principal.NotBefore);
        Assert.Equal(model.IssuedAt is { } iat ? Milliseconds(iat) : null, principal.IssuedAt);
        Assert.Equal(TestKey.Default.Kid, principal.KeyId);
        Assert.All(model.ExpectedScopes, scope => Assert.True(principal.HasScope("portkey." + scope)));
    }

    [HardeningProperty]
    public void MutatedToken_IsNeverValid_UnlessItsDecodedBytesAreUnchanged(Mutation mutation)
    {
        string original = LazyToken.Value;
        string mutated = mutation.Apply(original);

        PortkeyJwtResult result = TimedValidate(LazyValidator.Value, mutated);

        if (result.IsValid)
        {
            Assert.True(SameDecodedBytes(original, mutated), $"{mutation} was accepted: {mutated}");
        }
    }

    [HardeningProperty]
    public void HostileJson_SignedProperly_IsNeverValid_NeverThrows_NeverHangs(HostileJson json)
    {
        string token = RuleKit.SignBytes(TestKey.Default, json.Header, json.Payload);

        PortkeyJwtResult result = TimedValidate(LazyLargeValidator.Value, token);

        Assert.False(result.IsValid, $"accepted: {json}");
        Assert.NotEqual(PortkeyJwtError.None, result.Error);
    }

    /// <summary>The generators' own sanity: a mutation that changes nothing is recognised as such, so the property above is not vacuous.</summary>
    [Fact]
    public void SameDecodedBytes_TellsAnEditFromNoEdit()
    {
        string token = LazyToken.Value;

        Assert.True(SameDecodedBytes(token, token));
        Assert.False(SameDecodedBytes(token, token[..^1]));
        Assert.False(SameDecodedBytes(token, RuleKit.WithSegment(token, 1, RuleKit.Segment(token, 0))));
    }

    /// <summary>
    /// Validates, failing on any exception (a rejection is a value) and on a hang: over <see cref="HangGuard"/> twice in a
    /// row. A real hang repeats; a pause of the machine (GC, a busy CPU) does not.
    /// </summary>
    private static PortkeyJwtResult TimedValidate(PortkeyJwtValidator validator, string token)
    {
        TimeSpan first = Time(validator, token, out PortkeyJwtResult result);
        if (first >= HangGuard)
        {
            TimeSpan second = Time(validator, token, out result);
            Assert.True(second < HangGuard, $"validation took {first.TotalMilliseconds:0} ms, then {second.TotalMilliseconds:0} ms (token of {token.Length} characters)");
        }

        return result;
    }

    private static TimeSpan Time(PortkeyJwtValidator validator, string token, out PortkeyJwtResult result)
    {
        long started = Stopwatch.GetTimestamp();
        result = validator.ValidateNow(token);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Whether <paramref name="mutated"/> has three segments that decode (leniently) to exactly the original's bytes.</summary>
    private static bool SameDecodedBytes(string original, string mutated)
    {
        string[] a = original.Split('.');
        string[] b = mutated.Split('.');
        if (b.Length != 3)
        {
            return false;
        }

        for (int k = 0; k < 3; k++)
        {
            byte[]? decoded = TryDecode(b[k]);
            if (decoded is null || !decoded.AsSpan().SequenceEqual(Base64Url.DecodeFromChars(a[k])))
            {
                return false;
            }
        }

        return true;
    }

    private static byte[]? TryDecode(string segment)
    {
        try
        {
            return Base64Url.DecodeFromChars(segment);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static DateTimeOffset Milliseconds(decimal seconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)decimal.Floor(seconds * 1000));

    private static PortkeyJwtValidator Warm(PortkeyJwtValidator validator)
    {
        // JIT and key import happen here, not inside the first timed validation.
        for (int k = 0; k < 3; k++)
        {
            _ = validator.ValidateNow(Tokens.Mint());
            _ = validator.ValidateNow("e30.e30.e30");
        }

        return validator;
    }
}
