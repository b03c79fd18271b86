using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary>The first JWKS fetch begins when the host starts, not on the first request, and never holds the start up.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task HostStart_BeginsTheFirstJwksFetch_BeforeAnyRequest()
    {
        await using JwksServer jwks = await JwksServer.StartAsync(TestKey.Jwks(TestKey.Default));
        using IHost host = await StartAsync(jwks);

        // Nothing here resolves the provider or sends a request: only the host's start can have fetched.
        await Eventually.Until(() => jwks.RequestCount == 1, "the JWKS fetch started by the host");
        JwksKeyProvider provider = host.Services.GetRequiredService<JwksKeyProvider>();
        await Eventually.Until(() => provider.KeyCount == 1, "the fetched key set");
        Assert.Equal(1, jwks.RequestCount);
    }

    [Fact]
    public async Task HostStart_DoesNotWaitForTheFirstFetch()
    {
        await using JwksServer jwks = await JwksServer.StartAsync(TestKey.Jwks(TestKey.Default));
        TaskCompletionSource release = jwks.Hold();

        // A start that awaited the fetch would hang until the release or the 1-minute fetch timeout.
        using IHost host = await StartAsync(jwks, TimeSpan.FromMinutes(1)).WaitAsync(TimeSpan.FromSeconds(20));
        await Eventually.Until(() => jwks.RequestCount == 1, "the held JWKS request");
        JwksKeyProvider provider = host.Services.GetRequiredService<JwksKeyProvider>();
        Assert.Equal(0, provider.KeyCount);

        release.SetResult();
        await Eventually.Until(() => provider.KeyCount == 1, "the key set once the response is released");
    }

    [Fact]
    public async Task HostStart_WithTheIdentityProviderDown_StillFetchesAtStart_AndReportsWhy()
    {
        await using JwksServer jwks = await JwksServer.StartAsync(TestKey.Jwks(TestKey.Default));
        jwks.FailWith(503);
        using IHost host = await StartAsync(jwks);

        await Eventually.Until(() => jwks.RequestCount >= 1, "the failing JWKS fetch started by the host"); // before anything resolves the provider
        JwksKeyProvider provider = host.Services.GetRequiredService<JwksKeyProvider>();
        await Eventually.Until(() => provider.Status.LastError is not null, "the failed first fetch");
        Assert.Contains("503", provider.Status.LastError, StringComparison.Ordinal);
        Assert.Equal(0, provider.KeyCount);
    }

    [Fact]
    public async Task AddPortkeyJwtTwice_RegistersOneWarmUp()
    {
        var services = new ServiceCollection();
        services.AddPortkeyJwt(options => options.JwksJson = TestKey.Jwks(TestKey.Default));
        services.AddPortkeyJwt(options => options.AllowedAlgorithms = ["ES256"]);

        await using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Single(provider.GetServices<IHostedService>());
    }

    private static async Task<IHost> StartAsync(JwksServer jwks, TimeSpan? fetchTimeout = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddPortkeyJwt(options =>
        {
            options.JwksUrls = [jwks.Url];
            options.FetchTimeout = fetchTimeout ?? options.FetchTimeout;
        });
        IHost host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
