using System.CommandLine;
using PortkeyJwt.Redis;
using StackExchange.Redis;

namespace PortkeyJwt.Cli;

/// <summary>The <c>--redis</c> and <c>--key-prefix</c> options of <c>revoke</c> and <c>revocations</c>, and the connection they make.</summary>
internal static class RedisConnection
{
    public static Option<string> RedisOption() => new("--redis")
    {
        Description = "The StackExchange.Redis connection string, e.g. localhost:6379 or host:6380,ssl=true,password=…,connectTimeout=2000.",
        Required = true,
    };

    public static Option<string> KeyPrefixOption() => new("--key-prefix")
    {
        Description = "The prefix of the revocation keys; the gateways' PortkeyJwt:Revocation:KeyPrefix.",
        DefaultValueFactory = _ => "portkeyjwt:",
    };

    /// <summary>
    /// Connects and runs <paramref name="action"/> on the store. An invalid connection string, an unreachable Redis or a
    /// failed command is one <c>error:</c> line (the endpoints only, never the password) and <see cref="ExitCodes.Usage"/>,
    /// as an unreachable JWKS is for <c>validate</c>.
    /// </summary>
    public static async Task<int> RunAsync(CliIo io, string connection, string keyPrefix, Func<RedisRevocationStore, Task<int>> action)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connection);
        }
        catch (ArgumentException)
        {
            await io.Error.WriteLineAsync("error: --redis is not a valid StackExchange.Redis connection string.");
            return ExitCodes.Usage;
        }

        if (string.IsNullOrEmpty(keyPrefix))
        {
            await io.Error.WriteLineAsync("error: --key-prefix must not be empty.");
            return ExitCodes.Usage;
        }

        string endpoints = string.Join(", ", options.EndPoints.Select(e => e.ToString()));
        try
        {
            await using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(options, TextWriter.Null);
            return await action(new RedisRevocationStore(redis, keyPrefix));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            await io.Error.WriteLineAsync($"error: Redis at {(endpoints.Length == 0 ? "(no endpoint)" : endpoints)} failed: {e.GetType().Name}.");
            return ExitCodes.Usage;
        }
    }
}
