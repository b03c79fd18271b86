using System.Globalization;

namespace PortkeyJwt.Cli;

/// <summary>How the tool writes instants and durations.</summary>
internal static class TimeText
{
    /// <summary>
    /// An instant in UTC to the second, e.g. <c>2026-06-01T12:10:00Z</c> (RFC 3339; JWT times are whole seconds, so
    /// nothing is lost). Used for <c>expiresAt</c> in <c>validate</c> and for the times in <c>inspect</c>.
    /// </summary>
    public static string Instant(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A duration rounded down to its largest unit: <c>42 s</c>, <c>14 min</c>, <c>3 h</c>, <c>2 d</c>.</summary>
    public static string Duration(TimeSpan duration)
    {
        duration = duration.Duration();
        return duration.TotalDays >= 2 ? $"{(long)duration.TotalDays} d"
            : duration.TotalHours >= 1 ? $"{(long)duration.TotalHours} h"
            : duration.TotalMinutes >= 1 ? $"{(long)duration.TotalMinutes} min"
            : $"{(long)duration.TotalSeconds} s";
    }

    /// <summary>
    /// Parses a token lifetime: a positive whole number and a unit, <c>s</c>, <c>m</c>, <c>h</c> or <c>d</c>
    /// (<c>30s</c>, <c>15m</c>, <c>1h</c>, <c>2d</c>), at most 366 days.
    /// </summary>
    public static bool TryParseLifetime(string text, out TimeSpan lifetime)
    {
        lifetime = default;
        if (text.Length < 2 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long count) || count <= 0)
        {
            return false;
        }

        long seconds = text[^1] switch
        {
            's' => count,
            'm' => count <= long.MaxValue / 60 ? count * 60 : -1,
            'h' => count <= long.MaxValue / 3600 ? count * 3600 : -1,
            'd' => count <= long.MaxValue / 86400 ? count * 86400 : -1,
            _ => -1,
        };
        if (seconds <= 0 || seconds > MaxLifetimeSeconds)
        {
            return false;
        }

        lifetime = TimeSpan.FromSeconds(seconds);
        return true;
    }

    private const long MaxLifetimeSeconds = 366L * 86400;
}
