namespace PortkeyJwt.Redis;

/// <summary>How a gateway follows the revocations in Redis (<see cref="RedisRevocationSync"/>); the <c>PortkeyJwt:Revocation</c> configuration section.</summary>
public sealed class RedisRevocationOptions
{
    /// <summary>The StackExchange.Redis connection string, such as <c>localhost:6379</c>. Required when revocation is configured.</summary>
    public string? Redis { get; set; }

    /// <summary>Prefix of every key and channel the store uses; default <c>portkeyjwt:</c>. Gateways and tools sharing revocations use the same one.</summary>
    public string KeyPrefix { get; set; } = "portkeyjwt:";

    /// <summary>How often each gateway checks the change log for what pub/sub may have lost; default 5 seconds, from 100 ms to 5 minutes.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the last synced state is enforced while Redis cannot be reached; default 5 minutes, from 1 second to 1 day. Then validations fail with <see cref="PortkeyJwtError.RevocationUnavailable"/> unless <see cref="FailOpen"/>.</summary>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Past <see cref="MaxStaleness"/>, accept tokens on the last synced entries instead of failing them; default false.</summary>
    public bool FailOpen { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option outside its documented range.</summary>
    internal void Validate()
    {
        if (string.IsNullOrEmpty(KeyPrefix))
        {
            throw new ArgumentOutOfRangeException(nameof(KeyPrefix), KeyPrefix, "KeyPrefix must not be empty.");
        }

        if (PollInterval < TimeSpan.FromMilliseconds(100) || PollInterval > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "PollInterval must be from 100 ms to 5 minutes.");
        }

        if (MaxStaleness < TimeSpan.FromSeconds(1) || MaxStaleness > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxStaleness), MaxStaleness, "MaxStaleness must be from 1 second to 1 day.");
        }
    }
}
