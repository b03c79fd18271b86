using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace PortkeyJwt.Redis.Internal;

/// <summary>
/// The record's entries at one version, in one compact binary string (<c>{P}snapshot</c>), so a gateway's full sync reads
/// one bulk reply instead of a million sorted-set members and hash fields: the members and fields stay the record, and
/// the snapshot is only ever a faster way to reach the same state (it is checked against the change log before it is
/// used, and any doubt falls back to the record). Layout, all integers little-endian:
/// <code>
/// "PKRS1"                       5 bytes, the format
/// version                       20 ASCII digits, zero-padded (a Lua script compares versions without decoding the rest)
/// anchor change                 int32 length + UTF-8: the change log's entry for that version, as the log holds it
/// issuers                       int32 count, then per issuer a varint length + UTF-8 (entries refer to them by position)
/// entries                       int32 count, then per entry:
///   kind                        1 byte: 0 token, 1 organisation, 2 workspace, 3 user
///   at                          int64, Unix seconds
///   issuer                      varint: 0 for none, else position + 1
///   first                       varint length + UTF-8: the jti or the organisation
///   second                      (workspace and user only) varint length + UTF-8
/// </code>
/// Decoding checks every length against what is left, UTF-8 strictly, and every identifier as <see cref="Revocation"/>
/// does; anything wrong rejects the whole snapshot.
/// </summary>
internal static class RevocationSnapshot
{
    /// <summary>The bytes every snapshot starts with.</summary>
    public static ReadOnlySpan<byte> Magic => "PKRS1"u8;

    /// <summary>Where the version's 20 digits start.</summary>
    public const int VersionOffset = 5;

    private const int VersionDigits = 20;
    private const int HeaderLength = VersionOffset + VersionDigits;

    /// <summary>Longest anchor change accepted (a change holds two identifiers of at most 1,024 characters and a little more).</summary>
    private const int MaxAnchorBytes = 16 * 1024;

    /// <summary>Longest identifier in bytes: <see cref="Revocation.MaxIdentifierLength"/> characters of up to 3 UTF-8 bytes each.</summary>
    private const int MaxIdentifierBytes = Revocation.MaxIdentifierLength * 3;

    /// <summary>The smallest an entry can be: kind, time, issuer, and a one-byte identifier with its length.</summary>
    private const int MinEntryBytes = 1 + 8 + 1 + 1 + 1;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The snapshot of <paramref name="entries"/> at <paramref name="version"/>, whose change-log entry is
    /// <paramref name="anchorChange"/>. Token entries whose time is not after <paramref name="nowSeconds"/> are left out.
    /// </summary>
    public static byte[] Write(IEnumerable<Revocation> entries, int countHint, long version, string anchorChange, long nowSeconds)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, countHint * 56));
        buffer.Write(Magic);
        buffer.Advance(Encoding.ASCII.GetBytes(version.ToString("D20", CultureInfo.InvariantCulture), buffer.GetSpan(VersionDigits)));
        WriteInt32Prefixed(buffer, anchorChange);

        var issuers = new Dictionary<string, int>(StringComparer.Ordinal);
        var body = new ArrayBufferWriter<byte>(Math.Max(256, countHint * 48));
        int count = 0;
        foreach (Revocation entry in entries)
        {
            if (entry.Kind == RevocationKind.Token && entry.At.ToUnixTimeSeconds() <= nowSeconds)
            {
                continue;
            }

            int issuer = 0;
            if (entry.Issuer is { } name && !issuers.TryGetValue(name, out issuer))
            {
                issuer = issuers.Count + 1;
                issuers.Add(name, issuer);
            }

            Span<byte> fixedPart = body.GetSpan(9);
            fixedPart[0] = (byte)entry.Kind;
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart[1..], entry.At.ToUnixTimeSeconds());
            body.Advance(9);
            WriteVarint(body, (uint)issuer);
            WriteVarintPrefixed(body, entry.Kind == RevocationKind.Token ? entry.JwtId! : entry.Organisation!);
            if (entry.Kind is RevocationKind.Workspace or RevocationKind.User)
            {
                WriteVarintPrefixed(body, entry.Workspace ?? entry.User!);
            }

            count++;
        }

        WriteInt32(buffer, issuers.Count);
        foreach ((string name, _) in issuers.OrderBy(pair => pair.Value))
        {
            WriteVarintPrefixed(buffer, name);
        }

        WriteInt32(buffer, count);
        buffer.Write(body.WrittenSpan);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The version a snapshot holds, read from its header alone; false when <paramref name="snapshot"/> is not one.</summary>
    public static bool TryReadVersion(ReadOnlySpan<byte> snapshot, out long version)
    {
        version = 0;
        return snapshot.Length >= HeaderLength && snapshot.StartsWith(Magic)
            && long.TryParse(snapshot.Slice(VersionOffset, VersionDigits), NumberStyles.None, CultureInfo.InvariantCulture, out version)
            && version > 0;
    }

    /// <summary>
    /// The version, the anchor change and the entries of <paramref name="snapshot"/>, token entries whose time is not after
    /// <paramref name="nowSeconds"/> left out; false when anything about it is wrong.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> snapshot, long nowSeconds, out long version, [NotNullWhen(true)] out string? anchorChange, [NotNullWhen(true)] out List<Revocation>? entries)
    {
        anchorChange = null;
        entries = null;
        if (!TryReadVersion(snapshot, out version))
        {
            return false;
        }

        var reader = new Reader(snapshot[HeaderLength..]);
        try
        {
            if (!reader.TryInt32Prefixed(MaxAnchorBytes, out anchorChange) || !reader.TryInt32(out int issuerCount) || issuerCount > reader.Left)
            {
                return false;
            }

            string[] issuers = new string[issuerCount];
            for (int i = 0; i < issuerCount; i++)
            {
                if (!reader.TryVarintPrefixed(out string? issuer))
                {
                    return false;
                }

                issuers[i] = issuer;
            }

            if (!reader.TryInt32(out int count) || count > reader.Left / MinEntryBytes)
            {
                return false;
            }

            var read = new List<Revocation>(count);
            for (int i = 0; i < count; i++)
            {
                if (!reader.TryByte(out byte kind) || kind > (byte)RevocationKind.User || !reader.TryInt64(out long seconds)
                    || seconds is < -62135596800 or > 253402300799 || !reader.TryVarint(out uint issuerIndex) || issuerIndex > issuerCount
                    || !reader.TryVarintPrefixed(out string? first))
                {
                    return false;
                }

                string? issuer = issuerIndex == 0 ? null : issuers[issuerIndex - 1];
                var at = DateTimeOffset.FromUnixTimeSeconds(seconds);
                switch ((RevocationKind)kind)
                {
                    case RevocationKind.Token:
                        if (seconds > nowSeconds)
                        {
                            read.Add(Revocation.Token(first, at, issuer));
                        }

                        break;
                    case RevocationKind.Organisation:
                        read.Add(Revocation.OrganisationIssuedBefore(first, at, issuer));
                        break;
                    default:
                        if (!reader.TryVarintPrefixed(out string? second))
                        {
                            return false;
                        }

                        read.Add(kind == (byte)RevocationKind.Workspace
                            ? Revocation.WorkspaceIssuedBefore(first, second, at, issuer)
                            : Revocation.UserIssuedBefore(first, second, at, issuer));
                        break;
                }
            }

            if (reader.Left != 0)
            {
                return false;
            }

            entries = read;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or DecoderFallbackException)
        {
            // an identifier Revocation refuses, or bytes that are not UTF-8 (DecoderFallbackException is an ArgumentException)
            anchorChange = null;
            return false;
        }
    }

    private static void WriteInt32(ArrayBufferWriter<byte> buffer, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    private static void WriteInt32Prefixed(ArrayBufferWriter<byte> buffer, string value)
    {
        int length = Strict.GetByteCount(value);
        WriteInt32(buffer, length);
        buffer.Advance(Strict.GetBytes(value, buffer.GetSpan(length)));
    }

    private static void WriteVarint(ArrayBufferWriter<byte> buffer, uint value)
    {
        Span<byte> span = buffer.GetSpan(5);
        int i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        buffer.Advance(i);
    }

    private static void WriteVarintPrefixed(ArrayBufferWriter<byte> buffer, string value)
    {
        int length = Strict.GetByteCount(value);
        WriteVarint(buffer, (uint)length);
        buffer.Advance(Strict.GetBytes(value, buffer.GetSpan(length)));
    }

    /// <summary>Reads the layout above, every length checked against what is left.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public readonly int Left => _data.Length;

        public bool TryByte(out byte value)
        {
            value = 0;
            if (_data.IsEmpty)
            {
                return false;
            }

            value = _data[0];
            _data = _data[1..];
            return true;
        }

        public bool TryInt32(out int value)
        {
            value = 0;
            if (_data.Length < 4)
            {
                return false;
            }

            value = BinaryPrimitives.ReadInt32LittleEndian(_data);
            _data = _data[4..];
            return value >= 0;
        }

        public bool TryInt64(out long value)
        {
            value = 0;
            if (_data.Length < 8)
            {
                return false;
            }

            value = BinaryPrimitives.ReadInt64LittleEndian(_data);
            _data = _data[8..];
            return true;
        }

        public bool TryVarint(out uint value)
        {
            value = 0;
            for (int shift = 0; shift < 35; shift += 7)
            {
                if (!TryByte(out byte b))
                {
                    return false;
                }

                value |= (uint)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return true;
                }
            }

            return false;
        }

        public bool TryInt32Prefixed(int max, [NotNullWhen(true)] out string? value)
        {
            value = null;
            return TryInt32(out int length) && TryText(length, max, out value);
        }

        public bool TryVarintPrefixed([NotNullWhen(true)] out string? value)
        {
            value = null;
            return TryVarint(out uint length) && TryText(length > int.MaxValue ? -1 : (int)length, MaxIdentifierBytes, out value);
        }

        private bool TryText(int length, int max, [NotNullWhen(true)] out string? value)
        {
            value = null;
            if (length < 0 || length > max || length > _data.Length)
            {
                return false;
            }

            value = Strict.GetString(_data[..length]);
            _data = _data[length..];
            return true;
        }
    }
}
