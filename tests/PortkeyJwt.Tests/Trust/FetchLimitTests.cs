using Microsoft.Extensions.Time.Testing;
using static PortkeyJwt.Tests.Support.RuleKit;
using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Trust;

/// <summary>
/// A cold start of many anchors opens at most <see cref="JwksKeyProviderOptions.MaxConcurrentFetches"/> connections: the
/// other first fetches wait for a slot, within their fetch timeout, and then complete.
/// </summary>
public sealed class FetchLimitTests
{
    private const int Anchors = 12;

    [Fact]
    public async Task FirstTokensForTwelveAnchors_FetchEightAtATime_ThenAllValidate()
    {
        await using JwksServer server = await JwksServer.StartAsync();
        FakeTimeProvider clock = Tokens.Clock();
        TaskCompletionSource[] holds = new TaskCompletionSource[Anchors];
        TrustAnchor[] anchors = new TrustAnchor[Anchors];
        for (int i = 0; i < Anchors; i++)
        {
            string path = $"/anchor-{i}/jwks.json";
            server.Serve(TestKey.Jwks(KeyA), path);
            holds[i] = server.Hold(path);
            anchors[i] = new TrustAnchor { Issuer = $"https://idp-{i}.example", JwksUrls = [new Uri(server.Url, path)], Organisations = ["*"] };
        }

        using TrustAnchorSet trust = Set(new JwksKeyProviderOptions(), clock, anchors);
        Task<PortkeyJwtResult>[] validations = [.. Enumerable.Range(0, Anchors).Select(i => trust.Validator.ValidateAsync(Token(KeyA, $"https://idp-{i}.example")).AsTask())];

        await server.WaitForRequestsAsync(8);
        await Eventually.Until(() => trust.FetchSlots.Waiting == Anchors - 8, "four first fetches waiting for a slot");
        Assert.Equal(8, server.RequestCount);
        Assert.Equal(8, trust.FetchSlots.InUse);

        Array.ForEach(holds, h => h.SetResult());
        PortkeyJwtResult[] results = await Task.WhenAll(validations);

        Assert.All(results, r => Assert.True(r.IsValid, r.ToString()));
        Assert.Equal(Anchors, server.RequestCount);
        Assert.Equal(0, trust.FetchSlots.InUse);
    }

    [Fact]
    public async Task FetchWaitingForASlot_PastTheFetchTimeout_FailsSayingWhy()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(KeyB));
        FakeTimeProvider clock = Tokens.Clock();
        using TrustAnchorSet trust = Set(new JwksKeyProviderOptions { MaxConcurrentFetches = 1 }, clock, RemoteAnchor(IssuerB, server, "org-b"));
        await trust.FetchSlots.EnterAsync(CancellationToken.None); // the only slot, held as another anchor's fetch would hold it
        Task<PortkeyJwtResult> waiting = trust.Validator.ValidateAsync(Token(KeyB, IssuerB, "org-b")).AsTask();
        await Eventually.Until(() => trust.FetchSlots.Waiting == 1, "B's first fetch waiting for the only slot");

        clock.Advance(TimeSpan.FromSeconds(5)); // the fetch timeout

        AssertRejected(PortkeyJwtError.KeysUnavailable, await waiting);
        Assert.Contains("no fetch slot free within 5 s: 1 other fetches were in flight", trust.KeysOf(IssuerB)!.Status.LastError, StringComparison.Ordinal);
        Assert.Equal(0, server.RequestCount);
        trust.FetchSlots.Exit();
    }
}
