using PortkeyJwt.Testing;
using StackExchange.Redis;

namespace PortkeyJwt.Redis.Tests;

/// <summary>The record in Redis: what a write leaves, what a read returns, and the version, log and channel that go with each write.</summary>
public sealed class RedisRevocationStoreTests(RedisServer server) : IClassFixture<RedisServer>
{
    private static readonly DateTimeOffset Soon = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());

    [Fact]
    public async Task RevokeThenList_RoundTripsEveryKind_IdentifiersWithSeparatorsIncluded()
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        var store = new RedisRevocationStore(redis, RedisServer.NewPrefix());
        Revocation[] written =
        [
            Revocation.Token("jti-1", Soon),
            Revocation.Token("jti-1", Soon, issuer: "https://a.example"),
            Revocation.Token("[\"x\",\"y\"]", Soon),
            Revocation.OrganisationIssuedBefore("org-1", Soon),
            Revocation.OrganisationIssuedBefore("org-1", Soon.AddSeconds(-5), issuer: "https://a.example"),
            Revocation.WorkspaceIssuedBefore("org-1", "ws:1", Soon),
            Revocation.WorkspaceIssuedBefore("org-1:ws", "1", Soon), // would collide with the one above under a ':'-joined key
            Revocation.UserIssuedBefore("org-1", "ada@example.com", Soon),
            Revocation.UserIssuedBefore("org-1", "ws:1", Soon), // the same identifiers as a workspace entry, another kind
        ];

        long version = 0;
        foreach (Revocation entry in written)
        {
            version = await store.RevokeAsync(entry);
        }

        (IReadOnlyList<Revocation> listed, long listedVersion) = await store.ListAsync();

        Assert.Equal(written.Length, version);
        Assert.Equal(version, listedVersion);
        Assert.Equal(written.ToHashSet(), listed.ToHashSet());
        Assert.Equal(written.Length, listed.Count);
    }

    [Fact]
    public async Task Watermark_OnlyMovesForward_AndAnEarlierOneLeavesTheVersion()
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        var store = new RedisRevocationStore(redis, RedisServer.NewPrefix());

        long first = await store.RevokeAsync(Revocation.UserIssuedBefore("org-1", "u-1", Soon));
        long earlier = await store.RevokeAsync(Revocation.UserIssuedBefore("org-1", "u-1", Soon.AddMinutes(-10)));
        long same = await store.RevokeAsync(Revocation.UserIssuedBefore("org-1", "u-1", Soon));
        Assert.Equal(first, earlier);
        Assert.Equal(first, same);
        Assert.Equal([Revocation.UserIssuedBefore("org-1", "u-1", Soon)], (await store.ListAsync()).Entries);

        long later = await store.RevokeAsync(Revocation.UserIssuedBefore("org-1", "u-1", Soon.AddMinutes(10)));
        Assert.Equal(first + 1, later);
        Assert.Equal([Revocation.UserIssuedBefore("org-1", "u-1", Soon.AddMinutes(10))], (await store.ListAsync()).Entries);
    }

    [Fact]
    public async Task ExpiredTokenEntries_AreNotListed_AndArePrunedOnTheNextWrite()
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        var store = new RedisRevocationStore(redis, RedisServer.NewPrefix());
        await store.RevokeAsync(Revocation.Token("live", Soon));
        // An entry whose token expired a minute ago, as the schema stores it.
        long past = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();
        await redis.GetDatabase().SortedSetAddAsync(store.TokensKey, "[null,\"gone\"]", past);

        Assert.Equal([Revocation.Token("live", Soon)], (await store.ListAsync()).Entries);
        Assert.Equal(2, await redis.GetDatabase().SortedSetLengthAsync(store.TokensKey));

        await store.RevokeAsync(Revocation.Token("other", Soon));
        Assert.Equal(2, await redis.GetDatabase().SortedSetLengthAsync(store.TokensKey)); // "gone" pruned, "other" added
    }

    [Fact]
    public async Task RevokeAnExpiredToken_ChangesNothing()
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        var store = new RedisRevocationStore(redis, RedisServer.NewPrefix());

        long version = await store.RevokeAsync(Revocation.Token("old", DateTimeOffset.UtcNow.AddMinutes(-1)));

        Assert.Equal(0, version);
        Assert.Empty((await store.ListAsync()).Entries);
        Assert.False(await redis.GetDatabase().KeyExistsAsync(store.ChangesKey));
    }

    [Fact]
    public async Task EveryWrite_IncrementsTheVersion_LogsAndPublishesTheChange()
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        var store = new RedisRevocationStore(redis, RedisServer.NewPrefix());
        ChannelMessageQueue channel = await redis.GetSubscriber().SubscribeAsync(store.Channel);

        long v1 = await store.RevokeAsync(Revocation.Token("a", Soon));
        long v2 = await store.RevokeAsync(Revocation.OrganisationIssuedBefore("org-1", Soon, "https://a.example"));

        Assert.Equal((1, 2), (v1, v2));
        Assert.Equal(2, (long)await redis.GetDatabase().StringGetAsync(store.VersionKey));
        IReadOnlyList<(long Version, Revocation? Entry)> log = await store.ReadChangesAsync(1, 10, CancellationToken.None);
        Assert.Equal([(1L, (Revocation?)Revocation.Token("a", Soon)), (2L, Revocation.OrganisationIssuedBefore("org-1", Soon, "https://a.example"))], log);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        ChannelMessage first = await channel.ReadAsync(timeout.Token);
        ChannelMessage second = await channel.ReadAsync(timeout.Token);
        Assert.True(Internal.RevocationCodec.TryReadMessage(first.Message, out long m1, out Revocation? e1));
        Assert.True(Internal.RevocationCodec.TryReadMessage(second.Message, out long m2, out Revocation? e2));
        Assert.Equal((1, Revocation.Token("a", Soon)), (m1, e1));
        Assert.Equal((2, Revocation.OrganisationIssuedBefore("org-1", Soon, "https://a.example")), (m2, e2));
        await channel.UnsubscribeAsync();
    }

    [Fact]
    public async Task UnreadableEntries_AreLeftOutOfTheList()
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        var store = new RedisRevocationStore(redis, RedisServer.NewPrefix());
        await store.RevokeAsync(Revocation.OrganisationIssuedBefore("org-1", Soon));
        await redis.GetDatabase().HashSetAsync(store.WatermarksKey, "org-2", "12");
        await redis.GetDatabase().SortedSetAddAsync(store.TokensKey, "[\"\",\"x\"]", Soon.ToUnixTimeSeconds()); // empty issuer

        Assert.Equal([Revocation.OrganisationIssuedBefore("org-1", Soon)], (await store.ListAsync()).Entries);
    }
}
