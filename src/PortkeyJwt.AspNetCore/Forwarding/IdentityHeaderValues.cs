using System.Buffers;
using System.Text.Json;

namespace PortkeyJwt.AspNetCore.Forwarding;

/// <summary>
/// Turns principal values into header values, and decides which may travel. Every value that reaches a header passed
/// <see cref="IsForwardable"/>: printable ASCII only, so no CR, LF or other control character can split or extend a
/// header, and no non-ASCII text whose bytes proxies and servers read differently (Latin-1, UTF-8, rejected). A value
/// that fails is omitted, never repaired: a percent-encoded or trimmed value would be a different value the upstream
/// cannot tell from one the token really carried.
/// </summary>
internal static class IdentityHeaderValues
{
    /// <summary>Longest value forwarded, in characters; a longer one is omitted (common proxies cap a header line at 4–8 KiB).</summary>
    public const int MaxValueLength = 4096;

    /// <summary>
    /// Whether <paramref name="value"/> may be sent as a header value: 1 to <see cref="MaxValueLength"/> characters of
    /// printable ASCII (U+0020–U+007E), not starting or ending with a space (HTTP parsers strip it, changing the value).
    /// </summary>
    public static bool IsForwardable(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxValueLength || value[0] == ' ' || value[^1] == ' ')
        {
            return false;
        }

        foreach (char c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The elements joined by <see cref="PortkeyIdentityHeadersOptions.Separator"/>; null when there are none, or when one
    /// is empty or holds the separator itself (the upstream could not split the value back into the same elements).
    /// </summary>
    public static string? Join(IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        foreach (string value in values)
        {
            if (value.Length == 0 || value.Contains(PortkeyIdentityHeadersOptions.Separator, StringComparison.Ordinal))
            {
                return null;
            }
        }

        return string.Join(PortkeyIdentityHeadersOptions.Separator, values);
    }

    /// <summary>
    /// A captured claim's header value: a string as it is, a number as its JSON text, <c>true</c>/<c>false</c>, an array
    /// of strings, numbers and booleans as those joined (see <see cref="Join"/>), any other array or an object as compact
    /// JSON (non-ASCII and control characters escaped as <c>\uXXXX</c>); null for <c>null</c>.
    /// </summary>
    public static string? FromClaim(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
            case JsonValueKind.Number:
            case JsonValueKind.True:
            case JsonValueKind.False:
                return Scalar(value);
            case JsonValueKind.Array when IsArrayOfScalars(value):
                var elements = new List<string>(value.GetArrayLength());
                foreach (JsonElement element in value.EnumerateArray())
                {
                    elements.Add(Scalar(element));
                }

                return Join(elements);
            case JsonValueKind.Array:
            case JsonValueKind.Object:
                return CompactJson(value);
            default:
                return null;
        }
    }

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(), // a number, exactly as the token wrote it
    };

    private static bool IsArrayOfScalars(JsonElement array)
    {
        foreach (JsonElement element in array.EnumerateArray())
        {
            if (element.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
            {
                return false;
            }
        }

        return true;
    }

    private static string CompactJson(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            value.WriteTo(writer); // the default encoder escapes every non-ASCII and control character
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
