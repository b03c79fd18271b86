using System.Globalization;
using System.Reflection;

namespace PortkeyJwt.Tests.Remote;

/// <summary>Options are checked once, at construction: a value out of range throws naming the option.</summary>
public sealed class OptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new JwksKeyProviderOptions();

        Assert.Empty(options.JwksUrls);
        Assert.True(options.RequireHttps);
        Assert.Equal(TimeSpan.FromSeconds(5), options.FetchTimeout);
        Assert.Equal(1024 * 1024, options.MaxResponseBytes);
        Assert.Equal(100, options.MaxKeys);
        Assert.Equal(TimeSpan.FromMinutes(15), options.RefreshInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MinRefreshInterval);
        Assert.Equal(TimeSpan.FromHours(24), options.MaxRefreshInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), options.UnknownKeyCooldown);
        Assert.Equal(TimeSpan.FromSeconds(1), options.RetryDelay);
        Assert.Equal(TimeSpan.FromHours(24), options.MaxStaleness);
        Assert.Equal(10_000, options.UnknownKeyCacheSize);
        Assert.Equal(TimeSpan.FromHours(24), options.DiscoveryRefreshInterval);
    }

    [Theory]
    [InlineData("FetchTimeout", "00:00:00.099")]
    [InlineData("FetchTimeout", "00:01:00.001")]
    [InlineData("FetchTimeout", "-00:00:01")]
    [InlineData("MaxResponseBytes", "1023")]
    [InlineData("MaxResponseBytes", "16777217")]
    [InlineData("MaxResponseBytes", "-1")]
    [InlineData("MaxKeys", "0")]
    [InlineData("MaxKeys", "1001")]
    [InlineData("RefreshInterval", "00:00:00.999")]
    [InlineData("RefreshInterval", "7.00:00:00.001")]
    [InlineData("RefreshInterval", "00:00:00")]
    [InlineData("MinRefreshInterval", "00:00:00.999")]
    [InlineData("MinRefreshInterval", "7.00:00:00.001")]
    [InlineData("MaxRefreshInterval", "00:00:59.999")] // below MinRefreshInterval (1 minute)
    [InlineData("MaxRefreshInterval", "7.00:00:00.001")]
    [InlineData("UnknownKeyCooldown", "00:00:00.999")]
    [InlineData("UnknownKeyCooldown", "01:00:00.001")]
    [InlineData("RetryDelay", "00:00:00.099")]
    [InlineData("RetryDelay", "01:00:00.001")]
    [InlineData("MaxStaleness", "00:00:59.999")]
    [InlineData("MaxStaleness", "30.00:00:00.001")]
    [InlineData("UnknownKeyCacheSize", "15")]
    [InlineData("UnknownKeyCacheSize", "1000001")]
    [InlineData("DiscoveryRefreshInterval", "00:00:59.999")]
    [InlineData("DiscoveryRefreshInterval", "30.00:00:00.001")]
    public void Option_OutOfRange_ThrowsArgumentOutOfRange_NamingTheOption(string option, string value)
    {
        JwksKeyProviderOptions options = Valid();
        Set(options, option, value);

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => new JwksKeyProvider(options, httpClient: null, Tokens.Clock()));

        Assert.Equal(option, error.ParamName);
    }

    [Theory]
    [InlineData("FetchTimeout", "00:00:00.100")]
    [InlineData("FetchTimeout", "00:01:00")]
    [InlineData("MaxResponseBytes", "1024")]
    [InlineData("MaxResponseBytes", "16777216")]
    [InlineData("MaxKeys", "1")]
    [InlineData("MaxKeys", "1000")]
    [InlineData("RefreshInterval", "00:00:01")]
    [InlineData("RefreshInterval", "7.00:00:00")]
    [InlineData("MinRefreshInterval", "00:00:01")]
    [InlineData("MaxRefreshInterval", "00:01:00")]
    [InlineData("MaxRefreshInterval", "7.00:00:00")]
    [InlineData("UnknownKeyCooldown", "00:00:01")]
    [InlineData("UnknownKeyCooldown", "01:00:00")]
    [InlineData("RetryDelay", "00:00:00.100")]
    [InlineData("RetryDelay", "01:00:00")]
    [InlineData("MaxStaleness", "00:01:00")]
    [InlineData("MaxStaleness", "30.00:00:00")]
    [InlineData("UnknownKeyCacheSize", "16")]
    [InlineData("UnknownKeyCacheSize", "1000000")]
    [InlineData("DiscoveryRefreshInterval", "00:01:00")]
    [InlineData("DiscoveryRefreshInterval", "30.00:00:00")]
    public void Option_AtTheEdgeOfItsRange_IsAccepted(string option, string value)
    {
        JwksKeyProviderOptions options = Valid();
        Set(options, option, value);
        using var handler = new OfflineHandler();
        using var client = new HttpClient(handler);

        using var provider = new JwksKeyProvider(options, client, Tokens.Clock());

        Assert.False(provider.Status.IsAvailable);
    }

    [Theory]
    [InlineData(null)] // no URL at all
    [InlineData("/jwks.json")] // relative
    [InlineData("ftp://example.com/jwks.json")]
    [InlineData("file:///etc/jwks.json")]
    [InlineData("ws://127.0.0.1/jwks.json")]
    public void JwksUrls_EmptyRelativeOrNotHttp_ThrowsArgumentOutOfRange_NamingJwksUrls(string? url)
    {
        var options = new JwksKeyProviderOptions { JwksUrls = url is null ? [] : [new Uri(url, UriKind.RelativeOrAbsolute)] };

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => new JwksKeyProvider(options, httpClient: null, Tokens.Clock()));

        Assert.Equal(nameof(JwksKeyProviderOptions.JwksUrls), error.ParamName);
    }

    [Fact]
    public void JwksUrls_NullListOrNullEntry_ThrowsArgumentOutOfRange_NamingJwksUrls()
    {
        var nullList = new JwksKeyProviderOptions { JwksUrls = null! };
        var nullEntry = new JwksKeyProviderOptions { JwksUrls = [new Uri("https://example.com/jwks.json"), null!] };

        Assert.Equal("JwksUrls", Assert.Throws<ArgumentOutOfRangeException>(() => new JwksKeyProvider(nullList, httpClient: null, Tokens.Clock())).ParamName);
        Assert.Equal("JwksUrls", Assert.Throws<ArgumentOutOfRangeException>(() => new JwksKeyProvider(nullEntry, httpClient: null, Tokens.Clock())).ParamName);
    }

    [Fact]
    public void NullOptions_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => new JwksKeyProvider(null!, httpClient: null, Tokens.Clock()));
    }

    [Fact]
    public async Task Options_ChangedAfterConstruction_HaveNoEffect()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        var options = new JwksKeyProviderOptions { JwksUrls = [server.Url], MaxKeys = 1 };
        using var provider = new JwksKeyProvider(options, httpClient: null, Tokens.Clock());
        Assert.True(await provider.WarmUpAsync());

        options.JwksUrls.Clear();
        options.MaxKeys = 1000;
        server.Serve(TestKey.Jwks(Remote.A, Remote.B));

        Assert.False(await provider.RefreshAsync()); // still one key at most
        Assert.Equal(2, server.RequestCount); // still the original URL
    }

    [Fact]
    public async Task SameUrlTwice_IsFetchedOnce()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        using JwksKeyProvider provider = Remote.Provider(server, Tokens.Clock(), o => o.JwksUrls = [server.Url, server.Url]);

        Assert.True(await provider.WarmUpAsync());
        Assert.Equal(1, server.RequestCount);
    }

    private static JwksKeyProviderOptions Valid() => new() { JwksUrls = [new Uri("https://idp.example.com/.well-known/jwks.json")] };

    private static void Set(JwksKeyProviderOptions options, string option, string value)
    {
        PropertyInfo property = typeof(JwksKeyProviderOptions).GetProperty(option) ?? throw new ArgumentException($"No option {option}.", nameof(option));
        object parsed = property.PropertyType == typeof(TimeSpan)
            ? TimeSpan.Parse(value, CultureInfo.InvariantCulture)
            : int.Parse(value, CultureInfo.InvariantCulture);
        property.SetValue(options, parsed);
    }
}
