using System.Text;
using static PortkeyJwt.Fuzz.Checks;

namespace PortkeyJwt.Fuzz;

/// <summary>
/// The input, as UTF-8 text, is a JWKS document for <see cref="JwksKeyProvider.FromJson"/>, whose only permitted
/// exception is <see cref="ArgumentException"/> itself (a subclass would mean an unchecked argument deep inside).
/// A document that loads must hold 1 to <see cref="JwksKeyProvider.MaxKeys"/> keys with sane kids, and the valid seed
/// tokens are validated against it: no exception, synchronous, and valid only when their kid is in the set.
/// </summary>
internal sealed class JwksTarget : IFuzzTarget
{
    private const int MaxKeyIdLength = 256;

    public string? Run(ReadOnlySpan<byte> input, bool describe = false)
    {
        string json = Encoding.UTF8.GetString(input);
        JwksKeyProvider? provider = Timed("JwksKeyProvider.FromJson", () => Load(json));
        if (provider is null)
        {
            return describe ? "rejected (ArgumentException)" : null;
        }

        var verdicts = describe ? new List<string>() : null;

        using (provider)
        {
            int count = provider.KeyCount;
            IReadOnlyCollection<string> kids = provider.KeyIds;
            Require(count is >= 1 and <= JwksKeyProvider.MaxKeys, $"a loaded key set holds {count} keys");
            Require(kids.Count == count, $"KeyIds has {kids.Count} entries for {count} keys");
            Require(kids.All(k => k.Length is >= 1 and <= MaxKeyIdLength), "a loaded key has an empty or over-long kid");
            Require(provider.Status is { IsAvailable: true, KeyCount: var statusCount } && statusCount == count, "the status disagrees with the key set");

            var validator = new PortkeyJwtValidator(provider, HarnessData.BroadOptions(), FixedClock.AtSeedTime);
            foreach ((string token, string kid) in HarnessData.Probes)
            {
                PortkeyJwtResult? result = Timed("probe validation", () => NoExceptionRaised("probe validation", () => TokenOracle.Synchronous(validator.ValidateAsync(token, HarnessData.CallScopes))));
                Require(result is not null, "a probe validation did not complete synchronously over a fixed key set");
                Require(!result!.IsValid || (kids.Contains(kid) && result.Principal.KeyId == kid), $"a probe token for kid '{kid}' validated against a set without it");
                Require(result.IsValid || result.Error != PortkeyJwtError.None, "an invalid probe result has no error");
                verdicts?.Add(result.IsValid ? "valid" : result.Error.ToString());
            }

            return describe ? $"{provider.KeyCount} keys [{string.Join(", ", provider.KeyIds)}]; probes: {string.Join(", ", verdicts!)}" : null;
        }
    }

    public void WarmUp()
    {
        Run(Encoding.UTF8.GetBytes(HarnessData.Jwks));
        Run("""{"keys":[]}"""u8);
    }

    private static JwksKeyProvider? Load(string json)
    {
        try
        {
            return JwksKeyProvider.FromJson(json);
        }
        catch (ArgumentException e) when (e.GetType() == typeof(ArgumentException))
        {
            return null; // the documented rejection
        }
    }
}
