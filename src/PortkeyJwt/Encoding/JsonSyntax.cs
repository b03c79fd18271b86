using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace PortkeyJwt.Internal;

/// <summary>
/// A strict RFC 8259 syntax check that never throws. <see cref="System.Text.Json.Utf8JsonReader"/> throws
/// <see cref="System.Text.Json.JsonException"/> on bad input; running this first lets the validator read
/// attacker-controlled JSON with the reader without an exception ever being raised for a bad token.
/// </summary>
/// <remarks>
/// Accepts exactly one JSON object (optionally surrounded by whitespace), nesting at most <c>maxDepth</c>,
/// strings of valid UTF-8 without raw control characters, escapes from the RFC set with paired surrogates,
/// numbers in the RFC grammar (no leading zeros, no <c>+</c>, no <c>NaN</c>), and nothing after the object.
/// No byte-order mark, comments or trailing commas.
/// </remarks>
internal static class JsonSyntax
{
    /// <summary>The deepest nesting accepted anywhere; the same bound as <c>JsonReaderOptions.MaxDepth</c>'s default.</summary>
    public const int MaxDepth = 64;

    /// <summary>Returns <see langword="true"/> when <paramref name="json"/> is one well-formed JSON object.</summary>
    public static bool IsObject(ReadOnlySpan<byte> json, int maxDepth = MaxDepth)
    {
        var none = default(NoMembers);
        return IsObject(json, ref none, maxDepth);
    }

    /// <summary>
    /// Like <see cref="IsObject(ReadOnlySpan{byte}, int)"/>, and tells <paramref name="members"/> where each member of the
    /// outer object is, in one pass. Members are reported as they are scanned, so a later syntax error may follow them:
    /// act on what was reported only when this returns <see langword="true"/>.
    /// </summary>
    public static bool IsObject<TVisitor>(ReadOnlySpan<byte> json, ref TVisitor members, int maxDepth = MaxDepth)
        where TVisitor : struct, IMemberVisitor
    {
        if (maxDepth is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDepth));
        }

        int i = SkipWhitespace(json, 0);
        if (i >= json.Length || json[i] != (byte)'{')
        {
            return false;
        }

        // One bit per open container: bit d-1 set when the container at depth d is an object, clear for an array. Depth is
        // capped at 64, so a ulong holds the stack. The labels below are the parser's states; each reads the next byte
        // once, so a typical compact token costs one dispatch per value rather than one per punctuation mark.
        ulong containers = 1;
        int depth = 1;
        bool inObject = true;
        // Where the outer object's member being scanned starts, kept in plain locals (registers) until it is reported.
        int keyStart = 0, keyEnd = 0, valueStart = 0;
        bool keyEscaped = false;
        i++;

    Opened: // just inside a container: its end, or its first element
        i = SkipWhitespace(json, i);
        if (i >= json.Length)
        {
            return false;
        }

        if (json[i] == (inObject ? (byte)'}' : (byte)']'))
        {
            i++;
            goto Closed;
        }

    Element: // i is at an element's first byte: a member's key in an object, a value in an array
        if (inObject)
        {
            int start = i;
            if (json[i] != (byte)'"' || (i = ScanString(json, i, out bool escapedKey)) < 0)
            {
                return false;
            }

            if (depth == 1)
            {
                (keyStart, keyEnd, keyEscaped) = (start, i, escapedKey);
            }

            i = SkipWhitespace(json, i);
            if (i >= json.Length || json[i] != (byte)':')
            {
                return false;
            }

            i = SkipWhitespace(json, i + 1);
            if (i >= json.Length)
            {
                return false;
            }
        }

        byte b = json[i];
        if (depth == 1)
        {
            valueStart = i;
        }

        if (b is (byte)'{' or (byte)'[')
        {
            if (depth == maxDepth)
            {
                return false;
            }

            inObject = b == (byte)'{';
            ulong bit = 1UL << depth;
            containers = inObject ? containers | bit : containers & ~bit;
            depth++;
            i++;
            goto Opened;
        }

        bool escaped = false;
        i = b switch
        {
            (byte)'"' => ScanString(json, i, out escaped),
            (byte)'t' => ScanLiteral(json, i, "true"u8),
            (byte)'f' => ScanLiteral(json, i, "false"u8),
            (byte)'n' => ScanLiteral(json, i, "null"u8),
            _ => ScanNumber(json, i),
        };
        if (i < 0)
        {
            return false;
        }

        if (depth == 1)
        {
            members.Visit(json, new Member(keyStart, keyEnd, keyEscaped, valueStart, i, escaped));
        }

    AfterValue: // a comma and the next element, or the container's end
        i = SkipWhitespace(json, i);
        if (i >= json.Length)
        {
            return false;
        }

        if (json[i] == (byte)',')
        {
            i = SkipWhitespace(json, i + 1);
            if (i >= json.Length)
            {
                return false;
            }

            goto Element;
        }

        if (json[i] != (inObject ? (byte)'}' : (byte)']'))
        {
            return false;
        }

        i++;

    Closed: // a container has just closed at i
        depth--;
        if (depth == 0)
        {
            return SkipWhitespace(json, i) == json.Length; // nothing but whitespace after the object
        }

        inObject = ((containers >> (depth - 1)) & 1) != 0;
        if (depth == 1)
        {
            members.Visit(json, new Member(keyStart, keyEnd, keyEscaped, valueStart, i, valueEscaped: false));
        }

        goto AfterValue;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            i++;
        }

        return i;
    }

    private static int ScanLiteral(ReadOnlySpan<byte> json, int i, ReadOnlySpan<byte> literal) =>
        json[i..].StartsWith(literal) ? i + literal.Length : -1;

    private static int ScanNumber(ReadOnlySpan<byte> json, int i)
    {
        int p = i;
        if (p < json.Length && json[p] == (byte)'-')
        {
            p++;
        }

        if (p >= json.Length || !char.IsAsciiDigit((char)json[p]))
        {
            return -1;
        }

        // Integer part: a single zero, or a non-zero digit followed by digits.
        if (json[p] == (byte)'0')
        {
            p++;
        }
        else
        {
            p = SkipDigits(json, p);
        }

        if (p < json.Length && json[p] == (byte)'.')
        {
            int start = ++p;
            p = SkipDigits(json, p);
            if (p == start)
            {
                return -1;
            }
        }

        if (p < json.Length && json[p] is (byte)'e' or (byte)'E')
        {
            p++;
            if (p < json.Length && json[p] is (byte)'+' or (byte)'-')
            {
                p++;
            }

            int start = p;
            p = SkipDigits(json, p);
            if (p == start)
            {
                return -1;
            }
        }

        return p;
    }

    private static int SkipDigits(ReadOnlySpan<byte> json, int p)
    {
        while (p < json.Length && char.IsAsciiDigit((char)json[p]))
        {
            p++;
        }

        return p;
    }

    private static int ScanString(ReadOnlySpan<byte> json, int i, out bool escaped)
    {
        escaped = false;
        int p = i + 1; // past the opening quote
        while (true)
        {
            p = SkipPlainStringBytes(json, p);
            if (p >= json.Length)
            {
                return -1; // unterminated
            }

            byte b = json[p];
            if (b == (byte)'"')
            {
                return p + 1;
            }

            if (b < 0x20)
            {
                return -1; // raw control character
            }

            if (b == (byte)'\\')
            {
                escaped = true;
                if ((p = ScanEscape(json, p)) < 0)
                {
                    return -1;
                }

                continue;
            }

            // Non-ASCII: exactly one well-formed UTF-8 scalar value (no overlongs, no surrogates).
            if (Rune.DecodeFromUtf8(json[p..], out _, out int consumed) != OperationStatus.Done)
            {
                return -1;
            }

            p += consumed;
        }
    }

    /// <summary>
    /// The first byte at or after <paramref name="p"/> that is not plain string content (see <see cref="IsPlainStringByte"/>),
    /// or the length. Sixteen bytes at a time: as signed bytes, control characters and non-ASCII are exactly those below
    /// 0x20, so one comparison and two equalities classify a block; the last block overlaps what was already read, so even
    /// a short tail needs no byte-by-byte loop.
    /// </summary>
    private static int SkipPlainStringBytes(ReadOnlySpan<byte> json, int p)
    {
        if (!Vector128.IsHardwareAccelerated || json.Length < Vector128<byte>.Count)
        {
            while (p < json.Length && IsPlainStringByte(json[p]))
            {
                p++;
            }

            return p;
        }

        ref byte start = ref MemoryMarshal.GetReference(json);
        int lastBlock = json.Length - Vector128<byte>.Count;
        while (p <= lastBlock)
        {
            uint special = SpecialBytes(Vector128.LoadUnsafe(ref start, (nuint)p));
            if (special != 0)
            {
                return p + BitOperations.TrailingZeroCount(special);
            }

            p += Vector128<byte>.Count;
        }

        if (p < json.Length)
        {
            // The final block, shifted so bit 0 stands for byte p.
            uint special = SpecialBytes(Vector128.LoadUnsafe(ref start, (nuint)lastBlock)) >> (p - lastBlock);
            return special != 0 ? p + BitOperations.TrailingZeroCount(special) : json.Length;
        }

        return p;
    }

    /// <summary>One bit per byte of <paramref name="block"/> that is a quote, a backslash, a control character or non-ASCII.</summary>
    private static uint SpecialBytes(Vector128<byte> block)
    {
        Vector128<sbyte> bytes = block.AsSByte();
        Vector128<sbyte> special = Vector128.LessThan(bytes, Vector128.Create((sbyte)0x20))
            | Vector128.Equals(bytes, Vector128.Create((sbyte)'"'))
            | Vector128.Equals(bytes, Vector128.Create((sbyte)'\\'));
        return special.ExtractMostSignificantBits();
    }

    /// <summary>A byte that can stand in a string as itself: printable ASCII other than the quote and the backslash.</summary>
    private static bool IsPlainStringByte(byte b) => b is >= 0x20 and < 0x80 and not (byte)'"' and not (byte)'\\';

    private static int ScanEscape(ReadOnlySpan<byte> json, int p)
    {
        if (p + 1 >= json.Length)
        {
            return -1;
        }

        byte e = json[p + 1];
        if (e is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t')
        {
            return p + 2;
        }

        if (e != (byte)'u' || !TryReadHex4(json, p + 2, out int unit))
        {
            return -1;
        }

        p += 6;
        if (char.IsLowSurrogate((char)unit))
        {
            return -1; // a low surrogate without a high one
        }

        if (!char.IsHighSurrogate((char)unit))
        {
            return p;
        }

        // A high surrogate must be followed at once by an escaped low surrogate.
        if (p + 1 < json.Length && json[p] == (byte)'\\' && json[p + 1] == (byte)'u'
            && TryReadHex4(json, p + 2, out int low) && char.IsLowSurrogate((char)low))
        {
            return p + 6;
        }

        return -1;
    }

    private static bool TryReadHex4(ReadOnlySpan<byte> json, int start, out int value)
    {
        value = 0;
        if (start + 4 > json.Length)
        {
            return false;
        }

        for (int k = start; k < start + 4; k++)
        {
            int digit = HexValue(json[k]);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>Receives the members of the outer object as <see cref="IsObject{TVisitor}"/> scans them.</summary>
    public interface IMemberVisitor
    {
        /// <summary>One member, its value scanned (and, for a container, closed).</summary>
        void Visit(ReadOnlySpan<byte> json, Member member);
    }

    /// <summary>Where one member of the outer object is. Offsets are into the scanned JSON; ends are exclusive.</summary>
    public readonly struct Member
    {
        public Member(int keyStart, int keyEnd, bool keyEscaped, int valueStart, int valueEnd, bool valueEscaped)
        {
            KeyStart = keyStart;
            KeyEnd = keyEnd;
            KeyEscaped = keyEscaped;
            ValueStart = valueStart;
            ValueEnd = valueEnd;
            ValueEscaped = valueEscaped;
        }

        /// <summary>The key's opening quote.</summary>
        public int KeyStart { get; }

        /// <summary>Just past the key's closing quote.</summary>
        public int KeyEnd { get; }

        /// <summary>Whether the key holds an escape sequence.</summary>
        public bool KeyEscaped { get; }

        /// <summary>The value's first byte (a string's opening quote).</summary>
        public int ValueStart { get; }

        /// <summary>Just past the value's last byte.</summary>
        public int ValueEnd { get; }

        /// <summary>Whether the value is a string holding an escape sequence.</summary>
        public bool ValueEscaped { get; }

        /// <summary>Whether this is a member found by a scan; <see langword="default"/> stands for an absent one.</summary>
        public bool IsPresent => ValueEnd > 0;

        /// <summary>The key's raw text between the quotes (escapes not decoded).</summary>
        public ReadOnlySpan<byte> RawKey(ReadOnlySpan<byte> json) => json[(KeyStart + 1)..(KeyEnd - 1)];

        /// <summary>The value's raw text, from its first byte to its last.</summary>
        public ReadOnlySpan<byte> RawValue(ReadOnlySpan<byte> json) => json[ValueStart..ValueEnd];

        /// <summary>Whether the value is present and a string.</summary>
        public bool IsString(ReadOnlySpan<byte> json) => IsPresent && json[ValueStart] == (byte)'"';

        /// <summary>A string value's raw text between the quotes (escapes not decoded).</summary>
        public ReadOnlySpan<byte> RawString(ReadOnlySpan<byte> json) => json[(ValueStart + 1)..(ValueEnd - 1)];

        /// <summary>The text between the quotes of a string value with no escape sequence; false for any other value.</summary>
        public bool TryPlainString(ReadOnlySpan<byte> json, out ReadOnlySpan<byte> raw)
        {
            bool plain = !ValueEscaped && IsString(json);
            raw = plain ? RawString(json) : default;
            return plain;
        }
    }

    private struct NoMembers : IMemberVisitor
    {
        public readonly void Visit(ReadOnlySpan<byte> json, Member member)
        {
        }
    }
}
