using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary>
/// <c>AddHealthChecks().AddPortkeyJwtRevocation()</c> judges the registered <see cref="RevocationList"/> by the time since
/// its last sync, on a <see cref="FakeTimeProvider"/>: Healthy up to three poll intervals (15 s here), Degraded up to
/// MaxStaleness (60 s), Unhealthy past it and before the first sync. The list is marked synced by hand: no Redis.
/// </summary>
public sealed class RevocationHealthCheckTests
{
    [Theory]
    [InlineData(0, "Healthy")]
    [InlineData(15_000, "Healthy")] // three poll intervals
    [InlineData(15_001, "Degraded")]
    [InlineData(60_000, "Degraded")] // MaxStaleness: still enforced
    [InlineData(60_001, "Unhealthy")]
    public async Task SyncedList_AgeMilliseconds_Status(int ageMs, string expected)
    {
        var clock = NewClock();
        await using ServiceProvider services = Build(clock);
        RevocationList list = services.GetRequiredService<RevocationList>();
        list.ReplaceAll([Revocation.Token("jti-1", clock.GetUtcNow().AddHours(1)), Revocation.OrganisationIssuedBefore("org-1", clock.GetUtcNow())]);
        clock.Advance(TimeSpan.FromMilliseconds(ageMs));

        HealthReportEntry entry = await CheckAsync(services);

        Assert.Equal(Enum.Parse<HealthStatus>(expected), entry.Status);
        Assert.Equal(ageMs / 1000.0, entry.Data["ageSeconds"]);
        Assert.Equal(2, entry.Data["entries"]);
        Assert.Equal(0L, entry.Data["version"]); // no sync service has run
    }

    [Fact]
    public async Task NeverSynced_IsUnhealthy_SayingTokensAreRejected()
    {
        await using ServiceProvider services = Build(NewClock());

        HealthReportEntry entry = await CheckAsync(services);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("never been synced", entry.Description, StringComparison.Ordinal);
        Assert.Contains("RevocationUnavailable", entry.Description, StringComparison.Ordinal);
        Assert.False(entry.Data.ContainsKey("ageSeconds"));
    }

    [Fact]
    public async Task PastMaxStaleness_WithFailOpen_IsUnhealthy_SayingTokensAreAccepted()
    {
        var clock = NewClock();
        await using ServiceProvider services = Build(clock, failOpen: true);
        services.GetRequiredService<RevocationList>().MarkSynced();
        clock.Advance(TimeSpan.FromMinutes(2));

        HealthReportEntry entry = await CheckAsync(services);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("accepted on the last synced entries (FailOpen)", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Degraded_ThenSyncedAgain_IsHealthy()
    {
        var clock = NewClock();
        await using ServiceProvider services = Build(clock);
        RevocationList list = services.GetRequiredService<RevocationList>();
        list.MarkSynced();
        clock.Advance(TimeSpan.FromSeconds(30));
        HealthStatus missed = (await CheckAsync(services)).Status;

        list.MarkSynced(); // a poll succeeded
        HealthStatus caughtUp = (await CheckAsync(services)).Status;

        Assert.Equal((HealthStatus.Degraded, HealthStatus.Healthy), (missed, caughtUp));
    }

    [Fact]
    public async Task FailureStatus_ReplacesUnhealthy()
    {
        var clock = NewClock();
        await using ServiceProvider services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(clock)
            .AddPortkeyJwtRedisRevocation(o => o.Redis = "127.0.0.1:1")
            .AddHealthChecks().AddPortkeyJwtRevocation(failureStatus: HealthStatus.Degraded).Services
            .BuildServiceProvider();

        Assert.Equal(HealthStatus.Degraded, (await CheckAsync(services)).Status);
    }

    /// <summary>A clock on a whole millisecond, as the list records its sync time.</summary>
    private static FakeTimeProvider NewClock() => new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    private static ServiceProvider Build(FakeTimeProvider clock, bool failOpen = false) =>
        new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(clock)
            .AddPortkeyJwtRedisRevocation(o =>
            {
                o.Redis = "127.0.0.1:1"; // never contacted: no host is started
                o.PollInterval = TimeSpan.FromSeconds(5);
                o.MaxStaleness = TimeSpan.FromSeconds(60);
                o.FailOpen = failOpen;
            })
            .AddHealthChecks().AddPortkeyJwtRevocation().Services
            .BuildServiceProvider();

    private static async Task<HealthReportEntry> CheckAsync(IServiceProvider services)
    {
        HealthReport report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries["portkeyjwt-revocation"];
    }
}
