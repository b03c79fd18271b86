using System.Text.Json;

namespace PortkeyJwt.Internal;

/// <summary>Helpers over <see cref="Utf8JsonReader"/> for JSON that <see cref="JsonSyntax"/> has already accepted.</summary>
internal static class JsonRead
{
    /// <summary>Reader options; <see cref="JsonSyntax"/> enforces the real depth limit first, so the reader never throws.</summary>
    public static readonly JsonReaderOptions Options = new() { MaxDepth = 2 * JsonSyntax.MaxDepth };

    /// <summary>A reader positioned on the JSON value that starts at <paramref name="tokenStart"/>.</summary>
    /// <remarks>Only that value may be read: the bytes after it are the rest of the enclosing object.</remarks>
    public static Utf8JsonReader At(ReadOnlySpan<byte> json, int tokenStart)
    {
        var reader = new Utf8JsonReader(json[tokenStart..], Options);
        reader.Read();
        return reader;
    }

    /// <summary>
    /// A member's key with its escapes decoded into <paramref name="buffer"/> (rare: <c>"\u0061lg"</c> is still <c>alg</c>);
    /// empty when it may not fit, since the callers size the buffer for the longest name they read. The syntax pass has
    /// checked the key, so the reader decodes it without throwing.
    /// </summary>
    public static ReadOnlySpan<byte> UnescapedKey(ReadOnlySpan<byte> json, JsonSyntax.Member member, Span<byte> buffer)
    {
        if (member.RawKey(json).Length > buffer.Length)
        {
            return default;
        }

        var reader = At(json, member.KeyStart);
        return buffer[..reader.CopyString(buffer)];
    }

    /// <summary>Unescapes the current string value into <paramref name="buffer"/>; false when it may not fit.</summary>
    public static bool TryCopyString(ref Utf8JsonReader reader, scoped Span<char> buffer, out int length)
    {
        // A string's UTF-16 length never exceeds its raw (escaped UTF-8) length.
        if (reader.ValueSpan.Length > buffer.Length)
        {
            length = 0;
            return false;
        }

        length = reader.CopyString(buffer);
        return true;
    }
}
