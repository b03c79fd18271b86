using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace PortkeyJwt.Redis.Internal;

/// <summary>
/// Checks <see cref="RedisRevocationOptions"/> when the host starts (<c>ValidateOnStart</c>), each failure named by its
/// configuration key: a Redis connection string StackExchange.Redis can parse, a key prefix, <c>PollInterval</c> from 100 ms
/// to 5 minutes, and <c>MaxStaleness</c> as the core's own <see cref="RevocationList.MaxStaleness"/> checks it (1 second to
/// 1 day), longer than <c>PollInterval</c> (else a healthy gateway would go stale between two polls).
/// </summary>
internal sealed class RedisOptionsValidator : IValidateOptions<RedisRevocationOptions>
{
    internal const string Section = "PortkeyJwt:Revocation";

    internal static readonly TimeSpan MinPollInterval = TimeSpan.FromMilliseconds(100);

    internal static readonly TimeSpan MaxPollInterval = TimeSpan.FromMinutes(5);

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

        if (string.IsNullOrEmpty(options.KeyPrefix))
        {
            failures.Add($"{Section}:KeyPrefix: must not be empty (default portkeyjwt:).");
        }

        if (options.PollInterval < MinPollInterval || options.PollInterval > MaxPollInterval)
        {
            failures.Add($"{Section}:PollInterval: must be from 100 ms to 5 minutes (configured: {options.PollInterval}).");
        }

        try
        {
            _ = new RevocationList { MaxStaleness = options.MaxStaleness }; // the core's own range
            if (options.MaxStaleness <= options.PollInterval)
            {
                failures.Add($"{Section}:MaxStaleness: must be longer than PollInterval ({options.PollInterval}), or the list goes stale between two polls (configured: {options.MaxStaleness}).");
            }
        }
        catch (ArgumentOutOfRangeException)
        {
            failures.Add($"{Section}:MaxStaleness: must be from 1 second to 1 day (configured: {options.MaxStaleness}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
