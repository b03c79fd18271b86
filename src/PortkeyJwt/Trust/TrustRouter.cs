using System.Buffers;
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
/// The payload is decoded into a stack (or pooled, cleared) buffer and scanned by <see cref="JsonSyntax"/>; <c>iss</c> is
/// unescaped into a char buffer and looked up by span, so routing allocates nothing. An escaped <c>iss</c> routes by its
/// unescaped value, exactly as the anchor's issuer check compares it.
/// </para>
/// <para>
/// Reading <c>iss</c> before the signature means, in anchor mode only, that a payload that is not JSON, repeats a claim
/// the validator reads, or lacks <c>iss</c> or has a non-string one is rejected before the header is checked.
/// </para>
/// </remarks>
internal sealed class TrustRouter : IDisposable
{
    private const int StackPayloadLength = 2048;

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
    [SkipLocalsInit] // the buffer is written before it is read, and cleared after use
    public PortkeyJwtResult? Route(string token, out PortkeyJwtValidator? target)
    {
        target = null;
        if (token.Length > _maxTokenLength)
        {
            return Failures.TooLarge;
        }

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
            PortkeyJwtResult? failure = Find(_table, token, segment, buffer, ref slot);
            if (failure is not null)
            {
                return failure;
            }

            target = slot!.Validator;
            slot.NoteUse();
            return target is null ? Failures.NoKeys : null; // null only once the set is disposed
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
            || !Base64UrlStrict.IsValid(ascii) || !Base64UrlStrict.TryDecodeValidated(ascii, payload, out int length))
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

    /// <summary>The issuers' slots and the span lookup over them; immutable, swapped whole by <see cref="Replace"/>.</summary>
    private sealed class Table
    {
        public Table(IEnumerable<Slot> slots)
        {
            Slots = slots.ToDictionary(s => s.Issuer, StringComparer.Ordinal);
            ByIssuer = Slots.GetAlternateLookup<ReadOnlySpan<char>>();
            MaxIssuerBytes = Slots.Count == 0 ? 0 : Slots.Keys.Max(Encoding.UTF8.GetByteCount);
        }

        public Dictionary<string, Slot> Slots { get; }

        public Dictionary<string, Slot>.AlternateLookup<ReadOnlySpan<char>> ByIssuer { get; }

        public int MaxIssuerBytes { get; }
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
        public Slot(string issuer, string definition, Func<JwksKeyProvider> createKeys, ValidationSettings settings, TimeProvider time, ValidationCache? cache)
        {
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
                    Volatile.Write(ref _validator, PortkeyJwtValidator.ForAnchor(_keys, _settings, _time, _cache, this));
                }

                return _validator;
            }
        }
    }
}
