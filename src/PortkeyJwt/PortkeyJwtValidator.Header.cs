using System.Runtime.CompilerServices;
using System.Text;
using PortkeyJwt.Internal;

namespace PortkeyJwt;

public sealed partial class PortkeyJwtValidator
{
    private const int MaxTypeLength = 64;

    /// <summary>
    /// Checks the JOSE header's syntax and reads it in one pass: <c>alg</c> allowed (exact match), no <c>crit</c>,
    /// <c>typ</c> as required, a <c>kid</c> string. <c>jwk</c>, <c>jku</c>, <c>x5u</c> and <c>x5c</c> are ignored: a token
    /// never chooses its own key.
    /// </summary>
    /// <returns>Null when the header passes; <paramref name="kid"/> is then the <c>kid</c> string.</returns>
    private PortkeyJwtResult? ReadHeader(ReadOnlySpan<byte> header, out JwsAlgorithm algorithm, out JsonSyntax.Member kid)
    {
        algorithm = JwsAlgorithm.None;
        var scan = default(HeaderScan);
        kid = default;
        if (!JsonSyntax.IsObject(header, ref scan))
        {
            return Failures.HeaderNotJson;
        }

        if (scan.Duplicate)
        {
            return Failures.DuplicateHeader;
        }

        kid = scan.Kid;
        algorithm = ReadAlgorithm(header, scan.Alg);
        if (algorithm == JwsAlgorithm.None)
        {
            return scan.Alg.IsPresent ? Failures.AlgorithmNotAllowed : Failures.MissingAlgorithm;
        }

        if (scan.Crit.IsPresent)
        {
            return Failures.CriticalHeader;
        }

        if (_settings.RequiredType is { } requiredType)
        {
            if (!scan.Typ.IsString(header))
            {
                return Failures.MissingType;
            }

            if (!TypeMatches(header, scan.Typ, requiredType))
            {
                return Failures.WrongType;
            }
        }

        return kid.IsString(header) && kid.RawString(header).Length > 0 ? null : Failures.MissingKeyId;
    }

    /// <summary>The header's algorithm if it is a string naming an allowed algorithm exactly; otherwise None.</summary>
    private JwsAlgorithm ReadAlgorithm(ReadOnlySpan<byte> header, JsonSyntax.Member alg)
    {
        if (!alg.IsString(header))
        {
            return JwsAlgorithm.None;
        }

        JwsAlgorithm algorithm = alg.ValueEscaped ? ReadEscapedAlgorithm(header, alg) : JwsAlgorithms.Parse(alg.RawString(header));
        return _settings.AllowedAlgorithms.Contains(algorithm) ? algorithm : JwsAlgorithm.None;
    }

    /// <summary>An <c>alg</c> value written with escapes (legal JSON, never seen in practice): unescaped, then parsed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static JwsAlgorithm ReadEscapedAlgorithm(ReadOnlySpan<byte> header, JsonSyntax.Member alg)
    {
        // Room for a supported name with every character escaped (5 x "\uXXXX"); anything longer is not one.
        var reader = JsonRead.At(header, alg.ValueStart);
        Span<char> name = stackalloc char[32];
        return JsonRead.TryCopyString(ref reader, name, out int length) ? JwsAlgorithms.Parse(name[..length]) : JwsAlgorithm.None;
    }

    /// <summary>RFC 7515 §4.1.9: <c>typ</c> compared ASCII case-insensitively, an <c>application/</c> prefix optional.</summary>
    private static bool TypeMatches(ReadOnlySpan<byte> header, JsonSyntax.Member typ, ReadOnlySpan<byte> requiredType)
    {
        if (typ.ValueEscaped)
        {
            return EscapedTypeMatches(header, typ, requiredType);
        }

        ReadOnlySpan<byte> raw = typ.RawString(header);
        if (raw.Length >= 12 && Ascii.EqualsIgnoreCase(raw[..12], "application/"u8))
        {
            raw = raw[12..];
        }

        return Ascii.EqualsIgnoreCase(raw, requiredType);
    }

    /// <summary>A <c>typ</c> value written with escapes: unescaped, then compared as <see cref="TypeMatches"/> does.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool EscapedTypeMatches(ReadOnlySpan<byte> header, JsonSyntax.Member typ, ReadOnlySpan<byte> requiredType)
    {
        var reader = JsonRead.At(header, typ.ValueStart);
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

    /// <summary>Collects the header parameters the policy reads, by name, as <see cref="JsonSyntax"/> scans the header.</summary>
    private struct HeaderScan : JsonSyntax.IMemberVisitor
    {
        /// <summary>Longest raw key that can still unescape to one of the names read here ("crit", every character escaped).</summary>
        private const int MaxEscapedNameLength = 4 * 6;

        public JsonSyntax.Member Alg;
        public JsonSyntax.Member Typ;
        public JsonSyntax.Member Kid;
        public JsonSyntax.Member Crit;
        public bool Duplicate;

        public void Visit(ReadOnlySpan<byte> json, JsonSyntax.Member member)
        {
            ReadOnlySpan<byte> name = member.RawKey(json);
            if (member.KeyEscaped)
            {
                RecordEscaped(json, member);
            }
            else if (name.Length is 3 or 4)
            {
                Record(name, member);
            }
        }

        private void Record(ReadOnlySpan<byte> name, JsonSyntax.Member member)
        {
            ref JsonSyntax.Member slot = ref Crit;
            if (name.SequenceEqual("alg"u8))
            {
                slot = ref Alg;
            }
            else if (name.SequenceEqual("typ"u8))
            {
                slot = ref Typ;
            }
            else if (name.SequenceEqual("kid"u8))
            {
                slot = ref Kid;
            }
            else if (!name.SequenceEqual("crit"u8))
            {
                return;
            }

            Duplicate |= slot.IsPresent;
            slot = member;
        }

        /// <summary>A key written with escapes (legal JSON, never seen in practice): unescaped, then recorded.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void RecordEscaped(ReadOnlySpan<byte> json, JsonSyntax.Member member)
        {
            Span<byte> buffer = stackalloc byte[MaxEscapedNameLength];
            Record(JsonRead.UnescapedKey(json, member, buffer), member);
        }
    }
}
