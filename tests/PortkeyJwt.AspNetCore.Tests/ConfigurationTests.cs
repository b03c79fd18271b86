using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary>Binding the <c>"PortkeyJwt"</c> configuration section, and refusing to start on unsafe or incomplete settings.</summary>
public sealed class ConfigurationTests
{
    private const string EveryField = """
        {
          "PortkeyJwt": {
            "JwksUrls": [ "https://auth.example.com/.well-known/jwks.json", "https://backup.example.com/jwks.json" ],
            "RequireHttps": false,
            "FetchTimeout": "00:00:03",
            "MaxResponseBytes": 65536,
            "MaxKeys": 20,
            "RefreshInterval": "00:10:00",
            "MinRefreshInterval": "00:00:30",
            "MaxRefreshInterval": "12:00:00",
            "UnknownKeyCooldown": "00:00:45",
            "RetryDelay": "00:00:02",
            "MaxStaleness": "06:00:00",
            "UnknownKeyCacheSize": 2000,
            "DiscoveryRefreshInterval": "12:00:00",
            "MaxConcurrentFetches": 3,
            "AnchorIdleTimeout": "02:00:00",
            "ClockSkew": "00:01:30",
            "AllowedAlgorithms": [ "ES256", "RS256" ],
            "ValidIssuers": [ "https://auth.example.com" ],
            "ValidAudiences": [ "gateway", "gateway-eu" ],
            "RequiredType": "at+jwt",
            "MaxTokenLength": 8192,
            "RequiredScopes": [ "completions.write" ],
            "MinimumRsaKeySize": 3072,
            "ValidationCache": false,
            "ValidationCacheDuration": "00:02:00",
            "ValidationCacheSize": 500,
            "TagMetricsWithIssuer": true,
            "CapturedClaims": [ "tier", "team" ],
            "CaptureAllClaims": true,
            "RoleClaim": "roles"
          }
        }
        """;

    [Fact]
    public void Section_BindsEveryField()
    {
        PortkeyJwtServiceOptions options = Bind(EveryField);

        Assert.Equal([new Uri("https://auth.example.com/.well-known/jwks.json"), new Uri("https://backup.example.com/jwks.json")], options.JwksUrls);
        Assert.Null(options.JwksJson);
        Assert.False(options.RequireHttps);
        Assert.Equal(TimeSpan.FromSeconds(3), options.FetchTimeout);
        Assert.Equal(65536, options.MaxResponseBytes);
        Assert.Equal(20, options.MaxKeys);
        Assert.Equal(TimeSpan.FromMinutes(10), options.RefreshInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MinRefreshInterval);
        Assert.Equal(TimeSpan.FromHours(12), options.MaxRefreshInterval);
        Assert.Equal(TimeSpan.FromSeconds(45), options.UnknownKeyCooldown);
        Assert.Equal(TimeSpan.FromSeconds(2), options.RetryDelay);
        Assert.Equal(TimeSpan.FromHours(6), options.MaxStaleness);
        Assert.Equal(2000, options.UnknownKeyCacheSize);
        Assert.Equal(TimeSpan.FromHours(12), options.DiscoveryRefreshInterval);
        Assert.Equal(3, options.MaxConcurrentFetches);
        Assert.Equal(TimeSpan.FromHours(2), options.AnchorIdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), options.ClockSkew);
        Assert.Equal(["ES256", "RS256"], options.AllowedAlgorithms);
        Assert.Equal(["https://auth.example.com"], options.ValidIssuers);
        Assert.Equal(["gateway", "gateway-eu"], options.ValidAudiences);
        Assert.Equal("at+jwt", options.RequiredType);
        Assert.Equal(8192, options.MaxTokenLength);
        Assert.Equal(["completions.write"], options.RequiredScopes);
        Assert.Equal(3072, options.MinimumRsaKeySize);
        Assert.False(options.ValidationCache);
        Assert.Equal(TimeSpan.FromMinutes(2), options.ValidationCacheDuration);
        Assert.Equal(500, options.ValidationCacheSize);
        Assert.True(options.TagMetricsWithIssuer);
        Assert.Equal(["tier", "team"], options.CapturedClaims);
        Assert.True(options.CaptureAllClaims);
        Assert.Equal("roles", options.RoleClaim);
    }

    [Fact]
    public void Section_MapsOntoTheCoreOptions()
    {
        PortkeyJwtServiceOptions options = Bind(EveryField);

        JwksKeyProviderOptions provider = options.ToProviderOptions();
        PortkeyJwtOptions validator = options.ToValidatorOptions();

        Assert.Equal(options.JwksUrls, provider.JwksUrls);
        Assert.Equal(
            (false, TimeSpan.FromSeconds(3), 65536, 20, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30), TimeSpan.FromHours(12), TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(2), TimeSpan.FromHours(6), 2000),
            (provider.RequireHttps, provider.FetchTimeout, provider.MaxResponseBytes, provider.MaxKeys, provider.RefreshInterval, provider.MinRefreshInterval, provider.MaxRefreshInterval, provider.UnknownKeyCooldown, provider.RetryDelay, provider.MaxStaleness, provider.UnknownKeyCacheSize));
        Assert.Equal(["ES256", "RS256"], validator.AllowedAlgorithms);
        Assert.Equal(["https://auth.example.com"], validator.ValidIssuers);
        Assert.Equal(["gateway", "gateway-eu"], validator.ValidAudiences);
        Assert.Equal(["completions.write"], validator.RequiredScopes);
        Assert.Equal((TimeSpan.FromSeconds(90), "at+jwt", 8192, 3072, false, TimeSpan.FromMinutes(2), 500), (validator.ClockSkew, validator.RequiredType, validator.MaxTokenLength, validator.MinimumRsaKeySize, validator.ValidationCache, validator.ValidationCacheDuration, validator.ValidationCacheSize));
        Assert.True(validator.TagMetricsWithIssuer);
        Assert.Equal(["tier", "team"], validator.CapturedClaims);
        Assert.True(validator.CaptureAllClaims);
        Assert.Equal("roles", validator.RoleClaim);
    }

    [Theory]
    [InlineData(typeof(JwksKeyProviderOptions))]
    [InlineData(typeof(PortkeyJwtOptions))]
    public void ServiceOptions_CarryEverySettableCoreOption_ToTheCoreOptions(Type coreType)
    {
        // Every setting of the full section differs from the core default, so a setting that is not carried over shows.
        PortkeyJwtServiceOptions options = Bind(EveryField);
        object core = coreType == typeof(JwksKeyProviderOptions) ? options.ToProviderOptions() : options.ToValidatorOptions();
        object defaults = Activator.CreateInstance(coreType)!;

        // Revocations is a live object, not a setting: the RevocationList registered in the container (RevocationTests).
        foreach (PropertyInfo property in coreType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.Name != nameof(PortkeyJwtOptions.Revocations)))
        {
            PropertyInfo? counterpart = typeof(PortkeyJwtServiceOptions).GetProperty(property.Name);
            Assert.True(counterpart is not null && counterpart.PropertyType == property.PropertyType && counterpart.CanWrite, $"PortkeyJwtServiceOptions has no settable {property.PropertyType.Name} {property.Name}.");
            Assert.True(Same(counterpart.GetValue(options), property.GetValue(core)), $"{property.Name} is not carried to {coreType.Name}.");
            Assert.False(Same(property.GetValue(defaults), property.GetValue(core)), $"EveryField leaves {property.Name} at its default: give it another value.");
        }

        static bool Same(object? a, object? b) => a is System.Collections.IEnumerable x and not string && b is System.Collections.IEnumerable y
            ? x.Cast<object>().SequenceEqual(y.Cast<object>())
            : Equals(a, b);
    }

    [Fact]
    public async Task Section_MaxKeys_ReachesTheProvider()
    {
        await using JwksServer jwks = await JwksServer.StartAsync(TestKey.Jwks(new TestKey("a"), new TestKey("b")));
        using IHost host = BuildHost($$"""{ "PortkeyJwt": { "JwksUrls": [ "{{jwks.Url}}" ], "MaxKeys": 1 } }""");
        await host.StartAsync();

        JwksKeyProvider provider = host.Services.GetRequiredService<JwksKeyProvider>();
        Assert.False(await provider.WarmUpAsync());

        Assert.Contains("more than the limit of 1", provider.Status.LastError, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public void Section_WithOnlyASource_KeepsTheCoreDefaults_AndAllowsRs256Once()
    {
        PortkeyJwtServiceOptions options = Bind("""{ "PortkeyJwt": { "JwksUrls": [ "https://auth.example.com/jwks.json" ] } }""");

        PortkeyJwtOptions validator = options.ToValidatorOptions();
        PortkeyJwtOptions coreDefaults = new();
        JwksKeyProviderOptions providerDefaults = new();
        Assert.Equal(["RS256"], validator.AllowedAlgorithms);
        Assert.Equal((coreDefaults.ClockSkew, coreDefaults.RequiredType, coreDefaults.MaxTokenLength, coreDefaults.MinimumRsaKeySize, coreDefaults.ValidationCache, coreDefaults.ValidationCacheDuration, coreDefaults.ValidationCacheSize), (validator.ClockSkew, validator.RequiredType, validator.MaxTokenLength, validator.MinimumRsaKeySize, validator.ValidationCache, validator.ValidationCacheDuration, validator.ValidationCacheSize));
        Assert.Empty(validator.ValidIssuers);
        Assert.Empty(validator.RequiredScopes);
        JwksKeyProviderOptions provider = options.ToProviderOptions();
        Assert.Equal(
            (providerDefaults.RequireHttps, providerDefaults.FetchTimeout, providerDefaults.MaxResponseBytes, providerDefaults.MaxKeys, providerDefaults.RefreshInterval, providerDefaults.MinRefreshInterval, providerDefaults.MaxRefreshInterval, providerDefaults.UnknownKeyCooldown, providerDefaults.RetryDelay, providerDefaults.MaxStaleness, providerDefaults.UnknownKeyCacheSize),
            (provider.RequireHttps, provider.FetchTimeout, provider.MaxResponseBytes, provider.MaxKeys, provider.RefreshInterval, provider.MinRefreshInterval, provider.MaxRefreshInterval, provider.UnknownKeyCooldown, provider.RetryDelay, provider.MaxStaleness, provider.UnknownKeyCacheSize));
    }

    [Fact]
    public void Section_ListingAnAlgorithm_ReplacesTheDefaultInsteadOfAppending()
    {
        PortkeyJwtServiceOptions options = Bind("""{ "PortkeyJwt": { "JwksUrls": [ "https://auth.example.com/jwks.json" ], "AllowedAlgorithms": [ "ES256" ] } }""");

        Assert.Equal(["ES256"], options.ToValidatorOptions().AllowedAlgorithms);
    }

    [Fact]
    public void Section_WithAnEmptyRequiredType_TurnsTheTypCheckOff()
    {
        PortkeyJwtServiceOptions options = Bind("""{ "PortkeyJwt": { "JwksUrls": [ "https://auth.example.com/jwks.json" ], "RequiredType": "" } }""");

        Assert.Null(options.ToValidatorOptions().RequiredType);
    }

    [Fact]
    public async Task GatewayConfiguredFromAJsonFile_ValidatesTokens()
    {
        string file = Path.Combine(Path.GetTempPath(), $"portkeyjwt-{Guid.NewGuid():N}.json");
        var section = new JsonObject { ["JwksJson"] = TestKey.Jwks(TestKey.Default), ["AllowedAlgorithms"] = new JsonArray("ES256"), ["RequiredScopes"] = new JsonArray("completions.write") };
        await File.WriteAllTextAsync(file, new JsonObject { ["PortkeyJwt"] = section }.ToJsonString());
        try
        {
            HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Configuration.AddJsonFile(file);
            builder.Services.AddPortkeyJwt(builder.Configuration.GetSection("PortkeyJwt"));
            using IHost host = builder.Build();
            await host.StartAsync();

            PortkeyJwtValidator validator = host.Services.GetRequiredService<PortkeyJwtValidator>();
            PortkeyJwtResult valid = await validator.ValidateAsync(Tokens.Mint());
            PortkeyJwtResult lacking = await validator.ValidateAsync(Tokens.WithScope("logs.view"));

            Assert.True(valid.IsValid, valid.ToString());
            Assert.Equal(PortkeyJwtError.InsufficientScope, lacking.Error);
            await host.StopAsync();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("""{ }""", "no JWKS source is configured")]
    [InlineData("""{ "JwksUrls": [ "http://auth.example.com/jwks.json" ] }""", "'http://auth.example.com/jwks.json' does not use HTTPS")]
    [InlineData("""{ "JwksUrls": [ "https://auth.example.com/jwks.json" ], "JwksJson": "{\"keys\":[]}" }""", "configure exactly one JWKS source")]
    [InlineData("""{ "JwksJson": "{\"keys\":[]}" }""", "JwksJson: The JWKS cannot be used: the \"keys\" array is empty.")]
    [InlineData("""{ "JwksUrls": [ "https://auth.example.com/jwks.json" ], "ClockSkew": "00:10:00" }""", "ClockSkew: ClockSkew must be from zero to 5 minutes.")]
    [InlineData("""{ "JwksUrls": [ "https://auth.example.com/jwks.json" ], "MaxStaleness": "00:00:10" }""", "MaxStaleness: MaxStaleness must be from")]
    [InlineData("""{ "JwksUrls": [ "https://auth.example.com/jwks.json" ], "FetchTimeout": "00:05:00" }""", "FetchTimeout: FetchTimeout must be from")]
    [InlineData("""{ "JwksUrls": [ "https://auth.example.com/jwks.json" ], "MaxResponseBytes": 100 }""", "MaxResponseBytes: MaxResponseBytes must be from 1024 to 16777216. (configured: 100)")]
    [InlineData("""{ "JwksUrls": [ "https://auth.example.com/jwks.json" ], "MaxKeys": 0 }""", "MaxKeys: MaxKeys must be from 1 to 1000. (configured: 0)")]
    [InlineData("""{ "JwksUrls": [ "https://auth.example.com/jwks.json" ], "MinRefreshInterval": "00:00:00" }""", "MinRefreshInterval: MinRefreshInterval must be from")]
    [InlineData("""{ "JwksUrls": [ "https://auth.example.com/jwks.json" ], "MaxRefreshInterval": "8.00:00:00" }""", "MaxRefreshInterval: MaxRefreshInterval must be from")]
    [InlineData("""{ "JwksUrls": [ "https://auth.example.com/jwks.json" ], "RetryDelay": "00:00:00.010" }""", "RetryDelay: RetryDelay must be from")]
    [InlineData("""{ "JwksUrls": [ "https://auth.example.com/jwks.json" ], "UnknownKeyCacheSize": 1 }""", "UnknownKeyCacheSize: UnknownKeyCacheSize must be from 16 to 1000000. (configured: 1)")]
    [InlineData("""{ "JwksUrls": [ "https://auth.example.com/jwks.json" ], "AllowedAlgorithms": [ "HS256" ] }""", "AllowedAlgorithms: 'none' and HMAC algorithms are never accepted")]
    [InlineData("""{ "JwksUrls": [ "https://auth.example.com/jwks.json" ], "MaxTokenLength": 10 }""", "MaxTokenLength: MaxTokenLength must be from 256")]
    [InlineData("""{ "JwksUrls": [ "https://auth.example.com/jwks.json" ], "RequiredScopes": [ "two words" ] }""", "RequiredScopes: A scope must be printable ASCII")]
    public async Task HostStart_FailsWithAnOptionsValidationExceptionNamingTheProblem(string section, string expected)
    {
        using IHost host = BuildHost($$"""{ "PortkeyJwt": {{section}} }""");

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(typeof(PortkeyJwtServiceOptions), error.OptionsType);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("PortkeyJwt: ", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "JwksUrls": [ "http://127.0.0.1:1/jwks.json" ] }""")]
    [InlineData("""{ "JwksUrls": [ "http://idp.internal/jwks.json" ], "RequireHttps": false }""")]
    public async Task HostStart_AllowsPlainHttpOnlyToLoopbackOrWhenHttpsIsNotRequired(string section)
    {
        using IHost host = BuildHost($$"""{ "PortkeyJwt": {{section}} }""");

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task JwksHttpClient_DoesNotFollowRedirects()
    {
        await using JwksServer jwks = await JwksServer.StartAsync(TestKey.Jwks(TestKey.Default));
        jwks.RedirectTo(new Uri("https://attacker.example.com/jwks.json"));
        var services = new ServiceCollection();
        services.AddPortkeyJwt(options => options.JwksUrls = [jwks.Url]);
        await using ServiceProvider provider = services.BuildServiceProvider();

        using HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(PortkeyJwtDefaults.HttpClientName);
        using HttpResponseMessage response = await client.GetAsync(jwks.Url);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
    }

    [Fact]
    public async Task AddPortkeyJwt_KeepsATimeProviderAlreadyRegistered()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddPortkeyJwt(options => options.JwksJson = TestKey.Jwks(TestKey.Default));
        await using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Same(clock, provider.GetRequiredService<TimeProvider>());
    }

    private static PortkeyJwtServiceOptions Bind(string json)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddPortkeyJwt(configuration.GetSection("PortkeyJwt"));
        using ServiceProvider provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<PortkeyJwtServiceOptions>>().Value;
    }

    private static IHost BuildHost(string json)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        builder.Services.AddPortkeyJwt(builder.Configuration.GetSection("PortkeyJwt"));
        return builder.Build();
    }
}
