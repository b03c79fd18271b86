using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary>
/// <c>AddHealthChecks().AddPortkeyJwt()</c> over a JWKS served by a real Kestrel server, with time driven by a
/// <see cref="FakeTimeProvider"/> registered as the application's <see cref="TimeProvider"/>. No sleeps: background
/// fetches are awaited with a bounded poll.
/// </summary>
public sealed class HealthCheckTests
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxStaleness = TimeSpan.FromHours(1);

    [Fact]
    public async Task RemoteJwks_IsHealthyWhenFresh_DegradedWhenRefreshFails_UnhealthyAfterMaxStaleness()
    {
        await using JwksServer jwks = await JwksServer.StartAsync(TestKey.Jwks(TestKey.Default));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using IHost host = await StartAsync(jwks, clock);
        JwksKeyProvider provider = host.Services.GetRequiredService<JwksKeyProvider>();
        Assert.True(await provider.WarmUpAsync());

        HealthReportEntry fresh = await CheckAsync(host);
        Assert.Equal(HealthStatus.Healthy, fresh.Status);
        Assert.Equal(1, fresh.Data["keys"]);
        Assert.Equal(0.0, fresh.Data["stalenessSeconds"]);
        Assert.False(fresh.Data.ContainsKey("lastError"));

        jwks.FailWith(503);
        int before = jwks.RequestCount;
        clock.Advance(RefreshInterval * 1.1); // past the jittered refresh (±5%)
        await Eventually.Until(() => provider.Status.LastError is not null, "the scheduled refresh to fail");

        HealthReportEntry degraded = await CheckAsync(host);
        Assert.True(jwks.RequestCount > before);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal(1, degraded.Data["keys"]);
        Assert.Equal((RefreshInterval * 1.1).TotalSeconds, (double)degraded.Data["stalenessSeconds"], precision: 0);
        Assert.Contains("503", (string)degraded.Data["lastError"], StringComparison.Ordinal);

        clock.Advance(MaxStaleness);

        HealthReportEntry unhealthy = await CheckAsync(host);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Equal(0, unhealthy.Data["keys"]);
        Assert.Contains("KeysUnavailable", unhealthy.Description, StringComparison.Ordinal);

        jwks.Serve(TestKey.Jwks(TestKey.Default));
        Assert.True(await provider.RefreshAsync());

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
    }

    [Fact]
    public async Task RemoteJwks_NeverLoaded_IsUnhealthy()
    {
        await using JwksServer jwks = await JwksServer.StartAsync(TestKey.Jwks(TestKey.Default));
        jwks.FailWith(500);
        using IHost host = await StartAsync(jwks, new FakeTimeProvider(DateTimeOffset.UtcNow));
        Assert.False(await host.Services.GetRequiredService<JwksKeyProvider>().WarmUpAsync());

        HealthReportEntry entry = await CheckAsync(host);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(0, entry.Data["keys"]);
        Assert.Contains("500", (string)entry.Data["lastError"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoteJwks_TwoUrlsServingDifferentKeysUnderOneKid_IsUnhealthy()
    {
        var first = new TestKey("shared");
        var second = new TestKey("shared");
        await using JwksServer jwks = await JwksServer.StartAsync(TestKey.Jwks(first));
        jwks.Serve(TestKey.Jwks(second), JwksServer.SecondPath);
        using IHost host = await StartAsync(jwks, new FakeTimeProvider(DateTimeOffset.UtcNow), options => options.JwksUrls = [jwks.Url, jwks.SecondUrl]);
        Assert.True(await host.Services.GetRequiredService<JwksKeyProvider>().WarmUpAsync()); // both fetches succeed

        // The merged set skips the ambiguous kid: nothing is left to verify with.
        PortkeyJwtResult result = await host.Services.GetRequiredService<PortkeyJwtValidator>().ValidateAsync(Tokens.Mint(key: first));
        HealthReportEntry entry = await CheckAsync(host);

        Assert.Equal(PortkeyJwtError.UnknownKey, result.Error);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(0, entry.Data["keys"]);
        Assert.False(entry.Data.ContainsKey("lastError"));
        Assert.Contains("ambiguous", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoteJwks_OneDocumentWithDifferentKeysUnderOneKid_IsUnhealthy()
    {
        await using JwksServer jwks = await JwksServer.StartAsync(TestKey.Jwks(new TestKey("shared"), new TestKey("shared")));
        using IHost host = await StartAsync(jwks, new FakeTimeProvider(DateTimeOffset.UtcNow));
        Assert.False(await host.Services.GetRequiredService<JwksKeyProvider>().WarmUpAsync());

        HealthReportEntry entry = await CheckAsync(host);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(0, entry.Data["keys"]);
        Assert.Contains("no key in the set is usable", (string)entry.Data["lastError"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaticJwks_IsHealthy()
    {
        using IHost host = await StartStaticAsync(options => options.AllowedAlgorithms = ["ES256"]);

        HealthReportEntry entry = await CheckAsync(host);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(1, entry.Data["keys"]);
        Assert.Equal(1, entry.Data["usableKeys"]);
    }

    [Fact]
    public async Task StaticJwks_NoKeyFitsTheAllowedAlgorithms_IsUnhealthy()
    {
        // An EC P-256 key, while only RS256 (the default) is allowed: the key loads, and every token is rejected.
        using IHost host = await StartStaticAsync(options => { });

        PortkeyJwtResult result = await host.Services.GetRequiredService<PortkeyJwtValidator>().ValidateAsync(Tokens.Mint());
        HealthReportEntry entry = await CheckAsync(host);

        Assert.False(result.IsValid);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(1, entry.Data["keys"]);
        Assert.Equal(0, entry.Data["usableKeys"]);
        Assert.Contains("allowed algorithms", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoteJwks_NoKeyMeetsTheMinimumRsaKeySize_IsUnhealthy()
    {
        using var rsa = RSA.Create(2048);
        RSAParameters p = rsa.ExportParameters(false);
        var jwk = new JsonObject { ["kty"] = "RSA", ["kid"] = "rsa-2048", ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent) };
        await using JwksServer jwks = await JwksServer.StartAsync(new JsonObject { ["keys"] = new JsonArray(jwk) }.ToJsonString());
        using IHost host = await StartAsync(jwks, new FakeTimeProvider(DateTimeOffset.UtcNow), options =>
        {
            options.AllowedAlgorithms = ["RS256"];
            options.MinimumRsaKeySize = 3072;
        });
        Assert.True(await host.Services.GetRequiredService<JwksKeyProvider>().WarmUpAsync());

        HealthReportEntry entry = await CheckAsync(host);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(1, entry.Data["keys"]);
        Assert.Equal(0, entry.Data["usableKeys"]);
    }

    private static async Task<IHost> StartStaticAsync(Action<PortkeyJwtServiceOptions> configure)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddPortkeyJwt(options =>
        {
            options.JwksJson = TestKey.Jwks(TestKey.Default);
            configure(options);
        });
        builder.Services.AddHealthChecks().AddPortkeyJwt();
        IHost host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task<IHost> StartAsync(JwksServer jwks, FakeTimeProvider clock, Action<PortkeyJwtServiceOptions>? configure = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddPortkeyJwt(options =>
        {
            options.JwksUrls = [jwks.Url];
            options.RefreshInterval = RefreshInterval;
            options.MaxStaleness = MaxStaleness;
            options.AllowedAlgorithms = ["ES256"];
            configure?.Invoke(options);
        });
        builder.Services.AddHealthChecks().AddPortkeyJwt();
        IHost host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task<HealthReportEntry> CheckAsync(IHost host)
    {
        HealthReport report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries[PortkeyJwtDefaults.HealthCheckName];
    }
}
