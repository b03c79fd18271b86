using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace PortkeyJwt.Redis.Internal;

/// <summary>
/// How entries are written in Redis (see the package README): JSON arrays, so an identifier holding a separator, a quote
/// or a bracket cannot be confused with another one. <c>null</c> stands for "no issuer" and "no second identifier"
/// (identifiers are never empty: <see cref="Revocation"/> checks that). The same entry always encodes to the same bytes
/// (no spaces, System.Text.Json's default escaping), which the sorted set and the hash rely on to recognise a target.
/// </summary>
internal static class RevocationCodec
{
    /// <summary>The sorted-set member of a token entry: <c>[issuer|null, jti]</c>.</summary>
    public static string TokenMember(Revocation entry) => Write(writer =>
    {
        WriteNullable(writer, entry.Issuer);
        writer.WriteStringValue(entry.JwtId);
    });

    /// <summary>The hash field of a watermark: <c>[kind, issuer|null, organisation, workspace|user|null]</c>.</summary>
    public static string WatermarkField(Revocation entry) => Write(writer =>
    {
        writer.WriteStringValue(KindName(entry.Kind));
        WriteNullable(writer, entry.Issuer);
        writer.WriteStringValue(entry.Organisation);
        WriteNullable(writer, entry.Workspace ?? entry.User);
    });

    /// <summary>An entry in the change log and on the channel: <c>[kind, issuer|null, jti|organisation, workspace|user|null, at]</c>.</summary>
    public static string Change(Revocation entry) => Write(writer =>
    {
        writer.WriteStringValue(KindName(entry.Kind));
        WriteNullable(writer, entry.Issuer);
        writer.WriteStringValue(entry.Kind == RevocationKind.Token ? entry.JwtId : entry.Organisation);
        WriteNullable(writer, entry.Workspace ?? entry.User);
        writer.WriteNumberValue(entry.At.ToUnixTimeSeconds());
    });

    public static bool TryReadToken(string? member, double score, [NotNullWhen(true)] out Revocation? entry)
    {
        entry = null;
        if (!TryParse(member, 2, out string?[]? parts) || parts[1] is null || !TryUnix(score, out DateTimeOffset at))
        {
            return false;
        }

        return TryCreate(() => Revocation.Token(parts[1]!, at, parts[0]), out entry);
    }

    public static bool TryReadWatermark(string? field, string? value, [NotNullWhen(true)] out Revocation? entry)
    {
        entry = null;
        if (!TryParse(field, 4, out string?[]? parts) || !long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long seconds)
            || !TryUnix(seconds, out DateTimeOffset at))
        {
            return false;
        }

        return TryCreate(parts[0], parts[1], parts[2], parts[3], at, out entry) && entry.Kind != RevocationKind.Token;
    }

    /// <summary>Reads a change as <see cref="Change"/> writes it.</summary>
    public static bool TryReadChange(string? json, [NotNullWhen(true)] out Revocation? entry)
    {
        entry = null;
        if (json is null)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return TryReadChange(document.RootElement, out entry);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads a channel message, <c>{"v":version,"e":change}</c>.</summary>
    public static bool TryReadMessage(string? json, out long version, [NotNullWhen(true)] out Revocation? entry) =>
        TryReadMessage(json, out version, out _, out entry);

    /// <summary>A published change: its version, when Redis wrote it (<c>t</c>, Unix ms by Redis's clock; 0 when absent) and its entry.</summary>
    public static bool TryReadMessage(string? json, out long version, out long writtenMs, [NotNullWhen(true)] out Revocation? entry)
    {
        version = 0;
        writtenMs = 0;
        entry = null;
        if (json is null)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("v", out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out version) && version > 0
                && root.TryGetProperty("e", out JsonElement e) && TryReadChange(e, out entry)
                && (!root.TryGetProperty("t", out JsonElement t) || (t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out writtenMs)));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static string KindName(RevocationKind kind) => kind switch
    {
        RevocationKind.Token => "token",
        RevocationKind.Organisation => "organisation",
        RevocationKind.Workspace => "workspace",
        _ => "user",
    };

    private static bool TryReadChange(JsonElement root, [NotNullWhen(true)] out Revocation? entry)
    {
        entry = null;
        if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != 5 || root[4].ValueKind != JsonValueKind.Number
            || !root[4].TryGetInt64(out long seconds) || !TryUnix(seconds, out DateTimeOffset at))
        {
            return false;
        }

        string?[] parts = new string?[4];
        for (int i = 0; i < 4; i++)
        {
            JsonElement part = root[i];
            if (part.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                return false;
            }

            parts[i] = part.GetString();
        }

        return TryCreate(parts[0], parts[1], parts[2], parts[3], at, out entry);
    }

    private static bool TryCreate(string? kind, string? issuer, string? first, string? second, DateTimeOffset at, [NotNullWhen(true)] out Revocation? entry)
    {
        entry = null;
        if (first is null)
        {
            return false;
        }

        return kind switch
        {
            "token" when second is null => TryCreate(() => Revocation.Token(first, at, issuer), out entry),
            "organisation" when second is null => TryCreate(() => Revocation.OrganisationIssuedBefore(first, at, issuer), out entry),
            "workspace" when second is not null => TryCreate(() => Revocation.WorkspaceIssuedBefore(first, second, at, issuer), out entry),
            "user" when second is not null => TryCreate(() => Revocation.UserIssuedBefore(first, second, at, issuer), out entry),
            _ => false,
        };
    }

    /// <summary>Builds an entry from stored parts; false when <see cref="Revocation"/> refuses them (a foreign or corrupt record).</summary>
    private static bool TryCreate(Func<Revocation> create, [NotNullWhen(true)] out Revocation? entry)
    {
        try
        {
            entry = create();
            return true;
        }
        catch (ArgumentException)
        {
            entry = null;
            return false;
        }
    }

    private static bool TryParse(string? json, int length, [NotNullWhen(true)] out string?[]? parts)
    {
        parts = null;
        if (json is null)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != length)
            {
                return false;
            }

            var values = new string?[length];
            for (int i = 0; i < length; i++)
            {
                if (root[i].ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    return false;
                }

                values[i] = root[i].GetString();
            }

            parts = values;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryUnix(double seconds, out DateTimeOffset at)
    {
        at = default;
        return !double.IsNaN(seconds) && seconds is >= -62135596800 and <= 253402300799 && TryUnix((long)seconds, out at);
    }

    private static bool TryUnix(long seconds, out DateTimeOffset at)
    {
        at = default;
        if (seconds is < -62135596800 or > 253402300799)
        {
            return false;
        }

        at = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    private static void WriteNullable(Utf8JsonWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            body(writer);
            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
