using System.Text;
using System.Text.Json;
using PortkeyJwt.Internal;

namespace PortkeyJwt;

public sealed partial class PortkeyJwtValidator
{
    private const int MaxTypeLength = 64;

    /// <summary>
    /// Reads the JOSE header: <c>alg</c> allowed (exact match), no <c>crit</c>, <c>typ</c> as required, a <c>kid</c> string.
    /// <c>jwk</c>, <c>jku</c>, <c>x5u</c> and <c>x5c</c> are ignored: a token never chooses its own key.
    /// </summary>
    /// <returns>Null when the header passes; <paramref name="kid"/> is then the <c>kid</c> string.</returns>
    private PortkeyJwtResult? ReadHeader(ReadOnlySpan<byte> header, out JwsAlgorithm algorithm, out HeaderValue kid)
    {
        algorithm = JwsAlgorithm.None;
        HeaderValue alg = default, typ = default, crit = default;
        kid = default;

        var reader = new Utf8JsonReader(header, JsonRead.Options);
        reader.Read(); // the object's start; JsonSyntax has checked the shape
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ref HeaderValue slot = ref crit;
            if (reader.ValueTextEquals("alg"u8))
            {
                slot = ref alg;
            }
            else if (reader.ValueTextEquals("typ"u8))
            {
                slot = ref typ;
            }
            else if (reader.ValueTextEquals("kid"u8))
            {
                slot = ref kid;
            }
            else if (!reader.ValueTextEquals("crit"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            if (slot.IsPresent)
            {
                return Failures.DuplicateHeader;
            }

            reader.Read();
            slot = new HeaderValue(ref reader);
            reader.Skip();
        }

        algorithm = ReadAlgorithm(header, alg);
        if (algorithm == JwsAlgorithm.None)
        {
            return alg.IsPresent ? Failures.AlgorithmNotAllowed : Failures.MissingAlgorithm;
        }

        if (crit.IsPresent)
        {
            return Failures.CriticalHeader;
        }

        if (_settings.RequiredType is { } requiredType)
        {
            if (!typ.IsString)
            {
                return Failures.MissingType;
            }

            if (!TypeMatches(header, typ, requiredType))
            {
                return Failures.WrongType;
            }
        }

        return kid.IsString && kid.RawLength > 0 ? null : Failures.MissingKeyId;
    }

    /// <summary>The header's algorithm if it is a string naming an allowed algorithm exactly; otherwise None.</summary>
    private JwsAlgorithm ReadAlgorithm(ReadOnlySpan<byte> header, HeaderValue alg)
    {
        if (!alg.IsString)
        {
            return JwsAlgorithm.None;
        }

        JwsAlgorithm algorithm;
        if (!alg.Escaped)
        {
            algorithm = JwsAlgorithms.Parse(alg.Raw(header));
        }
        else
        {
            // Room for a supported name with every character escaped (5 x "\uXXXX"); anything longer is not one.
            var reader = JsonRead.At(header, alg.Start);
            Span<char> name = stackalloc char[32];
            algorithm = JsonRead.TryCopyString(ref reader, name, out int length) ? JwsAlgorithms.Parse(name[..length]) : JwsAlgorithm.None;
        }

        return _settings.AllowedAlgorithms.Contains(algorithm) ? algorithm : JwsAlgorithm.None;
    }

    /// <summary>RFC 7515 §4.1.9: <c>typ</c> compared ASCII case-insensitively, an <c>application/</c> prefix optional.</summary>
    private static bool TypeMatches(ReadOnlySpan<byte> header, HeaderValue typ, ReadOnlySpan<byte> requiredType)
    {
        if (!typ.Escaped)
        {
            ReadOnlySpan<byte> raw = typ.Raw(header);
            if (raw.Length >= 12 && Ascii.EqualsIgnoreCase(raw[..12], "application/"u8))
            {
                raw = raw[12..];
            }

            return Ascii.EqualsIgnoreCase(raw, requiredType);
        }

        var reader = JsonRead.At(header, typ.Start);
        Span<char> buffer = stackalloc char[MaxTypeLength];
        if (!JsonRead.TryCopyString(ref reader, buffer, out int length))
        {
            return false;
        }

        ReadOnlySpan<char> type = buffer[..length];
        if (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase))
        {
            type = type["application/".Length..];
        }

        return Ascii.EqualsIgnoreCase(type, requiredType);
    }

    /// <summary>Where a header parameter's value is, its JSON type, and (for strings) its raw, possibly escaped, text.</summary>
    private readonly struct HeaderValue
    {
        public HeaderValue(ref Utf8JsonReader reader)
        {
            Start = (int)reader.TokenStartIndex;
            Type = reader.TokenType;
            Escaped = reader.ValueIsEscaped;
            RawLength = Type == JsonTokenType.String ? reader.ValueSpan.Length : 0;
        }

        /// <summary>Where the value starts (the opening quote of a string).</summary>
        public int Start { get; }

        public JsonTokenType Type { get; }

        public bool Escaped { get; }

        /// <summary>Length of a string's raw text between the quotes.</summary>
        public int RawLength { get; }

        public bool IsPresent => Type != JsonTokenType.None;

        public bool IsString => Type == JsonTokenType.String;

        /// <summary>A string's raw text between the quotes (escapes not decoded).</summary>
        public ReadOnlySpan<byte> Raw(ReadOnlySpan<byte> header) => header.Slice(Start + 1, RawLength);
    }
}
