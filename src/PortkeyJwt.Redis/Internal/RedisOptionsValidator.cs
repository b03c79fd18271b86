using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace PortkeyJwt.Redis.Internal;

/// <summary>
/// Checks <see cref="RedisRevocationOptions"/> when the host starts (<c>ValidateOnStart</c>), each failure named by its
/// configuration key: a Redis connection string StackExchange.Redis can parse, then the ranges the sync itself enforces
/// (<see cref="RedisRevocationOptions.Validate"/>: a key prefix, <c>PollInterval</c> from 100 ms to 5 minutes,
/// <c>MaxStaleness</c> from 1 second to 1 day; the first one out of range is reported), and <c>MaxStaleness</c> longer than
/// <c>PollInterval</c> (else a healthy gateway would go stale between two polls).
/// </summary>
internal sealed class RedisOptionsValidator : IValidateOptions<RedisRevocationOptions>
{
    internal const string Section = "PortkeyJwt:Revocation";

    public ValidateOptionsResult Validate(string? name, RedisRevocationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Redis))
        {
            failures.Add($"{Section}:Redis: no Redis connection string is configured (such as localhost:6379).");
        }
        else
        {
            try
            {
                _ = ConfigurationOptions.Parse(options.Redis);
            }
            catch (ArgumentException ex)
            {
                failures.Add($"{Section}:Redis: not a StackExchange.Redis connection string: {ex.Message.Split('\n')[0]}");
            }
        }

        try
        {
            options.Validate(); // the ranges RedisRevocationSync.StartAsync enforces, reported here at host start
            if (options.MaxStaleness <= options.PollInterval)
            {
                failures.Add($"{Section}:MaxStaleness: MaxStaleness must be longer than PollInterval ({options.PollInterval}), or the list goes stale between two polls (configured: {options.MaxStaleness}).");
            }
        }
        catch (ArgumentOutOfRangeException ex)
        {
            failures.Add($"{Section}:{ex.ParamName}: {ex.Message.Split('\n')[0].Split(" (Parameter '")[0].Trim()} (configured: {ex.ActualValue})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
