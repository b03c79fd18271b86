using Microsoft.Extensions.Time.Testing;
using static PortkeyJwt.Tests.Support.RuleKit;
using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Trust;

/// <summary>
/// One anchor's hanging identity provider never delays another anchor: while A's JWKS server holds every request for
/// the whole fetch timeout, B's tokens validate synchronously (no wait at all), and B's own first fetch goes through.
/// </summary>
public sealed class BulkheadTests
{
    [Fact]
    public async Task HangingJwksOfA_NeitherDelaysBsValidations_NorBsFirstFetch()
    {
        await using JwksServer serverA = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        await using JwksServer serverB = await JwksServer.StartAsync(TestKey.Jwks(KeyB));
        FakeTimeProvider clock = Tokens.Clock();
        using TrustAnchorSet trust = Set(clock, anchors: [RemoteAnchor(IssuerA, serverA, "org-a"), RemoteAnchor(IssuerB, serverB, "org-b")]);
        TaskCompletionSource hold = serverA.Hold();
        Task<PortkeyJwtResult>[] waitingForA = [.. Enumerable.Range(0, 20).Select(i => trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a", ("sub", $"a-{i}"))).AsTask())];
        await serverA.WaitForRequestsAsync(1);

        AssertValid(await trust.Validator.ValidateAsync(Token(KeyB, IssuerB, "org-b"))); // B's first fetch, while A hangs
        for (int i = 0; i < 1000; i++)
        {
            AssertValid(trust.Validator.ValidateNow(Token(KeyB, IssuerB, "org-b", ("sub", $"b-{i % 50}")))); // fails if it had to wait
        }

        Assert.All(waitingForA, t => Assert.False(t.IsCompleted));
        clock.Advance(TimeSpan.FromSeconds(5)); // A's fetch timeout
        PortkeyJwtResult[] resultsA = await Task.WhenAll(waitingForA);

        Assert.All(resultsA, r => AssertRejected(PortkeyJwtError.KeysUnavailable, r));
        Assert.Equal((1, 1), (serverA.RequestCount, serverB.RequestCount));
        hold.SetResult();
    }
}
