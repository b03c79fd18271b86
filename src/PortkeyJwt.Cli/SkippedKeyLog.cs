using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PortkeyJwt.Cli;

/// <summary>
/// The logger <c>validate</c> gives its <see cref="JwksKeyProvider"/> to learn why JWKS keys were skipped: it keeps the
/// library's <c>KeySkipped</c> and <c>AmbiguousKeyId</c> warnings (e.g. "JWKS key #1 (kid 'k1') skipped: it carries
/// private key material ('d'); …") and drops everything else. The library logs key ids and reasons, never token content.
/// </summary>
internal sealed class SkippedKeyLog : ILogger
{
    /// <summary>The library's event names (its source-generated log methods) for a key left out of a set.</summary>
    private static readonly string[] SkipEvents = ["KeySkipped", "AmbiguousKeyId"];

    private readonly ConcurrentQueue<string> _reasons = new();
    private volatile bool _closed;

    /// <summary>
    /// The reasons logged so far, in order, and stops keeping more: the first load is reported once, and a refetch later
    /// in the run (for an unknown kid) does not grow the log.
    /// </summary>
    public string[] Close()
    {
        _closed = true;
        return [.. _reasons];
    }

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => !_closed && logLevel >= LogLevel.Warning;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel) && SkipEvents.Contains(eventId.Name, StringComparer.Ordinal))
        {
            _reasons.Enqueue(formatter(state, exception));
        }
    }
}
