using System.Net;
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
            "RefreshInterval": "00:10:00",
            "UnknownKeyCooldown": "00:00:45",
            "MaxStaleness": "06:00:00",
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
            "ValidationCacheSize": 500
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
        Assert.Equal(TimeSpan.FromMinutes(10), options.RefreshInterval);
        Assert.Equal(TimeSpan.FromSeconds(45), options.UnknownKeyCooldown);
        Assert.Equal(TimeSpan.FromHours(6), options.MaxStaleness);
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
    }

    [Fact]
    public void Section_MapsOntoTheCoreOptions()
    {
        PortkeyJwtServiceOptions options = Bind(EveryField);

        JwksKeyProviderOptions provider = options.ToProviderOptions();
        PortkeyJwtOptions validator = options.ToValidatorOptions();

        Assert.Equal(options.JwksUrls, provider.JwksUrls);
        Assert.Equal((false, TimeSpan.FromSeconds(3), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(45), TimeSpan.FromHours(6)), (provider.RequireHttps, provider.FetchTimeout, provider.RefreshInterval, provider.UnknownKeyCooldown, provider.MaxStaleness));
        Assert.Equal(["ES256", "RS256"], validator.AllowedAlgorithms);
        Assert.Equal(["https://auth.example.com"], validator.ValidIssuers);
        Assert.Equal(["gateway", "gateway-eu"], validator.ValidAudiences);
        Assert.Equal(["completions.write"], validator.RequiredScopes);
        Assert.Equal((TimeSpan.FromSeconds(90), "at+jwt", 8192, 3072, false, TimeSpan.FromMinutes(2), 500), (validator.ClockSkew, validator.RequiredType, validator.MaxTokenLength, validator.MinimumRsaKeySize, validator.ValidationCache, validator.ValidationCacheDuration, validator.ValidationCacheSize));
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
        Assert.Equal((providerDefaults.RequireHttps, providerDefaults.FetchTimeout, providerDefaults.RefreshInterval, providerDefaults.UnknownKeyCooldown, providerDefaults.MaxStaleness), (provider.RequireHttps, provider.FetchTimeout, provider.RefreshInterval, provider.UnknownKeyCooldown, provider.MaxStaleness));
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
