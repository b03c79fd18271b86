using System.Text;
using System.Text.Json;

namespace PortkeyJwt.Internal;

/// <summary>
/// The claims a validator keeps beyond the ones it checks: the JSON values of <see cref="PortkeyJwtOptions.CapturedClaims"/>
/// (or of every claim, with <see cref="PortkeyJwtOptions.CaptureAllClaims"/>) and the roles of
/// <see cref="PortkeyJwtOptions.RoleClaim"/>. Built once per validator, and only when one of those options is set: a
/// validator without them never runs this pass, so what is not captured costs nothing.
/// </summary>
/// <remarks>
/// It runs after the signature has verified, as a second pass over the payload with <see cref="Utf8JsonReader"/>. The
/// syntax pass has already accepted the payload (UTF-8, nesting, no duplicate claim the validator reads), so the reader
/// never throws. Each captured value is measured before it is copied: a value over a limit rejects the token, so a
/// principal never holds a truncated claim.
/// </remarks>
internal sealed class ClaimCapture
{
    /// <summary>Most claim names <see cref="PortkeyJwtOptions.CapturedClaims"/> may list.</summary>
    public const int MaxCapturedNames = 64;

    /// <summary>Most roles one token may grant.</summary>
    public const int MaxRoles = 512;

    private readonly string[] _names;
    private readonly byte[][] _namesUtf8;
    private readonly bool _all;
    private readonly string? _roleClaim;
    private readonly byte[]? _roleClaimUtf8;
    private readonly PortkeyJwtResult _invalidRoles;

    private ClaimCapture(string[] names, bool all, string? roleClaim)
    {
        _names = names;
        _namesUtf8 = [.. names.Select(Encoding.UTF8.GetBytes)];
        _all = all;
        _roleClaim = roleClaim;
        _roleClaimUtf8 = roleClaim is null ? null : Encoding.UTF8.GetBytes(roleClaim);
        _invalidRoles = Failures.InvalidNamed($"'{roleClaim}'");
    }

    /// <summary>The configured role claim's name, for the principal's role claim type; null when none is configured.</summary>
    public string? RoleClaim => _roleClaim;

    /// <summary>The capture the options ask for; null when they ask for none, and then the pass never runs.</summary>
    public static ClaimCapture? FromOptions(PortkeyJwtOptions options)
    {
        string[] names = [.. options.CapturedClaims ?? []];
        if (names.Length > MaxCapturedNames)
        {
            throw new ArgumentOutOfRangeException(nameof(PortkeyJwtOptions.CapturedClaims), names.Length, $"At most {MaxCapturedNames} claims may be captured.");
        }

        if (names.Any(n => !IsClaimName(n)))
        {
            throw new ArgumentOutOfRangeException(nameof(PortkeyJwtOptions.CapturedClaims), "Claim names must be non-empty, at most 256 characters, without control characters.");
        }

        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(PortkeyJwtOptions.CapturedClaims), "A claim is named more than once.");
        }

        if (options.RoleClaim is { } role && !IsClaimName(role))
        {
            throw new ArgumentOutOfRangeException(nameof(PortkeyJwtOptions.RoleClaim), role, "RoleClaim must be a non-empty claim name of at most 256 characters without control characters, or null.");
        }

        return names.Length == 0 && !options.CaptureAllClaims && options.RoleClaim is null
            ? null
            : new ClaimCapture(names, options.CaptureAllClaims, options.RoleClaim);
    }

    /// <summary>
    /// Reads the captured claims and roles of a verified payload; null when it holds them within the limits, else the
    /// rejection. Absent claims are simply not captured.
    /// </summary>
    public PortkeyJwtResult? Read(ReadOnlySpan<byte> payload, StringPool strings, out IReadOnlyDictionary<string, JsonElement>? claims, out string[]? roles)
    {
        claims = null;
        roles = null;
        Dictionary<string, JsonElement>? captured = null;
        int total = 0;
        bool roleSeen = false;
        var reader = new Utf8JsonReader(payload, JsonRead.Options);
        reader.Read(); // the payload's StartObject
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string? name = CapturedName(ref reader);
            bool isRole = _roleClaimUtf8 is not null && reader.ValueTextEquals(_roleClaimUtf8);
            if (_all && name is null)
            {
                name = reader.GetString()!;
                total += reader.ValueSpan.Length; // a name the token chose counts against the total too
            }

            reader.Read(); // the value's first token
            int start = (int)reader.TokenStartIndex;
            int depth = SkipValue(ref reader);
            if (name is null && !isRole)
            {
                continue;
            }

            ReadOnlySpan<byte> raw = payload[start..(int)reader.BytesConsumed];
            if (isRole)
            {
                if (roleSeen)
                {
                    return Failures.DuplicateClaim;
                }

                roleSeen = true;
                roles = ReadRoles(raw, strings);
                if (roles is null)
                {
                    return _invalidRoles;
                }
            }

            if (name is null)
            {
                continue;
            }

            total += raw.Length;
            if (raw.Length > PortkeyJwtOptions.MaxCapturedClaimBytes)
            {
                return Failures.CapturedClaimTooLarge;
            }

            if (depth > PortkeyJwtOptions.MaxCapturedClaimDepth)
            {
                return Failures.CapturedClaimTooDeep;
            }

            if (total > PortkeyJwtOptions.MaxCapturedClaimsBytes)
            {
                return Failures.CapturedClaimsTooLarge;
            }

            var valueReader = new Utf8JsonReader(raw, JsonRead.Options);
            JsonElement value = JsonElement.ParseValue(ref valueReader); // a copy: the principal never holds the payload buffer
            captured ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            if (!captured.TryAdd(name, value))
            {
                return Failures.DuplicateClaim;
            }
        }

        claims = captured?.AsReadOnly();
        return null;
    }

    /// <summary>The configured name the reader's property name matches (its instance, not a new string); null when none.</summary>
    private string? CapturedName(ref Utf8JsonReader reader)
    {
        for (int i = 0; i < _namesUtf8.Length; i++)
        {
            if (reader.ValueTextEquals(_namesUtf8[i]))
            {
                return _names[i];
            }
        }

        return null;
    }

    /// <summary>
    /// Moves the reader from a value's first token to its last, and returns how many containers deep the value nests:
    /// 0 for a string or number, 1 for <c>[]</c> or <c>["a"]</c>, 2 for <c>[[]]</c>.
    /// </summary>
    private static int SkipValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return 0;
        }

        int outer = reader.CurrentDepth;
        int deepest = 1;
        while (reader.Read() && reader.CurrentDepth > outer)
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                deepest = Math.Max(deepest, reader.CurrentDepth - outer + 1);
            }
        }

        return deepest;
    }

    /// <summary>The roles in a role claim's value: one string, or an array of strings; each a valid identifier. Null when invalid.</summary>
    private static string[]? ReadRoles(ReadOnlySpan<byte> raw, StringPool strings)
    {
        var reader = new Utf8JsonReader(raw, JsonRead.Options);
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return ReadRole(ref reader, strings) is { } single ? [single] : null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return null;
        }

        var roles = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String || roles.Count == MaxRoles || ReadRole(ref reader, strings) is not { } role)
            {
                return null;
            }

            if (!roles.Contains(role, StringComparer.Ordinal))
            {
                roles.Add(role);
            }
        }

        return [.. roles];
    }

    private static string? ReadRole(ref Utf8JsonReader reader, StringPool strings)
    {
        if (reader.ValueSpan.Length is 0 or > 1024)
        {
            return null;
        }

        Span<char> buffer = stackalloc char[1024];
        int length = reader.CopyString(buffer);
        ReadOnlySpan<char> role = buffer[..length];
        return length == 0 || role.ContainsAnyInRange('\u0000', '\u001F') || role.Contains('\u007F') ? null : strings.GetOrAdd(role);
    }

    private static bool IsClaimName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 256 && !name.AsSpan().ContainsAnyInRange('\u0000', '\u001F') && !name.Contains('\u007F', StringComparison.Ordinal);
}
