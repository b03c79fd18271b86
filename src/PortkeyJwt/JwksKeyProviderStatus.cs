namespace PortkeyJwt;

/// <summary>
/// A point-in-time view of a <see cref="JwksKeyProvider"/>: the basis of a health check. Healthy when
/// <see cref="IsAvailable"/> and <see cref="LastError"/> is null; degraded when serving the last good set after a failure;
/// unhealthy when not <see cref="IsAvailable"/>.
/// </summary>
public sealed class JwksKeyProviderStatus
{
    internal JwksKeyProviderStatus(bool isAvailable, int keyCount, DateTimeOffset? lastSuccessAt, DateTimeOffset? lastAttemptAt, string? lastError, TimeSpan? staleness, int consecutiveFailures)
    {
        IsAvailable = isAvailable;
        KeyCount = keyCount;
        LastSuccessAt = lastSuccessAt;
        LastAttemptAt = lastAttemptAt;
        LastError = lastError;
        Staleness = staleness;
        ConsecutiveFailures = consecutiveFailures;
    }

    /// <summary>Whether validations have a key set to use (false before the first load and after <see cref="JwksKeyProviderOptions.MaxStaleness"/>).</summary>
    public bool IsAvailable { get; }

    /// <summary>Usable keys currently served.</summary>
    public int KeyCount { get; }

    /// <summary>When the oldest source last fetched successfully (or was renewed by a 304); null if never.</summary>
    public DateTimeOffset? LastSuccessAt { get; }

    /// <summary>When a fetch last completed, successfully or not; null if never.</summary>
    public DateTimeOffset? LastAttemptAt { get; }

    /// <summary>Why the latest fetch of a source failed, if it did; null once that source succeeds again.</summary>
    public string? LastError { get; }

    /// <summary>Age of the oldest served key set (now minus <see cref="LastSuccessAt"/>); null if never loaded.</summary>
    public TimeSpan? Staleness { get; }

    /// <summary>Failed fetches in a row (the most of any source).</summary>
    public int ConsecutiveFailures { get; }

    /// <summary>True when keys are available and the last fetch of every source succeeded.</summary>
    public bool IsHealthy => IsAvailable && LastError is null;
}
