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
    /// <returns>Null when the header passes; <paramref name="kidStart"/> is then where the <c>kid</c> string starts.</returns>
    private PortkeyJwtResult? ReadHeader(ReadOnlySpan<byte> header, out JwsAlgorithm algorithm, out int kidStart)
    {
        algorithm = JwsAlgorithm.None;
        kidStart = -1;
        int algStart = -1, typStart = -1, critStart = -1;

        var reader = new Utf8JsonReader(header, JsonRead.Options);
        reader.Read(); // the object's start; JsonSyntax has checked the shape
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ref int slot = ref critStart;
            if (reader.ValueTextEquals("alg"u8))
            {
                slot = ref algStart;
            }
            else if (reader.ValueTextEquals("typ"u8))
            {
                slot = ref typStart;
            }
            else if (reader.ValueTextEquals("kid"u8))
            {
                slot = ref kidStart;
            }
            else if (!reader.ValueTextEquals("crit"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            if (slot >= 0)
            {
                return Failures.DuplicateHeader;
            }

            reader.Read();
            slot = (int)reader.TokenStartIndex;
            reader.Skip();
        }

        algorithm = ReadAlgorithm(header, algStart);
        if (algorithm == JwsAlgorithm.None)
        {
            return algStart < 0 ? Failures.MissingAlgorithm : Failures.AlgorithmNotAllowed;
        }

        if (critStart >= 0)
        {
            return Failures.CriticalHeader;
        }

        if (_settings.RequiredType is { } requiredType)
        {
            if (typStart < 0 || JsonRead.At(header, typStart).TokenType != JsonTokenType.String)
            {
                return Failures.MissingType;
            }

            if (!TypeMatches(header, typStart, requiredType))
            {
                return Failures.WrongType;
            }
        }

        if (kidStart < 0)
        {
            return Failures.MissingKeyId;
        }

        var kid = JsonRead.At(header, kidStart);
        return kid.TokenType == JsonTokenType.String && kid.ValueSpan.Length > 0 ? null : Failures.MissingKeyId;
    }

    /// <summary>The header's algorithm if it is a string naming an allowed algorithm exactly; otherwise None.</summary>
    private JwsAlgorithm ReadAlgorithm(ReadOnlySpan<byte> header, int algStart)
    {
        if (algStart < 0)
        {
            return JwsAlgorithm.None;
        }

        var reader = JsonRead.At(header, algStart);
        if (reader.TokenType != JsonTokenType.String)
        {
            return JwsAlgorithm.None;
        }

        JwsAlgorithm algorithm;
        if (!reader.ValueIsEscaped)
        {
            algorithm = JwsAlgorithms.Parse(reader.ValueSpan);
        }
        else
        {
            // Room for a supported name with every character escaped (5 x "\uXXXX"); anything longer is not one.
            Span<char> name = stackalloc char[32];
            algorithm = JsonRead.TryCopyString(ref reader, name, out int length) ? JwsAlgorithms.Parse(name[..length]) : JwsAlgorithm.None;
        }

        return _settings.AllowedAlgorithms.Contains(algorithm) ? algorithm : JwsAlgorithm.None;
    }

    /// <summary>RFC 7515 §4.1.9: <c>typ</c> compared ASCII case-insensitively, an <c>application/</c> prefix optional.</summary>
    private static bool TypeMatches(ReadOnlySpan<byte> header, int typStart, ReadOnlySpan<byte> requiredType)
    {
        var reader = JsonRead.At(header, typStart);
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
}
