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
    /// Parses a token lifetime: a whole number, optionally negative, and a unit, <c>s</c>, <c>m</c>, <c>h</c> or <c>d</c>
    /// (<c>30s</c>, <c>15m</c>, <c>1h</c>, <c>2d</c>, <c>0s</c>, <c>-5m</c>), from -366 to 366 days. Zero and negative
    /// lifetimes are for testing: they mint tokens that expire now or expired already.
    /// </summary>
    public static bool TryParseLifetime(string text, out TimeSpan lifetime)
    {
        lifetime = default;
        bool negative = text.StartsWith('-');
        ReadOnlySpan<char> digits = text.AsSpan(negative ? 1 : 0, Math.Max(0, text.Length - (negative ? 2 : 1)));
        if (digits.IsEmpty || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long count))
        {
            return false;
        }

        long unit = text[^1] switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => 0 };
        if (unit == 0 || count > MaxLifetimeSeconds / unit)
        {
            return false;
        }

        lifetime = TimeSpan.FromSeconds(negative ? -count * unit : count * unit);
        return true;
    }

    /// <summary>
    /// A lifetime as <see cref="TryParseLifetime"/> reads it, in the largest unit that divides it: <c>1h</c>, <c>90m</c>,
    /// <c>-5m</c>, <c>0s</c> (fractions of a second are dropped).
    /// </summary>
    public static string Lifetime(TimeSpan lifetime)
    {
        long seconds = (long)lifetime.TotalSeconds;
        (long size, char unit) = seconds == 0 ? (1, 's')
            : seconds % 86400 == 0 ? (86400, 'd')
            : seconds % 3600 == 0 ? (3600, 'h')
            : seconds % 60 == 0 ? (60, 'm')
            : (1, 's');
        return string.Create(CultureInfo.InvariantCulture, $"{seconds / size}{unit}");
    }

    /// <summary>
    /// Parses an instant: <c>now</c>, whole Unix seconds (<c>1780315200</c>), or ISO-8601 / RFC 3339
    /// (<c>2026-06-01T12:00:00Z</c>; without an offset it is UTC). Fractions of a second are dropped.
    /// </summary>
    public static bool TryParseInstant(string text, DateTimeOffset now, out DateTimeOffset instant)
    {
        instant = default;
        if (text == "now")
        {
            instant = now;
        }
        else if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds))
        {
            if (seconds is < -62135596800 or > 253402300799)
            {
                return false;
            }

            instant = DateTimeOffset.FromUnixTimeSeconds(seconds);
        }
        else if (text.Length < 10 || !char.IsAsciiDigit(text[0])
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant))
        {
            return false;
        }

        instant = DateTimeOffset.FromUnixTimeSeconds(instant.ToUnixTimeSeconds());
        return true;
    }

    private const long MaxLifetimeSeconds = 366L * 86400;
}
