using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PortkeyJwt.Tests.Keys;

/// <summary>An <see cref="ILogger"/> that records every entry (level, event id and formatted message) for assertions.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    /// <summary>Every entry logged so far, in order.</summary>
    public IReadOnlyList<Entry> Entries => [.. _entries];

    /// <summary>The entries at <see cref="LogLevel.Warning"/> or above.</summary>
    public IReadOnlyList<Entry> Warnings => [.. _entries.Where(e => e.Level >= LogLevel.Warning)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _entries.Enqueue(new Entry(logLevel, eventId, formatter(state, exception)));
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(Environment.NewLine, _entries.Select(e => $"{e.Level}: {e.Message}"));

    /// <summary>One recorded log entry.</summary>
    public sealed record Entry(LogLevel Level, EventId EventId, string Message);
}
