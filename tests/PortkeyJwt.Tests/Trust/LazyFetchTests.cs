using Microsoft.Extensions.Time.Testing;
using static PortkeyJwt.Tests.Support.RuleKit;
using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Trust;

/// <summary>Remote anchors fetch nothing until a token is routed to them; concurrent first tokens share one provider and fetch.</summary>
public sealed class LazyFetchTests
{
    [Fact]
    public async Task Build_WithRemoteAnchors_FetchesNothing_AndTheFirstTokenFetchesOnlyItsAnchor()
    {
        await using JwksServer serverA = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        await using JwksServer serverB = await JwksServer.StartAsync(TestKey.Jwks(KeyB));
        using TrustAnchorSet trust = Set(anchors: [RemoteAnchor(IssuerA, serverA, "org-a"), RemoteAnchor(IssuerB, serverB, "org-b")]);
        Assert.Equal((0, 0), (serverA.RequestCount, serverB.RequestCount));

        AssertValid(await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a")));

        Assert.Equal((1, 0), (serverA.RequestCount, serverB.RequestCount));
        Assert.NotNull(trust.KeysOf(IssuerA));
        Assert.Null(trust.KeysOf(IssuerB));
    }

    [Fact]
    public async Task ConcurrentFirstTokens_ForOneAnchor_ShareOneProviderAndOneFetch()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        using TrustAnchorSet trust = Set(anchors: [RemoteAnchor(IssuerA, server, "org-a")]);
        TaskCompletionSource hold = server.Hold();
        string[] tokens = [.. Enumerable.Range(0, 8).Select(i => Token(KeyA, IssuerA, "org-a", ("sub", $"user-{i}")))];
        var validations = new Task<PortkeyJwtResult>[200];

        Parallel.For(0, validations.Length, i => validations[i] = trust.Validator.ValidateAsync(tokens[i % tokens.Length]).AsTask());
        await server.WaitForRequestsAsync(1);
        hold.SetResult();
        PortkeyJwtResult[] results = await Task.WhenAll(validations);

        Assert.All(results, r => Assert.True(r.IsValid, r.ToString()));
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task FirstTokens_AllFindingNoProvider_CreateOnlyOne()
    {
        // Four threads each find the anchor without a provider and are held until all four have: only one may create it.
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        using TrustAnchorSet trust = Set(anchors: [RemoteAnchor(IssuerA, server, "org-a")]);
        using var arrived = new CountdownEvent(4);
        trust.SlotOf(IssuerA).BeforeCreate = () =>
        {
            arrived.Signal();
            arrived.Wait(TimeSpan.FromSeconds(30));
        };
        var validations = new Task<PortkeyJwtResult>[4];
        Thread[] threads = [.. Enumerable.Range(0, 4).Select(i => new Thread(() => validations[i] = trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a", ("sub", $"user-{i}"))).AsTask()))];

        Array.ForEach(threads, t => t.Start());
        Array.ForEach(threads, t => t.Join());
        PortkeyJwtResult[] results = await Task.WhenAll(validations);

        Assert.All(results, r => Assert.True(r.IsValid, r.ToString()));
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Dispose_DisposesEveryCreatedProvider_AndLaterTokensAreKeysUnavailable()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(KeyA));
        await using JwksServer unused = await JwksServer.StartAsync(TestKey.Jwks(KeyB));
        FakeTimeProvider clock = Tokens.Clock();
        TrustAnchorSet trust = Set(clock, anchors: [RemoteAnchor(IssuerA, server, "org-a"), RemoteAnchor(IssuerB, unused, "org-b")]);
        AssertValid(await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a")));
        JwksKeyProvider keys = trust.KeysOf(IssuerA)!;

        trust.Dispose();

        Assert.Equal(0, keys.KeyCount);
        AssertRejected(PortkeyJwtError.KeysUnavailable, await trust.Validator.ValidateAsync(Token(KeyA, IssuerA, "org-a", ("sub", "new"))));
        AssertRejected(PortkeyJwtError.KeysUnavailable, await trust.Validator.ValidateAsync(Token(KeyB, IssuerB, "org-b")));
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal((1, 0), (server.RequestCount, unused.RequestCount));
    }
}
