using Microsoft.Extensions.Time.Testing;
using PortkeyJwt.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PortkeyJwt.Redis.Tests;

/// <summary>
/// Redis going away and coming back, on a server of this class alone: the list keeps enforcing its last state until
/// MaxStaleness (on a fake clock), then is stale; after a restart on the same directory (AOF) the record is back and
/// the sync resyncs.
/// </summary>
public sealed class RedisOutageTests(RedisServer server, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task RedisStopped_ListKeepsItsEntriesUntilMaxStaleness_ThenRestartBringsTheRecordBackAndTheSyncResyncs()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new RedisRevocationOptions
        {
            KeyPrefix = RedisServer.NewPrefix(),
            PollInterval = TimeSpan.FromSeconds(1),
            MaxStaleness = TimeSpan.FromSeconds(10),
        };
        DateTimeOffset until = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        await using ConnectionMultiplexer tool = await server.ConnectAsync();
        await using ConnectionMultiplexer gateway = await server.ConnectAsync();
        await using RedisRevocationSync sync = await RedisRevocationSync.StartAsync(gateway, options, clock);
        var store = new RedisRevocationStore(tool, options.KeyPrefix);
        long version = await store.RevokeAsync(Revocation.Token("jti-outage", until));
        await Eventually.Until(() => sync.Version == version, "the revocation to reach the list", Bound);
        DateTimeOffset? syncedBefore = sync.List.LastSyncedAt;

        try
        {
            server.Stop();
            for (int second = 1; second <= 9; second++)
            {
                clock.Advance(TimeSpan.FromSeconds(1)); // each second a poll, which fails
                Assert.False(sync.List.IsStale, $"stale {second} s into the outage, before MaxStaleness (10 s)");
            }

            Assert.Equal(1, sync.List.Count);
            clock.Advance(TimeSpan.FromSeconds(2));
            await Eventually.Until(() => sync.List.IsStale, "the list to be stale past MaxStaleness", Bound);
            Assert.Equal(syncedBefore, sync.List.LastSyncedAt);
        }
        finally
        {
            server.Start();
        }

        await using ConnectionMultiplexer fresh = await server.ConnectAsync();
        Assert.Equal([Revocation.Token("jti-outage", until)], (await new RedisRevocationStore(fresh, options.KeyPrefix).ListAsync()).Entries);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.Until(
            () => !sync.List.IsStale && sync.List.LastSyncedAt > syncedBefore,
            "the sync to resync after the restart",
            Bound,
            each: () => clock.Advance(TimeSpan.FromMilliseconds(50))); // lets the poll run too, whichever comes first
        output.WriteLine($"resynced {watch.Elapsed.TotalMilliseconds:0} ms after redis-server answered again");
        Assert.Equal(1, sync.List.Count);

        long next = await new RedisRevocationStore(fresh, options.KeyPrefix).RevokeAsync(Revocation.Token("jti-after", until));
        await Eventually.Until(() => sync.Version == next, "a revocation after the restart to reach the list", Bound);
        Assert.Equal(2, sync.List.Count);
    }

    [Fact]
    public async Task StartAsync_WhileRedisIsDown_DoesNotThrow_StaysStale_ThenSyncsWhenRedisAnswers()
    {
        var options = new RedisRevocationOptions { KeyPrefix = RedisServer.NewPrefix(), PollInterval = TimeSpan.FromMilliseconds(200) };
        await using (ConnectionMultiplexer before = await server.ConnectAsync())
        {
            await new RedisRevocationStore(before, options.KeyPrefix).RevokeAsync(Revocation.OrganisationIssuedBefore("org-1", DateTimeOffset.UtcNow));
        }

        server.Stop();
        RedisRevocationSync sync;
        ConnectionMultiplexer gateway;
        try
        {
            gateway = await server.ConnectAsync();
            sync = await RedisRevocationSync.StartAsync(gateway, options);
            Assert.True(sync.List.IsStale);
            Assert.Null(sync.List.LastSyncedAt);
            Assert.Equal(0, sync.Version);
        }
        finally
        {
            server.Start();
        }

        await using (gateway)
        await using (sync)
        {
            await Eventually.Until(() => sync.Version == 1 && !sync.List.IsStale, "the first sync once Redis answers", Bound);
            Assert.Equal(1, sync.List.Count);
        }
    }
}
