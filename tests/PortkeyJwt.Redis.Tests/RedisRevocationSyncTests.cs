using System.Diagnostics;
using System.Text.Json.Nodes;
using PortkeyJwt.TestKit;
using PortkeyJwt.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PortkeyJwt.Redis.Tests;

/// <summary>Gateways following the record: the first sync, pub/sub delivery, catching up over lost messages, and enforcement.</summary>
public sealed class RedisRevocationSyncTests(RedisServer server, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static DateTimeOffset Soon => DateTimeOffset.UtcNow.AddHours(1);

    [Fact]
    public async Task StartAsync_LoadsWhatIsAlreadyRecorded()
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        RedisRevocationOptions options = Options();
        var store = new RedisRevocationStore(redis, options.KeyPrefix);
        await store.RevokeAsync(Revocation.Token("jti-1", Soon));
        await store.RevokeAsync(Revocation.OrganisationIssuedBefore("org-1", Soon));

        await using RedisRevocationSync sync = await RedisRevocationSync.StartAsync(redis, options);

        Assert.Equal(2, sync.List.Count);
        Assert.Equal(2, sync.Version);
        Assert.False(sync.List.IsStale);
        Assert.Equal(options.MaxStaleness, sync.List.MaxStaleness);
    }

    [Fact]
    public async Task Revocation_ReachesTwoGateways_WithinOneSecond_ByPubSub()
    {
        RedisRevocationOptions options = Options(poll: TimeSpan.FromMinutes(1)); // the poll cannot be what delivers it
        await using ConnectionMultiplexer tool = await server.ConnectAsync();
        await using ConnectionMultiplexer gatewayA = await server.ConnectAsync();
        await using ConnectionMultiplexer gatewayB = await server.ConnectAsync();
        await using RedisRevocationSync a = await RedisRevocationSync.StartAsync(gatewayA, options);
        await using RedisRevocationSync b = await RedisRevocationSync.StartAsync(gatewayB, options);
        var store = new RedisRevocationStore(tool, options.KeyPrefix);

        var watch = Stopwatch.StartNew();
        long version = await store.RevokeAsync(Revocation.Token("jti-fleet", Soon));
        await Eventually.Until(() => a.Version == version && b.Version == version, "both gateways to apply the revocation", TimeSpan.FromSeconds(1));
        output.WriteLine($"revocation reached both gateways in {watch.Elapsed.TotalMilliseconds:0.0} ms");

        Assert.Equal(1, a.List.Count);
        Assert.Equal(1, b.List.Count);
    }

    [Fact]
    public async Task Revocation_AppliedFromPubSub_RecordsItsPropagationDelay()
    {
        RedisRevocationOptions options = Options(poll: TimeSpan.FromMinutes(1));
        await using ConnectionMultiplexer tool = await server.ConnectAsync();
        await using ConnectionMultiplexer gateway = await server.ConnectAsync();
        await using RedisRevocationSync sync = await RedisRevocationSync.StartAsync(gateway, options);
        var store = new RedisRevocationStore(tool, options.KeyPrefix);
        var delays = new System.Collections.Concurrent.ConcurrentQueue<double>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "portkeyjwt.revocation.propagation")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => delays.Enqueue(value));
        listener.Start();

        long version = await store.RevokeAsync(Revocation.Token("jti-timed", Soon));
        await Eventually.Until(() => sync.Version == version && !delays.IsEmpty, "the revocation and its propagation measurement", TimeSpan.FromSeconds(1));

        // Other tests' syncs in this process may record too: every measurement is a delay, none a clock-skewed outlier.
        Assert.All(delays, delay => Assert.InRange(delay, 0, 1));
        output.WriteLine($"propagation delays recorded: {string.Join(", ", delays.Select(d => $"{d * 1000:0.0} ms"))}");
    }

    [Fact]
    public async Task LostMessages_SubscriberConnectionsKilled_RevocationInForceWithinThePollInterval()
    {
        RedisRevocationOptions options = Options(poll: TimeSpan.FromMilliseconds(500));
        await using ConnectionMultiplexer tool = await server.ConnectAsync();
        await using ConnectionMultiplexer gateway = await server.ConnectAsync();
        await using RedisRevocationSync sync = await RedisRevocationSync.StartAsync(gateway, options);
        var store = new RedisRevocationStore(tool, options.KeyPrefix);
        await Eventually.Until(() => PubSubClients(tool) > 0, "the gateway's subscription", Bound);

        await tool.GetServers()[0].ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
        var watch = Stopwatch.StartNew();
        long version = await store.RevokeAsync(Revocation.UserIssuedBefore("org-1", "u-1", Soon));

        await Eventually.Until(() => sync.Version >= version, $"the revocation (version {version}) despite the lost message; the sync is at {sync.Version}", TimeSpan.FromSeconds(3));
        output.WriteLine($"in force {watch.Elapsed.TotalMilliseconds:0} ms after the subscriber was killed (poll interval 500 ms)");
        Assert.Equal(1, sync.List.Count);
    }

    [Fact]
    public async Task NoMessageAtAll_ThePollLoopCatchesUpWithinThePollInterval()
    {
        RedisRevocationOptions options = Options(poll: TimeSpan.FromMilliseconds(500));
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        await using RedisRevocationSync sync = await RedisRevocationSync.StartAsync(redis, options);
        await sync.UnsubscribeAsync(); // the message is lost for sure: only the poll can deliver it
        var watch = Stopwatch.StartNew();
        long version = await new RedisRevocationStore(redis, options.KeyPrefix).RevokeAsync(Revocation.Token("jti-polled", Soon));

        await Eventually.Until(() => sync.Version == version, "the poll to catch up", TimeSpan.FromSeconds(3));
        output.WriteLine($"caught up by the poll {watch.Elapsed.TotalMilliseconds:0} ms after the revocation (poll interval 500 ms)");
        Assert.Equal(1, sync.List.Count);
    }

    [Fact]
    public async Task MessageAfterAGap_CatchesUpFromTheChangeLog()
    {
        RedisRevocationOptions options = Options(poll: TimeSpan.FromMinutes(1));
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        await using RedisRevocationSync sync = await RedisRevocationSync.StartAsync(redis, options);
        await sync.UnsubscribeAsync(); // from here on, only what the test hands over arrives
        var store = new RedisRevocationStore(redis, options.KeyPrefix);
        await store.RevokeAsync(Revocation.Token("jti-1", Soon));
        await store.RevokeAsync(Revocation.Token("jti-2", Soon));
        long version = await store.RevokeAsync(Revocation.Token("jti-3", Soon));
        Assert.Equal(0, sync.Version);

        await sync.ApplyMessageAsync($"{{\"v\":{version},\"e\":[\"token\",null,\"jti-3\",null,{Soon.ToUnixTimeSeconds()}]}}", CancellationToken.None);

        Assert.Equal(3, sync.Version);
        Assert.Equal(3, sync.List.Count);
    }

    [Fact]
    public async Task GapTheChangeLogNoLongerHolds_FallsBackToAFullResync()
    {
        RedisRevocationOptions options = Options(poll: TimeSpan.FromMinutes(1));
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        await using RedisRevocationSync sync = await RedisRevocationSync.StartAsync(redis, options);
        await sync.UnsubscribeAsync();
        var store = new RedisRevocationStore(redis, options.KeyPrefix);
        await store.RevokeAsync(Revocation.Token("jti-1", Soon));
        await store.RevokeAsync(Revocation.Token("jti-2", Soon));
        await redis.GetDatabase().StreamTrimAsync(store.ChangesKey, 1); // change 1 is gone from the log

        await sync.PollOnceAsync(CancellationToken.None);

        Assert.Equal(2, sync.Version);
        Assert.Equal(2, sync.List.Count);
    }

    [Fact]
    public async Task Poll_WithNothingNew_MarksTheListSynced()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        RedisRevocationOptions options = Options(poll: TimeSpan.FromMinutes(1));
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        await using RedisRevocationSync sync = await RedisRevocationSync.StartAsync(redis, options, clock);
        DateTimeOffset? first = sync.List.LastSyncedAt;

        clock.Advance(TimeSpan.FromSeconds(30));
        await sync.PollOnceAsync(CancellationToken.None);

        Assert.Equal(first + TimeSpan.FromSeconds(30), sync.List.LastSyncedAt);
    }

    [Fact]
    public async Task Validator_RejectsARevokedToken_AlsoWhenItWasAlreadyCached()
    {
        RedisRevocationOptions options = Options(poll: TimeSpan.FromMinutes(1));
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        await using RedisRevocationSync sync = await RedisRevocationSync.StartAsync(redis, options);
        using var idp = new TestIdentityProvider();
        PortkeyJwtValidator validator = idp.CreateValidator(o => o.Revocations = sync.List);
        string token = idp.Mint(organisation: "org-9", claims: new JsonObject { ["jti"] = "jti-cached" });
        string other = idp.Mint(organisation: "org-9", claims: new JsonObject { ["jti"] = "jti-other" });
        Assert.True((await validator.ValidateAsync(token)).IsValid);
        Assert.True((await validator.ValidateAsync(token)).IsValid); // now in the validated-token cache

        long version = await new RedisRevocationStore(redis, options.KeyPrefix).RevokeAsync(Revocation.Token("jti-cached", Soon));
        await Eventually.Until(() => sync.Version == version, "the revocation to reach the list", Bound);

        PortkeyJwtResult result = await validator.ValidateAsync(token);
        Assert.Equal(PortkeyJwtError.Revoked, result.Error);
        Assert.True((await validator.ValidateAsync(other)).IsValid);

        await new RedisRevocationStore(redis, options.KeyPrefix).RevokeAsync(Revocation.OrganisationIssuedBefore("org-9", DateTimeOffset.UtcNow.AddMinutes(1)));
        await Eventually.Until(() => sync.Version == version + 1, "the watermark to reach the list", Bound);
        Assert.Equal(PortkeyJwtError.Revoked, (await validator.ValidateAsync(other)).Error);
    }

    [Fact]
    public async Task DisposeAsync_IsIdempotent_AndStopsFollowing()
    {
        RedisRevocationOptions options = Options(poll: TimeSpan.FromMilliseconds(100));
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        RedisRevocationSync sync = await RedisRevocationSync.StartAsync(redis, options);

        await sync.DisposeAsync();
        await sync.DisposeAsync();
        await new RedisRevocationStore(redis, options.KeyPrefix).RevokeAsync(Revocation.Token("jti-late", Soon));
        await Task.Delay(300);

        Assert.Equal(0, sync.Version);
        Assert.Equal(0, sync.List.Count);
    }

    [Theory]
    [InlineData(nameof(RedisRevocationOptions.PollInterval), 0.099, 60)]
    [InlineData(nameof(RedisRevocationOptions.PollInterval), 301, 60)]
    [InlineData(nameof(RedisRevocationOptions.MaxStaleness), 5, 0.5)]
    [InlineData(nameof(RedisRevocationOptions.MaxStaleness), 5, 86401)]
    public async Task StartAsync_OptionOutOfRange_ThrowsNamingIt(string option, double pollSeconds, double stalenessSeconds)
    {
        await using ConnectionMultiplexer redis = await server.ConnectAsync();
        RedisRevocationOptions options = Options(TimeSpan.FromSeconds(pollSeconds));
        options.MaxStaleness = TimeSpan.FromSeconds(stalenessSeconds);

        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RedisRevocationSync.StartAsync(redis, options));
        Assert.Equal(option, e.ParamName);
    }

    private static RedisRevocationOptions Options(TimeSpan? poll = null) => new()
    {
        KeyPrefix = RedisServer.NewPrefix(),
        PollInterval = poll ?? TimeSpan.FromSeconds(5),
        MaxStaleness = TimeSpan.FromMinutes(1),
    };

    private static int PubSubClients(ConnectionMultiplexer admin)
    {
        string clients = (string)admin.GetServers()[0].Execute("CLIENT", "LIST", "TYPE", "pubsub")!;
        return clients.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }
}
