using Microsoft.Extensions.Time.Testing;
using static PortkeyJwt.Tests.Support.RuleKit;
using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Trust;

/// <summary>
/// <see cref="TrustAnchorSet.Replace"/> swaps the anchors at runtime: tokens route by the new set at once, unchanged
/// anchors keep their loaded keys and cached validations, what a changed anchor validated is judged again, and a
/// validation already routed to a removed anchor still completes.
/// </summary>
public sealed class ReloadTests
{
    [Fact]
    public void Replace_AddsAndRemovesIssuers_ForTheNextToken()
    {
        using TrustAnchorSet trust = TwoProviders();
        string fromA = Token(KeyA, IssuerA, "org-a");
        string fromB = Token(KeyB, IssuerB, "org-b");
        AssertValid(trust.Validator.ValidateNow(fromA));

        trust.Replace([Anchor(IssuerB, [KeyB], "org-b"), Anchor("https://idp-c.example", [KeyA], "org-c")]);

        AssertRejected(PortkeyJwtError.UnknownIssuer, trust.Validator.ValidateNow(fromA)); // even though it was cached
        AssertValid(trust.Validator.ValidateNow(fromB));
        AssertValid(trust.Validator.ValidateNow(Token(KeyA, "https://idp-c.example", "org-c")));
    }

    [Fact]
    public void Replace_ChangingAnAnchorsOrganisations_JudgesItsCachedTokensAgain()
    {
        using TrustAnchorSet trust = TwoProviders();
        string token = Token(KeyA, IssuerA, "org-a");
        AssertValid(trust.Validator.ValidateNow(token));
        Assert.True(trust.Validator.Cache!.Contains(token));

        trust.Replace([Anchor(IssuerA, [KeyA], "org-other"), Anchor(IssuerB, [KeyB], "org-b")]);

        AssertRejected(PortkeyJwtError.OrganisationNotAllowed, trust.Validator.ValidateNow(token));
    }

    [Fact]
    public async Task Replace_WithAnUnchangedRemoteAnchor_KeepsItsProviderKeysAndCache_AndFetchesNothing()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        FakeTimeProvider clock = Tokens.Clock();
        using TrustAnchorSet trust = Set(clock, anchors: [RemoteAnchor(IssuerA, server, "org-a"), Anchor(IssuerB, [KeyB], "org-b")]);
        string token = Token(KeyA, IssuerA, "org-a");
        AssertValid(await trust.Validator.ValidateAsync(token));
        JwksKeyProvider keys = trust.KeysOf(IssuerA)!;

        trust.Replace([RemoteAnchor(IssuerA, server, "org-a"), Anchor(IssuerB, [KeyB], "org-b", "org-b2")]);
        clock.Advance(TimeSpan.FromSeconds(30)); // past the grace a removed anchor gets: nothing of A's is disposed

        Assert.Same(keys, trust.KeysOf(IssuerA));
        Assert.Equal(1, keys.KeyCount);
        Assert.True(trust.Validator.Cache!.Contains(token));
        AssertValid(trust.Validator.ValidateNow(Token(KeyA, IssuerA, "org-a", ("sub", "another"))));
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Replace_WhileAValidationWaitsForARemovedAnchorsKeys_LetsItComplete_ThenDisposesTheAnchor()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        FakeTimeProvider clock = Tokens.Clock();
        using TrustAnchorSet trust = Set(clock, anchors: [RemoteAnchor(IssuerA, server, "org-a"), Anchor(IssuerB, [KeyB], "org-b")]);
        TaskCompletionSource hold = server.Hold();
        Task<PortkeyJwtResult> waiting = trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a")).AsTask();
        await server.WaitForRequestsAsync(1);
        JwksKeyProvider keys = trust.KeysOf(IssuerA)!;

        trust.Replace([Anchor(IssuerB, [KeyB], "org-b")]);
        Assert.False(waiting.IsCompleted);
        hold.SetResult();

        AssertValid(await waiting); // routed before the swap: judged by the anchor it was routed to
        Assert.Equal(1, keys.KeyCount);
        clock.Advance(TimeSpan.FromSeconds(10)); // twice the fetch timeout
        Assert.Equal(0, keys.KeyCount); // disposed
    }

    [Fact]
    public void Replace_WithABadAnchor_Throws_AndLeavesTheSetAsItWas()
    {
        using TrustAnchorSet trust = TwoProviders();

        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => trust.Replace([Anchor(IssuerA, [KeyA], "org-a"), Anchor(IssuerB, [KeyB])]));

        Assert.Equal("anchors[1].Organisations", e.ParamName);
        AssertValid(trust.Validator.ValidateNow(Token(KeyA, IssuerA, "org-a")));
        AssertValid(trust.Validator.ValidateNow(Token(KeyB, IssuerB, "org-b")));
    }

    [Fact]
    public void Replace_AfterDispose_Throws()
    {
        TrustAnchorSet trust = TwoProviders();
        trust.Dispose();

        Assert.Throws<ObjectDisposedException>(() => trust.Replace([Anchor(IssuerA, [KeyA], "org-a")]));
    }

    [Fact]
    public async Task Replace_RepeatedlyUnderLoad_NeverFailsAValidationOfAnUnchangedAnchor()
    {
        using TrustAnchorSet trust = TwoProviders();
        string[] tokens = [.. Enumerable.Range(0, 16).Select(i => Token(KeyB, IssuerB, "org-b", ("sub", $"user-{i}")))];
        using var stop = new CancellationTokenSource();
        int validated = 0;
        Task[] validators = [.. Enumerable.Range(0, 2).Select(t => Task.Run(() =>
        {
            for (int i = 0; !stop.IsCancellationRequested || i < 200; i++)
            {
                PortkeyJwtResult result = trust.Validator.ValidateNow(tokens[i % tokens.Length]);
                Assert.True(result.IsValid, result.ToString());
                Interlocked.Increment(ref validated);
            }
        }))];

        for (int round = 0; round < 200; round++)
        {
            trust.Replace([Anchor(IssuerA, [KeyA], $"org-a-{round}"), Anchor(IssuerB, [KeyB], "org-b")]);
        }

        stop.Cancel();
        await Task.WhenAll(validators);
        Assert.True(validated >= 400);
    }
}
