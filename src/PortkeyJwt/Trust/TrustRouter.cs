using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace PortkeyJwt.Internal;

/// <summary>
/// Routes a token to the one trust anchor its unverified <c>iss</c> names, before any key lookup or fetch (RFC 8725 §3.8:
/// the keys that verify a token must belong to its issuer). Each anchor has its own validator, key provider and caches, so
/// nothing learnt under one anchor can serve another; the anchor's validator then checks the signature with that
/// anchor's keys only, and <c>iss</c> again, as a verified claim.
/// </summary>
/// <remarks>
/// <para>
/// Three ways to find <c>iss</c>, all allocation-free, the issuer looked up by span:
/// </para>
/// <list type="bullet">
/// <item><description>
/// The encoded prefix (most tokens): when the payload's first characters spell <c>{"iss":"ISSUER"</c> for an anchor's
/// issuer (see <see cref="EncodedIssuers"/>), the token routes there with no decoding at all.
/// </description></item>
/// <item><description>
/// The prefix (the rest of them): when the payload starts <c>{"iss":"</c> and the value is printable ASCII without an escape,
/// only the first <see cref="Table.PrefixChars"/> characters of the payload are decoded (enough for the longest anchor's
/// issuer and its quotes). A value that names an anchor routes there; one that names none, or is longer than every
/// anchor's issuer, is <see cref="PortkeyJwtError.UnknownIssuer"/> at once. The rest of the token is not read: the
/// anchor's validator checks it all (segments, base64url, header, signature, then the payload's syntax, a repeated
/// <c>iss</c>, and <c>iss</c> itself as a verified claim), so a token routed by its first <c>iss</c> is accepted only if it
/// has no other. Measured on the benchmark token (a 28-character issuer first) on the 2-vCPU CI VM: 107–164 ns, against
/// 1.33–1.64 µs for the full pass (about 45 ns of it is <see cref="Base64Url"/> decoding the first 52 characters).
/// </description></item>
/// <item><description>
/// The full pass (anything else: <c>iss</c> not first, escaped, non-ASCII, whitespace before it, a short payload): the
/// payload is decoded into a stack (or pooled, cleared) buffer and scanned by <see cref="JsonSyntax"/>; <c>iss</c> is
/// unescaped into a char buffer. An escaped <c>iss</c> routes by its unescaped value, exactly as the anchor's issuer
/// check compares it. Here a payload that is not JSON, repeats a claim the validator reads, or lacks <c>iss</c> or has a
/// non-string one is rejected before the header is checked.
/// </description></item>
/// </list>
/// <para>
/// Every way routes a token the full pass would route to the same anchor; the prefix only rejects earlier, and with
/// <see cref="PortkeyJwtError.UnknownIssuer"/> rather than <see cref="PortkeyJwtError.Malformed"/>, a token whose first
/// <c>iss</c> names no anchor but whose rest is malformed.
/// </para>
/// </remarks>
internal sealed class TrustRouter : IDisposable
{
    private const int StackPayloadLength = 2048;

    /// <summary>The most payload characters the prefix way decodes (258 bytes): issuers up to 249 bytes route by it.</summary>
    private const int MaxPrefixChars = 344;

    /// <summary>The length of <c>{"iss":"</c>.</summary>
    private const int IssPrefixLength = 8;

    private static readonly SearchValues<char> Base64UrlChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>Bytes that stand for themselves in a JSON string and in UTF-16: printable ASCII except <c>"</c> and <c>\</c>.</summary>
    private static readonly SearchValues<byte> PlainStringBytes =
        SearchValues.Create([.. Enumerable.Range(0x20, 0x7F - 0x20).Where(b => b is not '"' and not '\\').Select(b => (byte)b)]);

    private readonly int _maxTokenLength;
    private readonly Lock _replaceGate = new();
    private volatile Table _table;
    private bool _disposed;

    public TrustRouter(IEnumerable<Slot> slots, int maxTokenLength)
    {
        _table = new Table(slots);
        _maxTokenLength = maxTokenLength;
    }

    /// <summary>The anchors' slots, by issuer: the table tokens are routed by now.</summary>
    public IReadOnlyDictionary<string, Slot> Slots => _table.Slots;

    /// <summary>
    /// Routes every later token by <paramref name="slots"/>, swapped in with one write: a validation routes by the old
    /// table or the new one, never a mix. Slots of the old table that are not in the new one are marked retired (so the
    /// validated-token cache stops serving what they validated) and returned, for the caller to dispose once validations
    /// in flight on them are done. Throws <see cref="ObjectDisposedException"/> after <see cref="Dispose"/>.
    /// </summary>
    public List<Slot> Replace(IEnumerable<Slot> slots)
    {
        var table = new Table(slots);
        lock (_replaceGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Table previous = _table;
            _table = table;
            List<Slot> removed = [.. previous.Slots.Values.Where(old => !table.Slots.TryGetValue(old.Issuer, out Slot? kept) || !ReferenceEquals(kept, old))];
            removed.ForEach(old => old.Retire());
            return removed;
        }
    }

    /// <summary>
    /// The validator of the anchor <paramref name="token"/>'s <c>iss</c> names, in <paramref name="target"/> with a null
    /// result; or the rejection, found without touching any key set.
    /// </summary>
    public PortkeyJwtResult? Route(string token, out PortkeyJwtValidator? target)
    {
        target = null;
        if (token.Length > _maxTokenLength)
        {
            return Failures.TooLarge;
        }

        Table table = _table;
        return FromPrefix(table, token, out Slot? slot) switch
        {
            Prefix.Anchor => Routed(slot!, out target),
            Prefix.NoAnchor => Failures.UnknownIssuer,
            _ => FromPayload(table, token, out target),
        };
    }

    /// <summary>The full pass (see the remarks above): the whole payload decoded and scanned.</summary>
    [SkipLocalsInit] // the buffer is written before it is read, and cleared after use
    private static PortkeyJwtResult? FromPayload(Table table, string token, out PortkeyJwtValidator? target)
    {
        target = null;
        int dot1 = token.IndexOf('.', StringComparison.Ordinal);
        int dot2 = dot1 <= 0 ? -1 : token.IndexOf('.', dot1 + 1);
        if (dot2 <= dot1 + 1 || token.AsSpan(dot2 + 1).Contains('.'))
        {
            return token.Length == 0 ? Failures.Empty : PortkeyJwtValidator.NotCompact(token, Failures.NotThreeSegments);
        }

        ReadOnlySpan<char> segment = token.AsSpan(dot1 + 1, dot2 - dot1 - 1);
        int needed = segment.Length + Base64UrlStrict.DecodedLength(segment.Length);
        byte[]? rented = null;
        Span<byte> buffer = segment.Length <= StackPayloadLength
            ? stackalloc byte[StackPayloadLength + Base64UrlStrict.DecodedLength(StackPayloadLength)]
            : (rented = ArrayPool<byte>.Shared.Rent(needed));
        buffer = buffer[..needed];
        try
        {
            Slot? slot = null;
            PortkeyJwtResult? failure = Find(table, token, segment, buffer, ref slot);
            return failure ?? Routed(slot!, out target);
        }
        finally
        {
            buffer.Clear(); // the decoded payload is a secret
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The validator of <paramref name="slot"/>, noting the use; null (routed) or the rejection.</summary>
    private static PortkeyJwtResult? Routed(Slot slot, out PortkeyJwtValidator? target)
    {
        target = slot.Validator;
        slot.NoteUse();
        return target is null ? Failures.NoKeys : null; // null only once the set is disposed
    }

    /// <summary>
    /// The prefix way (see the remarks above): the anchor named by a first member <c>"iss":"…"</c> whose value is plain
    /// printable ASCII, read from the payload's first <see cref="Table.PrefixChars"/> characters; <see cref="Prefix.Unsure"/>
    /// when the payload does not start that way, for the full pass to decide.
    /// </summary>
    [SkipLocalsInit] // the buffers are written before they are read; the decoded one is cleared after use
    private static Prefix FromPrefix(Table table, string token, out Slot? slot)
    {
        slot = null;
        int dot1 = token.IndexOf('.', StringComparison.Ordinal);
        if (dot1 <= 0)
        {
            return Prefix.Unsure;
        }

        ReadOnlySpan<char> encoded = token.AsSpan(dot1 + 1);
        if (table.Encoded.Find(encoded) is { } known)
        {
            slot = known; // the payload's characters spell {"iss":"<this anchor's issuer>" exactly: no need to decode them
            return Prefix.Anchor;
        }

        encoded = encoded[..Math.Min(encoded.Length, table.PrefixChars)];
        int end = encoded.IndexOfAnyExcept(Base64UrlChars); // the next '.', or a character the full pass rejects
        encoded = end < 0 ? encoded : encoded[..end];
        encoded = encoded[..(encoded.Length & ~3)]; // whole quanta only: no padding or unused bits to judge

        Span<byte> decoded = stackalloc byte[Base64UrlStrict.DecodedLength(MaxPrefixChars)];
        int length = 0;
        try
        {
            if (Base64Url.DecodeFromChars(encoded, decoded, out _, out length) != OperationStatus.Done)
            {
                return Prefix.Unsure;
            }

            ReadOnlySpan<byte> payload = decoded[..length];
            if (!payload.StartsWith("{\"iss\":\""u8))
            {
                return Prefix.Unsure;
            }

            ReadOnlySpan<byte> value = payload[IssPrefixLength..];
            int close = value.IndexOfAnyExcept(PlainStringBytes);
            if (close < 0 || close > table.MaxIssuerBytes)
            {
                // Every byte before close stands for itself: more than MaxIssuerBytes of them name no anchor, however the value goes on.
                return (close < 0 ? value.Length : close) > table.MaxIssuerBytes ? Prefix.NoAnchor : Prefix.Unsure;
            }

            if (value[close] != (byte)'"')
            {
                return Prefix.Unsure; // an escape, a control character or non-ASCII: only the full pass reads that
            }

            Span<char> chars = stackalloc char[Base64UrlStrict.DecodedLength(MaxPrefixChars)];
            _ = Ascii.ToUtf16(value[..close], chars, out int written); // plain ASCII: one char per byte
            return table.ByIssuer.TryGetValue(chars[..written], out slot) ? Prefix.Anchor : Prefix.NoAnchor;
        }
        finally
        {
            decoded[..length].Clear(); // the decoded payload is a secret
        }
    }

    public void Dispose()
    {
        Table table;
        lock (_replaceGate)
        {
            _disposed = true;
            table = _table;
        }

        foreach (Slot slot in table.Slots.Values)
        {
            slot.Dispose();
        }
    }

    private static PortkeyJwtResult? Find(Table table, string token, ReadOnlySpan<char> segment, Span<byte> buffer, ref Slot? slot)
    {
        Span<byte> ascii = buffer[..segment.Length];
        Span<byte> payload = buffer[segment.Length..];
        if (Ascii.FromUtf16(segment, ascii, out _) != OperationStatus.Done
            || !Base64UrlStrict.TryDecode(ascii, payload, out int length))
        {
            return PortkeyJwtValidator.NotCompact(token, Failures.BadBase64);
        }

        payload = payload[..length];
        var scan = default(IssuerScan);
        if (!JsonSyntax.IsObject(payload, ref scan))
        {
            return Failures.PayloadNotJson;
        }

        if (scan.Duplicate)
        {
            return Failures.DuplicateClaim;
        }

        JsonSyntax.Member iss = scan.Issuer;
        if (!iss.IsPresent)
        {
            return Failures.Missing(Failures.Claim.Iss);
        }

        if (!iss.IsString(payload))
        {
            return Failures.Invalid(Failures.Claim.Iss);
        }

        // A string's UTF-16 length never exceeds its raw length; an escape takes at most 6 raw bytes per UTF-8 byte.
        int rawLength = iss.RawString(payload).Length;
        if (rawLength > (iss.ValueEscaped ? 6 * table.MaxIssuerBytes : table.MaxIssuerBytes))
        {
            return Failures.UnknownIssuer;
        }

        char[]? rented = null;
        Span<char> chars = rawLength <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(rawLength));
        try
        {
            int written = iss.ValueEscaped
                ? JsonRead.At(payload, iss.ValueStart).CopyString(chars)
                : Encoding.UTF8.GetChars(iss.RawString(payload), chars); // JsonSyntax has checked the UTF-8
            return table.ByIssuer.TryGetValue(chars[..written], out slot) ? null : Failures.UnknownIssuer;
        }
        finally
        {
            if (rented is not null)
            {
                rented.AsSpan(0, rawLength).Clear(); // token content goes back to the pool cleared
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Finds <c>iss</c> as the syntax pass visits the payload's members, noting a repeat.</summary>
    private struct IssuerScan : JsonSyntax.IMemberVisitor
    {
        /// <summary>Longest raw key that can still unescape to <c>iss</c>.</summary>
        private const int MaxEscapedNameLength = 3 * 6;

        public JsonSyntax.Member Issuer { get; private set; }

        public bool Duplicate { get; private set; }

        public void Visit(ReadOnlySpan<byte> json, JsonSyntax.Member member)
        {
            Span<byte> buffer = member.KeyEscaped ? stackalloc byte[MaxEscapedNameLength] : default;
            ReadOnlySpan<byte> name = member.KeyEscaped ? JsonRead.UnescapedKey(json, member, buffer) : member.RawKey(json);
            if (name.SequenceEqual("iss"u8))
            {
                Duplicate |= Issuer.IsPresent;
                Issuer = member;
            }
        }
    }

    /// <summary>What the prefix way found: an anchor, certainly none, or nothing it can judge.</summary>
    private enum Prefix
    {
        Unsure,
        Anchor,
        NoAnchor,
    }

    /// <summary>The issuers' slots and the span lookup over them; immutable, swapped whole by <see cref="Replace"/>.</summary>
    private sealed class Table
    {
        public Table(IEnumerable<Slot> slots)
        {
            Slots = slots.ToDictionary(s => s.Issuer, StringComparer.Ordinal);
            ByIssuer = Slots.GetAlternateLookup<ReadOnlySpan<char>>();
            Encoded = new EncodedIssuers(Slots.Values);
            MaxIssuerBytes = Slots.Count == 0 ? 0 : Slots.Keys.Max(Encoding.UTF8.GetByteCount);

            // {"iss":" then the longest issuer and one byte more (its closing quote), in whole base64url quanta.
            PrefixChars = Math.Min(MaxPrefixChars, (IssPrefixLength + MaxIssuerBytes + 1 + 2) / 3 * 4);
        }

        public Dictionary<string, Slot> Slots { get; }

        public Dictionary<string, Slot>.AlternateLookup<ReadOnlySpan<char>> ByIssuer { get; }

        public int MaxIssuerBytes { get; }

        /// <summary>The issuers as a payload spells them when <c>iss</c> comes first: the prefix way's first try.</summary>
        public EncodedIssuers Encoded { get; }

        /// <summary>How many payload characters the prefix way decodes: a multiple of 4, at most <see cref="MaxPrefixChars"/>.</summary>
        public int PrefixChars { get; }
    }

    /// <summary>
    /// One anchor: its settings and, once the first token is routed to it, its validator over its own key provider. The
    /// provider is created under a lock, once, so concurrent first tokens share it (and its single-flight first fetch).
    /// </summary>
    internal sealed class Slot : IDisposable
    {
        private readonly Func<JwksKeyProvider> _createKeys;
        private readonly ValidationSettings _settings;
        private readonly TimeProvider _time;
        private readonly ValidationCache? _cache;
        private readonly ClaimValues _values;
        private readonly Lock _gate = new();
        private PortkeyJwtValidator? _validator;
        private JwksKeyProvider? _keys;
        private volatile bool _retired;
        private bool _disposed;

        /// <param name="issuer">The anchor's issuer.</param>
        /// <param name="definition">What the anchor was built from, in a canonical form: a reload keeps a slot whose definition is unchanged.</param>
        /// <param name="createKeys">Makes the anchor's key provider, at the first token.</param>
        /// <param name="settings">The anchor's checked settings.</param>
        /// <param name="time">The clock.</param>
        /// <param name="cache">The set's validated-token cache, shared by every anchor; null when off.</param>
        /// <param name="values">The set's claim values, shared by every anchor.</param>
        public Slot(string issuer, string definition, Func<JwksKeyProvider> createKeys, ValidationSettings settings, TimeProvider time, ValidationCache? cache, ClaimValues values)
        {
            _values = values;
            Issuer = issuer;
            Definition = definition;
            _createKeys = createKeys;
            _settings = settings;
            _time = time;
            _cache = cache;
        }

        public string Issuer { get; }

        public string Definition { get; }

        /// <summary>Whether a reload has removed or replaced this anchor (or the set was disposed): what it validated is no longer served from the cache.</summary>
        public bool IsRetired => _retired;

        /// <summary>Notes a token routed here, so the key provider keeps refreshing (see <see cref="JwksKeyProvider.NoteUse"/>).</summary>
        public void NoteUse() => _keys?.NoteUse();

        /// <summary>Marks the slot retired; its keys stay loaded until <see cref="Dispose"/>, for validations already routed here.</summary>
        public void Retire() => _retired = true;

        /// <summary>The anchor's key provider, or null before the first token was routed to it (or after disposal).</summary>
        public JwksKeyProvider? Keys => Volatile.Read(ref _validator) is null ? null : _keys;

        /// <summary>The anchor's validator, created by the first call; null once disposed.</summary>
        public PortkeyJwtValidator? Validator => Volatile.Read(ref _validator) ?? Create();

        public void Dispose()
        {
            lock (_gate)
            {
                _retired = true;
                _disposed = true;
                _keys?.Dispose();
            }
        }

        /// <summary>For tests: called by every caller that found no validator, before it takes the lock to create one.</summary>
        internal Action? BeforeCreate { get; set; }

        private PortkeyJwtValidator? Create()
        {
            BeforeCreate?.Invoke();
            lock (_gate)
            {
                if (_disposed)
                {
                    return null;
                }

                if (_validator is null)
                {
                    _keys = _createKeys();
                    Volatile.Write(ref _validator, PortkeyJwtValidator.ForAnchor(_keys, _settings, _time, _cache, this, _values));
                }

                return _validator;
            }
        }
    }
}
