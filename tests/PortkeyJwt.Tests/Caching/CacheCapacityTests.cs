using Microsoft.Extensions.Time.Testing;
using PortkeyJwt.Internal;

namespace PortkeyJwt.Tests.Caching;

/// <summary>
/// The validated-token cache when more tokens are live than it holds: the bound is never exceeded, tokens in use stay
/// resident while one-time tokens pass, a token seen often enough gets in, idle entries age out, and expired entries give
/// up their slots. A set holds 8 entries, so most specs fill one set on purpose (the token hash is randomised per process).
/// </summary>
public sealed class CacheCapacityTests
{
    private const int Capacity = 16; // the smallest ValidationCacheSize: 4 sets of 8 slots

    private const int Ways = 8;

    [Fact]
    public void CycledWorkingSet_FourTimesTheCapacity_NeverHoldsMoreThanTheCapacity()
    {
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { ValidationCacheSize = Capacity });
        string[] tokens = Distinct(4 * Capacity, "cycled");

        for (int pass = 0; pass < 5; pass++)
        {
            foreach (string token in tokens)
            {
                RuleKit.AssertValid(validator.ValidateNow(token));
                Assert.InRange(Cache(validator).Count, 0, Capacity);
            }
        }

        Assert.InRange(tokens.Count(Cache(validator).Contains), 1, Capacity);
    }

    /// <summary>Admission: without it, each one-time token would replace its set's least used entry, a token in use.</summary>
    [Fact]
    public void TokensInUse_StayResident_WhileAScanOfOneTimeTokensPasses()
    {
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { ValidationCacheSize = Capacity });
        string[] hot = InOneSet(validator, Ways, "hot", set: 0);
        Dictionary<string, PortkeyJwtResult> first = hot.ToDictionary(t => t, t => validator.ValidateNow(t));
        string[] scan = InOneSet(validator, 100, "scan", set: 0);

        for (int i = 0; i < scan.Length; i++)
        {
            if (i % 10 == 0)
            {
                Assert.All(hot, token => Assert.Same(first[token], validator.ValidateNow(token))); // in use: hits
            }

            RuleKit.AssertValid(validator.ValidateNow(scan[i]));
        }

        Assert.All(hot, token => Assert.Same(first[token], validator.ValidateNow(token)));
        Assert.DoesNotContain(scan, Cache(validator).Contains);
    }

    /// <summary>The frequency sketch: a token that keeps coming back beats an entry used less, so a full set still learns.</summary>
    [Fact]
    public void FullSet_AdmitsATokenSeenMoreOftenThanItsLeastUsedEntry()
    {
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { ValidationCacheSize = Capacity });
        string[] fill = InOneSet(validator, Ways + 1, "fill", set: 1);
        string returning = fill[^1];
        foreach (string once in fill[..^1])
        {
            RuleKit.AssertValid(validator.ValidateNow(once));
        }

        RuleKit.AssertValid(validator.ValidateNow(returning));
        Assert.False(Cache(validator).Contains(returning)); // seen once: no more than the entries it would replace

        for (int i = 0; i < 3 && !Cache(validator).Contains(returning); i++)
        {
            RuleKit.AssertValid(validator.ValidateNow(returning));
        }

        Assert.True(Cache(validator).Contains(returning));
        Assert.Equal(Ways - 1, fill[..^1].Count(Cache(validator).Contains)); // it replaced one entry
    }

    /// <summary>Aging: hit counts halve as misses accumulate, so entries used heavily once cannot hold their set forever.</summary>
    [Fact]
    public void EntriesNoLongerUsed_AgeOut_SoANewFrequentTokenGetsIn()
    {
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { ValidationCacheSize = Capacity });
        string[] old = InOneSet(validator, Ways + 1, "old", set: 2);
        string fresh = old[^1];
        foreach (string token in old[..^1].SelectMany(t => Enumerable.Repeat(t, 20)))
        {
            RuleKit.AssertValid(validator.ValidateNow(token)); // each entry's hit count saturates
        }

        int validations = 0;
        while (!Cache(validator).Contains(fresh) && validations < 1_000)
        {
            RuleKit.AssertValid(validator.ValidateNow(fresh));
            validations++;
        }

        Assert.True(Cache(validator).Contains(fresh), $"not admitted after {validations} validations");
        Assert.InRange(validations, 2, 1_000); // a saturated count first, then one aging sweep (128 misses at this size)
    }

    /// <summary>An expired entry still counts until dropped, but gives its slot to the next token of its set.</summary>
    [Fact]
    public void ExpiredEntries_GiveTheirSlotsToNewTokens()
    {
        FakeTimeProvider clock = Tokens.Clock();
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { ValidationCacheSize = Capacity, ValidationCacheDuration = TimeSpan.FromMinutes(1) }, clock);
        string[] tokens = InOneSet(validator, 2 * Ways, "set", set: 3);
        foreach (string token in tokens[..Ways].SelectMany(t => Enumerable.Repeat(t, 4)))
        {
            RuleKit.AssertValid(validator.ValidateNow(token));
        }

        clock.Advance(TimeSpan.FromSeconds(61));
        foreach (string token in tokens[Ways..])
        {
            RuleKit.AssertValid(validator.ValidateNow(token)); // seen once: admitted only because the entries expired
        }

        Assert.All(tokens[Ways..], token => Assert.True(Cache(validator).Contains(token)));
        Assert.Equal(Ways, Cache(validator).Count);
    }

    [Fact]
    public void ExpiredEntry_IsAMiss_AndRevalidatedAtOnce()
    {
        FakeTimeProvider clock = Tokens.Clock();
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { ValidationCacheDuration = TimeSpan.FromMinutes(1) }, clock);
        string token = Tokens.Mint();
        PortkeyJwtResult first = validator.ValidateNow(token);

        clock.Advance(TimeSpan.FromSeconds(60)); // the entry lasts [added, added + 1 minute)
        Assert.False(Cache(validator).Contains(token));
        PortkeyJwtResult second = validator.ValidateNow(token);
        PortkeyJwtResult third = validator.ValidateNow(token);

        Assert.NotSame(first, second);
        Assert.Same(second, third);
        Assert.Equal(1, Cache(validator).Count);
    }

    [Fact]
    public void FullCache_WithFreeSlotsInTheSet_StillHoldsNoMoreThanTheCapacity()
    {
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { ValidationCacheSize = Capacity });
        // Sets 0 and 1 full (16 entries: the capacity), so a token of set 2, whose slots are all free, has no room.
        string[] full = [.. InOneSet(validator, Ways, "a", set: 0), .. InOneSet(validator, Ways, "b", set: 1)];
        foreach (string token in full)
        {
            RuleKit.AssertValid(validator.ValidateNow(token));
        }

        string[] other = InOneSet(validator, 3, "c", set: 2);
        foreach (string token in other.SelectMany(t => Enumerable.Repeat(t, 3)))
        {
            RuleKit.AssertValid(validator.ValidateNow(token));
        }

        Assert.Equal(Capacity, Cache(validator).Count);
        Assert.DoesNotContain(other, Cache(validator).Contains);
    }

    private static string[] Distinct(int count, string prefix) =>
        [.. Enumerable.Range(0, count).Select(i => Tokens.Mint(Tokens.Claims().With(("jti", $"{prefix}-{i}"))))];

    /// <summary><paramref name="count"/> distinct tokens that all belong to one set of <paramref name="validator"/>'s cache.</summary>
    private static string[] InOneSet(PortkeyJwtValidator validator, int count, string prefix, int set) =>
        [.. Enumerable.Range(0, int.MaxValue)
            .Select(i => Tokens.Mint(Tokens.Claims().With(("jti", $"{prefix}-{i}"))))
            .Where(token => Cache(validator).SetOf(token) == set)
            .Take(count)];

    private static ValidationCache Cache(PortkeyJwtValidator validator) => validator.Cache!;
}
