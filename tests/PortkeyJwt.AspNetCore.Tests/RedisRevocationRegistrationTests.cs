using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortkeyJwt.Redis;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary>
/// <c>AddPortkeyJwtRedisRevocation</c> without Redis: the options it binds and refuses, and the list it registers, which
/// the PortkeyJwt validator enforces whichever registration comes first. No host is started, so nothing connects.
/// </summary>
public sealed class RedisRevocationRegistrationTests
{
    public static TheoryData<string, string?, string> InvalidSettings => new()
    {
        { "Redis", null, "PortkeyJwt:Revocation:Redis: no Redis connection string" },
        { "Redis", "  ", "PortkeyJwt:Revocation:Redis: no Redis connection string" },
        { "Redis", "localhost:6379,connectTimeout=soon", "PortkeyJwt:Revocation:Redis: not a StackExchange.Redis connection string" },
        { "KeyPrefix", "", "PortkeyJwt:Revocation:KeyPrefix: KeyPrefix must not be empty" },
        { "PollInterval", "00:00:00.050", "PortkeyJwt:Revocation:PollInterval: PollInterval must be from 100 ms to 5 minutes" },
        { "PollInterval", "00:06:00", "PortkeyJwt:Revocation:PollInterval: PollInterval must be from 100 ms to 5 minutes" },
        { "MaxStaleness", "00:00:00.500", "PortkeyJwt:Revocation:MaxStaleness: MaxStaleness must be from 1 second to 1 day" },
        { "MaxStaleness", "2.00:00:00", "PortkeyJwt:Revocation:MaxStaleness: MaxStaleness must be from 1 second to 1 day" },
        { "MaxStaleness", "00:00:05", "PortkeyJwt:Revocation:MaxStaleness: MaxStaleness must be longer than PollInterval" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Configuration_InvalidSetting_FailsWithOptionsValidationException_NamingTheKey(string key, string? value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Redis"] = "localhost:6379", [key] = value };
        using ServiceProvider services = Build(settings);

        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RedisRevocationOptions>>().Value);

        Assert.Contains(ex.Failures, failure => failure.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Configuration_EveryKey_IsBound_AndTheListTakesItsBounds()
    {
        using ServiceProvider services = Build(new Dictionary<string, string?>
        {
            ["Redis"] = "redis.internal:6380,password=secret",
            ["KeyPrefix"] = "fleet-a:",
            ["PollInterval"] = "00:00:02",
            ["MaxStaleness"] = "00:01:00",
            ["FailOpen"] = "true",
        });

        RedisRevocationOptions options = services.GetRequiredService<IOptions<RedisRevocationOptions>>().Value;
        RevocationList list = services.GetRequiredService<RevocationList>();

        Assert.Equal(("redis.internal:6380,password=secret", "fleet-a:", TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), true), (options.Redis, options.KeyPrefix, options.PollInterval, options.MaxStaleness, options.FailOpen));
        Assert.Equal((TimeSpan.FromMinutes(1), true), (list.MaxStaleness, list.FailOpen));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Validator_EnforcesTheRegisteredList_BeforeAnySync_WhicheverRegistrationComesFirst(bool revocationFirst)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var collection = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(clock);
        Action<IServiceCollection> revocation = s => s.AddPortkeyJwtRedisRevocation(o => o.Redis = "127.0.0.1:1");
        Action<IServiceCollection> portkey = s => s.AddPortkeyJwt(o =>
        {
            o.JwksJson = TestKey.Jwks(TestKey.Default);
            o.AllowedAlgorithms = ["ES256"];
        });
        (revocationFirst ? revocation : portkey)(collection);
        (revocationFirst ? portkey : revocation)(collection);
        await using ServiceProvider services = collection.BuildServiceProvider();
        PortkeyJwtValidator validator = services.GetRequiredService<PortkeyJwtValidator>(); // before the list is synced, as a first request may
        RevocationList list = services.GetRequiredService<RevocationList>();
        string token = Tokens.Mint(Tokens.Claims(clock.GetUtcNow()).With(("jti", "jti-stolen")));

        PortkeyJwtResult neverSynced = await validator.ValidateAsync(token);
        list.ReplaceAll([]); // what the sync does on its first full sync
        PortkeyJwtResult synced = await validator.ValidateAsync(token);
        list.Add(Revocation.Token("jti-stolen", clock.GetUtcNow().AddHours(1)));
        PortkeyJwtResult revoked = await validator.ValidateAsync(token);
        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1)); // past the default MaxStaleness without a sync
        PortkeyJwtResult stale = await validator.ValidateAsync(Tokens.Mint(Tokens.Claims(clock.GetUtcNow())));

        Assert.Equal(
            (PortkeyJwtError.RevocationUnavailable, PortkeyJwtError.None, PortkeyJwtError.Revoked, PortkeyJwtError.RevocationUnavailable),
            (neverSynced.Error, synced.Error, revoked.Error, stale.Error));
    }

    [Fact]
    public async Task Container_HostNeverStarted_DisposesTheSyncServiceOnce()
    {
        ServiceProvider services = Build(new Dictionary<string, string?> { ["Redis"] = "127.0.0.1:1" });
        _ = services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().ToList(); // the sync service, also registered as itself

        Exception? thrown = await Record.ExceptionAsync(async () => await services.DisposeAsync()); // as a host whose start failed does

        Assert.Null(thrown);
    }

    private static ServiceProvider Build(Dictionary<string, string?> revocationSettings)
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(revocationSettings.Select(pair => KeyValuePair.Create($"PortkeyJwt:Revocation:{pair.Key}", pair.Value)))
            .Build();
        return new ServiceCollection().AddLogging().AddPortkeyJwtRedisRevocation(configuration.GetSection("PortkeyJwt:Revocation")).BuildServiceProvider();
    }
}
