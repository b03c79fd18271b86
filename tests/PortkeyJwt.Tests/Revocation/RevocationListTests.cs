using Microsoft.Extensions.Time.Testing;
using PortkeyJwt.Internal;
using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Revocation;

/// <summary>
/// Rule 12: a token that would be valid is rejected with <see cref="PortkeyJwtError.Revoked"/> when the
/// <see cref="RevocationList"/> holds its <c>jti</c>, or a watermark of its organisation, workspace or user later than its
/// <c>iat</c>; a list that has not synced within its staleness bound fails closed (or open, when told to).
/// </summary>
public sealed class RevocationListTests
{
    private static readonly DateTimeOffset Later = Tokens.Now.AddHours(1);

    [Fact]
    public void Token_RevokedByJti_IsRevoked_OthersStayValid()
    {
        (PortkeyJwtValidator validator, RevocationList list, _) = Build();
        list.Add(PortkeyJwt.Revocation.Token("jti-1", Later));

        PortkeyJwtResult revoked = validator.ValidateNow(Token(("jti", "jti-1")));

        AssertRejected(PortkeyJwtError.Revoked, revoked);
        Assert.Equal(401, revoked.StatusCode);
        Assert.DoesNotContain("jti-1", revoked.Detail, StringComparison.Ordinal);
        AssertValid(validator.ValidateNow(Token(("jti", "jti-2"))));
        AssertValid(validator.ValidateNow(Token()));
    }

    [Fact]
    public void Token_RevokedForOneIssuer_StaysValidFromAnother()
    {
        (PortkeyJwtValidator validator, RevocationList list, _) = Build();
        list.Add(PortkeyJwt.Revocation.Token("jti-1", Later, issuer: "https://a.example"));

        AssertRejected(PortkeyJwtError.Revoked, validator.ValidateNow(Token(("jti", "jti-1"), ("iss", "https://a.example"))));
        AssertValid(validator.ValidateNow(Token(("jti", "jti-1"), ("iss", "https://b.example"))));
        AssertValid(validator.ValidateNow(Token(("jti", "jti-1"))));
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(0, false)] // issued at the watermark: after it, not before
    [InlineData(1, false)]
    public void OrganisationWatermark_RevokesTokensIssuedBeforeIt(int issuedRelativeToWatermark, bool revoked)
    {
        (PortkeyJwtValidator validator, RevocationList list, _) = Build();
        list.Add(PortkeyJwt.Revocation.OrganisationIssuedBefore("org-3f2a", Tokens.Now));

        PortkeyJwtResult result = validator.ValidateNow(Token(("iat", Tokens.NowSeconds + issuedRelativeToWatermark), ("nbf", null)));

        if (revoked)
        {
            AssertRejected(PortkeyJwtError.Revoked, result);
            Assert.Contains("organisation", result.Detail, StringComparison.Ordinal);
        }
        else
        {
            AssertValid(result);
        }
    }

    [Fact]
    public void OrganisationWatermark_LeavesOtherOrganisations()
    {
        (PortkeyJwtValidator validator, RevocationList list, _) = Build();
        list.Add(PortkeyJwt.Revocation.OrganisationIssuedBefore("org-other", Later));

        AssertValid(validator.ValidateNow(Token()));
    }

    [Fact]
    public void WorkspaceWatermark_RevokesOnlyThatWorkspace()
    {
        (PortkeyJwtValidator validator, RevocationList list, _) = Build();
        list.Add(PortkeyJwt.Revocation.WorkspaceIssuedBefore("org-3f2a", "ws-default", Later));

        AssertRejected(PortkeyJwtError.Revoked, validator.ValidateNow(Token()));
        AssertValid(validator.ValidateNow(Token(("portkey_workspace", "ws-other"))));
        AssertValid(validator.ValidateNow(Token(("portkey_oid", "org-other"))));
    }

    [Fact]
    public void UserWatermark_RevokesTheUserId_EmailElseSubElseUid()
    {
        (PortkeyJwtValidator validator, RevocationList list, _) = Build();
        list.Add(PortkeyJwt.Revocation.UserIssuedBefore("org-3f2a", "user-42", Later));

        AssertValid(validator.ValidateNow(Token())); // the user is email_id, not sub
        AssertRejected(PortkeyJwtError.Revoked, validator.ValidateNow(Token(("email_id", null)))); // now sub is the user
        AssertValid(validator.ValidateNow(Token(("email_id", null), ("portkey_oid", "org-other"))));
    }

    [Theory]
    [InlineData("organisation")]
    [InlineData("workspace")]
    [InlineData("user")]
    public void TokenWithoutIat_IsRevoked_OnceAWatermarkAppliesToIt(string kind)
    {
        (PortkeyJwtValidator validator, RevocationList list, _) = Build();
        AssertValid(validator.ValidateNow(Token(("iat", null))));

        list.Add(kind switch
        {
            "organisation" => PortkeyJwt.Revocation.OrganisationIssuedBefore("org-3f2a", Tokens.Now.AddYears(-10)),
            "workspace" => PortkeyJwt.Revocation.WorkspaceIssuedBefore("org-3f2a", "ws-default", Tokens.Now.AddYears(-10)),
            _ => PortkeyJwt.Revocation.UserIssuedBefore("org-3f2a", "dev@example.com", Tokens.Now.AddYears(-10)),
        });

        PortkeyJwtResult result = validator.ValidateNow(Token(("iat", null)));
        AssertRejected(PortkeyJwtError.Revoked, result);
        Assert.Contains("no 'iat'", result.Detail, StringComparison.Ordinal);
        AssertValid(validator.ValidateNow(Token())); // issued now, long after the watermark
    }

    [Fact]
    public void Watermark_OnlyMovesForward()
    {
        (PortkeyJwtValidator validator, RevocationList list, _) = Build();
        list.Add(PortkeyJwt.Revocation.OrganisationIssuedBefore("org-3f2a", Later));
        list.Add(PortkeyJwt.Revocation.OrganisationIssuedBefore("org-3f2a", Tokens.Now.AddHours(-1)));

        AssertRejected(PortkeyJwtError.Revoked, validator.ValidateNow(Token()));
        Assert.Equal(1, list.Count);
    }

    [Fact]
    public void CachedToken_IsRevokedOnItsNextUse()
    {
        var clock = Tokens.Clock();
        var list = new RevocationList(clock);
        var validator = Tokens.Validator(new PortkeyJwtOptions { Revocations = list }, clock);
        string token = Token(("jti", "jti-cached"));
        PortkeyJwtResult first = validator.ValidateNow(token);
        Assert.Same(first, validator.ValidateNow(token)); // answered from the validated-token cache

        list.Add(PortkeyJwt.Revocation.Token("jti-cached", Later));

        AssertRejected(PortkeyJwtError.Revoked, validator.ValidateNow(token));
    }

    [Fact]
    public void RevokedToken_Is401_EvenWhenItAlsoLacksTheScope()
    {
        (PortkeyJwtValidator validator, RevocationList list, _) = Build();
        list.Add(PortkeyJwt.Revocation.Token("jti-1", Later));

        AssertRejected(PortkeyJwtError.Revoked, validator.ValidateNow(Token(("jti", "jti-1")), ["admin.write"]));
    }

    [Fact]
    public void ExpiredTokenEntry_IsNotKept()
    {
        (_, RevocationList list, _) = Build();

        list.Add(PortkeyJwt.Revocation.Token("jti-old", Tokens.Now.AddSeconds(-1)));

        Assert.Equal(0, list.Count);
    }

    [Fact]
    public void ManyEntriesAddedOneByOne_AreAllEnforced_AcrossMerges()
    {
        (PortkeyJwtValidator validator, RevocationList list, _) = Build();
        for (int i = 0; i < 10_000; i++)
        {
            list.Add(PortkeyJwt.Revocation.Token($"jti-{i}", Later));
        }

        Assert.Equal(10_000, list.Count);
        foreach (int i in new[] { 0, 1, 4095, 4096, 4097, 8193, 9999 })
        {
            AssertRejected(PortkeyJwtError.Revoked, validator.ValidateNow(Token(("jti", $"jti-{i}"))));
        }

        AssertValid(validator.ValidateNow(Token(("jti", "jti-10000"))));
    }

    [Fact]
    public void Merge_ForgetsTokenEntriesWhoseTokensExpired()
    {
        (_, RevocationList list, FakeTimeProvider clock) = Build();
        list.Add(PortkeyJwt.Revocation.Token("short-lived", Tokens.Now.AddMinutes(1)));
        clock.Advance(TimeSpan.FromMinutes(2));

        list.AddRange(Enumerable.Range(0, RevocationIndex.MaxOverlay + 1).Select(i => PortkeyJwt.Revocation.Token($"jti-{i}", clock.GetUtcNow().AddHours(1))));

        Assert.Equal(RevocationIndex.MaxOverlay + 1, list.Count);
    }

    [Fact]
    public void ReplaceAll_ReplacesEveryEntry()
    {
        (PortkeyJwtValidator validator, RevocationList list, _) = Build();
        list.Add(PortkeyJwt.Revocation.Token("jti-1", Later));

        list.ReplaceAll([PortkeyJwt.Revocation.Token("jti-2", Later)]);

        AssertValid(validator.ValidateNow(Token(("jti", "jti-1"))));
        AssertRejected(PortkeyJwtError.Revoked, validator.ValidateNow(Token(("jti", "jti-2"))));
        Assert.NotNull(list.LastSyncedAt);
    }

    [Fact]
    public void StaleList_FailsClosed_BeforeTheFirstSyncAndPastMaxStaleness()
    {
        var clock = Tokens.Clock();
        var list = new RevocationList(clock) { MaxStaleness = TimeSpan.FromMinutes(5) };
        var validator = Tokens.Validator(new PortkeyJwtOptions { Revocations = list, ValidationCache = false }, clock);

        AssertRejected(PortkeyJwtError.RevocationUnavailable, validator.ValidateNow(Token())); // never synced
        list.MarkSynced();
        AssertValid(validator.ValidateNow(Token()));
        clock.Advance(TimeSpan.FromMinutes(5));
        AssertValid(validator.ValidateNow(Token())); // at the bound: still trusted
        Assert.Equal(TimeSpan.FromMinutes(5), list.Age);
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(list.IsStale);
        AssertRejected(PortkeyJwtError.RevocationUnavailable, validator.ValidateNow(Token()));
    }

    [Fact]
    public void StaleList_WithFailOpen_AcceptsTokens_ButStillEnforcesItsEntries()
    {
        var clock = Tokens.Clock();
        var list = new RevocationList(clock) { MaxStaleness = TimeSpan.FromMinutes(5), FailOpen = true };
        var validator = Tokens.Validator(new PortkeyJwtOptions { Revocations = list, ValidationCache = false }, clock);
        list.ReplaceAll([PortkeyJwt.Revocation.Token("jti-1", Later)]);
        clock.Advance(TimeSpan.FromMinutes(10));

        AssertValid(validator.ValidateNow(Token()));
        AssertRejected(PortkeyJwtError.Revoked, validator.ValidateNow(Token(("jti", "jti-1"))));
    }

    [Fact]
    public void ListWithoutMaxStaleness_IsNeverStale()
    {
        (PortkeyJwtValidator validator, RevocationList list, FakeTimeProvider clock) = Build();
        clock.Advance(TimeSpan.FromDays(30));

        Assert.False(list.IsStale);
        Assert.Null(list.LastSyncedAt);
        AssertValid(validator.ValidateNow(Tokens.Mint(Tokens.Claims().With(("iat", clock.GetUtcNow().ToUnixTimeSeconds()), ("nbf", null), ("exp", clock.GetUtcNow().ToUnixTimeSeconds() + 60)))));
    }

    [Fact]
    public async Task TrustAnchorSet_EnforcesTheList()
    {
        var clock = Tokens.Clock();
        var list = new RevocationList(clock);
        using var trust = new TrustAnchorSet(
            [new TrustAnchor { Issuer = "https://a.example", Jwks = TestKey.Jwks(TestKey.Default), Organisations = ["*"] }],
            new PortkeyJwtOptions { Revocations = list, AllowedAlgorithms = [TestKey.Default.Algorithm] }, timeProvider: clock);
        string token = Token(("iss", "https://a.example"), ("jti", "jti-a"));
        Assert.True((await trust.Validator.ValidateAsync(token)).IsValid);

        list.Add(PortkeyJwt.Revocation.Token("jti-a", Later, issuer: "https://a.example"));

        AssertRejected(PortkeyJwtError.Revoked, await trust.Validator.ValidateAsync(token));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\nb")]
    public void Revocation_BadIdentifier_Throws(string id)
    {
        Assert.Throws<ArgumentException>(() => PortkeyJwt.Revocation.Token(id, Later));
        Assert.Throws<ArgumentException>(() => PortkeyJwt.Revocation.OrganisationIssuedBefore(id, Later));
        Assert.Throws<ArgumentException>(() => PortkeyJwt.Revocation.UserIssuedBefore("org", id, Later));
    }

    [Fact]
    public void MaxStaleness_OutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RevocationList { MaxStaleness = TimeSpan.Zero });

    private static string Token(params (string Name, JsonNode? Value)[] changes) => Tokens.Mint(Tokens.Claims().With(changes));

    private static (PortkeyJwtValidator Validator, RevocationList List, FakeTimeProvider Clock) Build()
    {
        FakeTimeProvider clock = Tokens.Clock();
        var list = new RevocationList(clock);
        return (Tokens.Validator(new PortkeyJwtOptions { Revocations = list }, clock), list, clock);
    }
}
