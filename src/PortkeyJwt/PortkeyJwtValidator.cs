using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using PortkeyJwt.Internal;

namespace PortkeyJwt;

/// <summary>
/// Validates Portkey-shaped JSON Web Tokens: structure, header policy, signature, lifetime, issuer, audience and the
/// Portkey claims, in that order, and maps a valid token to a <see cref="PortkeyPrincipal"/>. Thread-safe and
/// immutable: build one per gateway and share it.
/// </summary>
/// <remarks>
/// <para>
/// Rejections are values, never exceptions: no content of a token makes <see cref="ValidateAsync(string, CancellationToken)"/>
/// throw. Exceptions mean misuse (a null argument, a required scope that is not a scope name) or cancellation.
/// </para>
/// <para>
/// Built over one <see cref="JwksKeyProvider"/>, it trusts that provider's keys for every token. A gateway that trusts
/// several identity providers builds a <see cref="TrustAnchorSet"/> instead, whose <see cref="TrustAnchorSet.Validator"/>
/// first routes each token by its <c>iss</c> to one <see cref="TrustAnchor"/> and then applies these rules with that
/// anchor's keys and settings only.
/// </para>
/// </remarks>
public sealed partial class PortkeyJwtValidator
{
    /// <summary>Tokens up to this many characters are decoded on the stack; longer ones use pooled buffers.</summary>
    private const int StackTokenLength = 2048;

    private const int MaxKeyIdBytes = JwksParser.MaxKeyIdLength * 6;

    private readonly JwksKeyProvider _keys;
    private readonly ValidationSettings _settings;
    private readonly TimeProvider _time;
    private readonly ClaimValues _values;
    private readonly ValidationCache? _cache;
    private readonly TrustRouter? _router;
    private readonly TrustRouter.Slot? _anchor;
    private readonly AcceptedHeaders _acceptedHeaders = new();

    /// <summary>Builds a validator over <paramref name="keys"/>.</summary>
    /// <param name="keys">Where verification keys come from.</param>
    /// <param name="options">What to accept; defaults when null. Copied and checked now.</param>
    /// <param name="timeProvider">The clock for <c>exp</c>, <c>nbf</c> and <c>iat</c>; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it.</exception>
    public PortkeyJwtValidator(JwksKeyProvider keys, PortkeyJwtOptions? options = null, TimeProvider? timeProvider = null)
        : this(keys ?? throw new ArgumentNullException(nameof(keys)), new ValidationSettings(options ?? new PortkeyJwtOptions()), timeProvider ?? TimeProvider.System)
    {
    }

    private PortkeyJwtValidator(JwksKeyProvider keys, ValidationSettings settings, TimeProvider timeProvider)
        : this(keys, settings, timeProvider, router: null, settings.ValidationCache ? new ValidationCache(settings, timeProvider) : null, anchor: null, new ClaimValues())
    {
    }

    private PortkeyJwtValidator(JwksKeyProvider keys, ValidationSettings settings, TimeProvider timeProvider, TrustRouter? router, ValidationCache? cache, TrustRouter.Slot? anchor, ClaimValues values)
    {
        _values = values;
        _keys = keys;
        _settings = settings;
        _time = timeProvider;
        _router = router;
        _cache = cache;
        _anchor = anchor;
    }

    /// <summary>
    /// The validator of one trust anchor, over its own key set and checked settings. It adds what it validates to the
    /// set's shared <paramref name="cache"/>, marked with <paramref name="anchor"/>, but never looks there: the set's
    /// router validator does, before routing. Claim values it reads go to the set's shared <paramref name="values"/>.
    /// </summary>
    internal static PortkeyJwtValidator ForAnchor(JwksKeyProvider keys, ValidationSettings settings, TimeProvider timeProvider, ValidationCache? cache, TrustRouter.Slot anchor, ClaimValues values) =>
        new(keys, settings, timeProvider, router: null, cache, anchor, values);

    /// <summary>
    /// A validator that answers from the set's validated-token <paramref name="cache"/>, or routes the token to the
    /// validator of the trust anchor its <c>iss</c> names (see <see cref="TrustAnchorSet"/>); it holds no key set of its own.
    /// </summary>
    internal static PortkeyJwtValidator ForRouter(TrustRouter router, ValidationSettings settings, TimeProvider timeProvider, ValidationCache? cache) =>
        new(JwksKeyProvider.None, settings, timeProvider, router, cache, anchor: null, new ClaimValues());

    /// <summary>The header segments of tokens this validator verified lately, with the key each selected.</summary>
    internal AcceptedHeaders AcceptedHeaders => _acceptedHeaders;

    /// <summary>The validated-token cache (shared by a trust-anchor set's validators); null when <see cref="PortkeyJwtOptions.ValidationCache"/> is off.</summary>
    internal ValidationCache? Cache => _cache;

    /// <summary>
    /// How many of <paramref name="keys"/> can verify a token this validator accepts: a key fits when some allowed
    /// algorithm may use it (its <c>alg</c>, family and curve, and at least <see cref="PortkeyJwtOptions.MinimumRsaKeySize"/>).
    /// For health checks: a loaded set in which no key fits rejects every token.
    /// </summary>
    internal int CountUsableKeys(KeySetSnapshot keys)
    {
        int usable = 0;
        foreach (VerificationKey key in keys.Keys.Values)
        {
            for (JwsAlgorithm algorithm = JwsAlgorithm.RS256; algorithm <= JwsAlgorithm.ES512; algorithm++)
            {
                if (_settings.AllowedAlgorithms.Contains(algorithm) && key.IsUsableFor(algorithm, _settings.MinimumRsaKeySize))
                {
                    usable++;
                    break;
                }
            }
        }

        return usable;
    }

    /// <summary>
    /// Validates <paramref name="token"/> (the compact JWS, without a <c>Bearer</c> prefix: a token that starts with one is
    /// <see cref="PortkeyJwtError.Malformed"/>, and its detail says so).
    /// </summary>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">Cancels a wait for keys; a validation that needs no key fetch completes synchronously.</param>
    /// <returns>The principal, or the reason the token was rejected.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Both overloads shipped together in the first version; neither can shadow the other.")]
    public ValueTask<PortkeyJwtResult> ValidateAsync(string token, CancellationToken cancellationToken = default) =>
        ValidateAsync(token, requiredScopes: null, cancellationToken);

    /// <summary>
    /// Validates <paramref name="token"/> and also requires every scope in <paramref name="requiredScopes"/> (whole names,
    /// a leading <c>portkey.</c> ignored), on top of <see cref="PortkeyJwtOptions.RequiredScopes"/>.
    /// A missing scope yields <see cref="PortkeyJwtError.InsufficientScope"/> (HTTP 403).
    /// </summary>
    /// <param name="token">The token.</param>
    /// <param name="requiredScopes">
    /// Scopes this call requires; null or empty for none. Each must be a scope name, as in
    /// <see cref="PortkeyJwtOptions.RequiredScopes"/>: printable ASCII without spaces, quotes or backslashes, not empty
    /// once a leading <c>portkey.</c> is removed.
    /// </param>
    /// <param name="cancellationToken">Cancels a wait for keys.</param>
    /// <returns>The principal, or the reason the token was rejected.</returns>
    /// <exception cref="ArgumentException"><paramref name="requiredScopes"/> holds null or a value that is not a scope name (misuse: no token could grant it).</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Both overloads shipped together in the first version; neither can shadow the other.")]
    public ValueTask<PortkeyJwtResult> ValidateAsync(string token, IReadOnlyList<string>? requiredScopes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        CheckScopeNames(requiredScopes);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<PortkeyJwtResult>(cancellationToken);
        }

        long started = Telemetry.StartValidation();
        Activity? activity = Telemetry.Source.HasListeners() ? Telemetry.Source.StartActivity("PortkeyJwt.Validate") : null;

        // With trust anchors, a cached validation answers at once; otherwise the token's iss picks the one anchor
        // validator that may validate it, before any key lookup.
        PortkeyJwtValidator? target = this;
        TrustRouter.Slot? anchor = null;
        PortkeyJwtResult? result = _router is null ? null : CachedOrRouted(token, requiredScopes, out target, out anchor);
        string? issuerTag = _settings.TagMetricsWithIssuer ? anchor?.Issuer : null; // the configured issuer, never the token's
        string? fetchFor = null;

        // Synchronous unless the key set lacks the token's kid (or has no set yet) and a fetch is allowed.
        result ??= target!.Validate(token, requiredScopes, mayFetch: true, out fetchFor);
        if (result is null)
        {
            return new ValueTask<PortkeyJwtResult>(target!.ValidateAfterFetchAsync(token, requiredScopes, fetchFor!, started, activity, issuerTag, cancellationToken));
        }

        Telemetry.RecordValidation(result, started, activity, issuerTag);
        return new ValueTask<PortkeyJwtResult>(result);
    }

    /// <summary>
    /// The answer for <paramref name="token"/> when the validated-token cache holds it, read from a span, so a caller
    /// holding the token inside a larger string (an <c>Authorization</c> header value) needs no copy of it. On a hit, exactly
    /// what <see cref="ValidateAsync(string, IReadOnlyList{string}?, CancellationToken)"/> answers for a cached token:
    /// lifetime, revocation and scopes checked again, metrics and the trace recorded. False, with nothing counted or
    /// recorded, when the cache does not hold it (or is off): validate it in full then.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="requiredScopes"/> holds null or a value that is not a scope name.</exception>
    internal bool TryValidateCached(ReadOnlySpan<char> token, IReadOnlyList<string>? requiredScopes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PortkeyJwtResult? result)
    {
        result = null;
        CheckScopeNames(requiredScopes);
        if (_cache is null || (_router is null && _anchor is not null))
        {
            return false; // an anchor's own validator adds to the set's cache but never answers from it
        }

        long started = Telemetry.StartValidation();
        if (_cache.TryGet(token, out long nowMs, countMiss: false) is not { } cached)
        {
            return false;
        }

        TrustRouter.Slot? anchor = cached.Anchor; // null without trust anchors
        anchor?.NoteUse();
        Activity? activity = Telemetry.Source.HasListeners() ? Telemetry.Source.StartActivity("PortkeyJwt.Validate") : null;
        result = cached.Valid(nowMs, _settings.ClockSkewMilliseconds) ?? Finish(cached.Result, requiredScopes, nowMs);
        Telemetry.RecordValidation(result, started, activity, _settings.TagMetricsWithIssuer ? anchor?.Issuer : null);
        return true;
    }

    /// <summary>
    /// Trust-anchor mode: the cached validation of <paramref name="token"/> (made under the anchor it routes to, which
    /// the cache checks is still in the set), or <see cref="TrustRouter.Route"/>'s answer. <paramref name="anchor"/> is the
    /// anchor the token belongs to, null when it names none.
    /// </summary>
    private PortkeyJwtResult? CachedOrRouted(string token, IReadOnlyList<string>? requiredScopes, out PortkeyJwtValidator? target, out TrustRouter.Slot? anchor)
    {
        if (_cache?.TryGet(token, out long nowMs) is { } cached)
        {
            target = null;
            anchor = cached.Anchor!;
            anchor.NoteUse();
            return cached.Valid(nowMs, _settings.ClockSkewMilliseconds) ?? Finish(cached.Result, requiredScopes, nowMs);
        }

        PortkeyJwtResult? routed = _router!.Route(token, out target);
        anchor = target?._anchor;
        return routed;
    }

    private async Task<PortkeyJwtResult> ValidateAfterFetchAsync(string token, IReadOnlyList<string>? requiredScopes, string kid, long started, Activity? activity, string? issuerTag, CancellationToken cancellationToken)
    {
        try
        {
            await _keys.FetchForUnknownKeyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            activity?.Dispose();
            throw;
        }

        PortkeyJwtResult result = Validate(token, requiredScopes, mayFetch: false, out _)!;
        if (kid.Length > 0 && result.Error == PortkeyJwtError.UnknownKey)
        {
            _keys.RememberUnknown(kid);
        }

        Telemetry.RecordValidation(result, started, activity, issuerTag);
        return result;
    }

    /// <summary>The synchronous core: every rule, in order, over one token and this validator's own key set (no routing: a
    /// trust-anchor validator routes in <see cref="ValidateAsync(string, IReadOnlyList{string}?, CancellationToken)"/>).</summary>
    /// <returns>
    /// The result; or null, only when <paramref name="mayFetch"/>, if the provider should fetch keys first:
    /// <paramref name="fetchFor"/> is then the unknown kid, or empty when no key set is available at all.
    /// </returns>
    internal PortkeyJwtResult? Validate(string token, IReadOnlyList<string>? requiredScopes, bool mayFetch, out string? fetchFor)
    {
        fetchFor = null;
        if (token.Length > _settings.MaxTokenLength)
        {
            return Failures.TooLarge;
        }

        if (token.Length == 0)
        {
            return Failures.Empty;
        }

        if (TryRepeatOfUnknownKid(token, mayFetch, out PortkeyJwtResult? repeat, out fetchFor))
        {
            return repeat;
        }

        if (_anchor is null && _cache?.TryGet(token, out long nowMs) is { } cached)
        {
            return cached.Valid(nowMs, _settings.ClockSkewMilliseconds) ?? Finish(cached.Result, requiredScopes, nowMs);
        }

        PortkeyJwtResult? result = ValidateUncached(token, mayFetch, out fetchFor);
        if (result is not { IsValid: true })
        {
            return result;
        }

        _cache?.Add(token, result, _keys, _anchor);
        return Finish(result, requiredScopes, nowMs: -1);
    }

    /// <summary>
    /// The last rules for a valid token, fresh or cached: not revoked (<see cref="PortkeyJwtOptions.Revocations"/>), then
    /// the call's scopes. Revocation comes first: a revoked token is answered 401, whatever it grants.
    /// </summary>
    /// <param name="valid">A successful validation.</param>
    /// <param name="requiredScopes">The call's scopes.</param>
    /// <param name="nowMs">The clock reading the caller already took, in Unix milliseconds; -1 to read it here if needed.</param>
    private PortkeyJwtResult Finish(PortkeyJwtResult valid, IReadOnlyList<string>? requiredScopes, long nowMs)
    {
        if (_settings.Revocations is { } revocations
            && revocations.Check(valid.Principal!, nowMs >= 0 ? nowMs : _time.GetUtcNow().ToUnixTimeMilliseconds()) is { } revoked)
        {
            return revoked;
        }

        return CheckCallScopes(valid, requiredScopes);
    }

    /// <summary>
    /// The JWS layer alone: size, structure, header policy, key and signature, with no claim read (payloads need not be
    /// JSON). <see cref="PortkeyJwtError.None"/> when the signature verifies. For external JWS test suites and fuzzing.
    /// </summary>
    internal PortkeyJwtError VerifyJws(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return token.Length > _settings.MaxTokenLength ? PortkeyJwtError.TokenTooLarge
            : token.Length == 0 ? PortkeyJwtError.Malformed
            : ValidateUncached(token, mayFetch: false, out _, readClaims: false)!.Error;
    }

    /// <summary>Every rule but the per-call scopes, without the cache; with <paramref name="readClaims"/> false, stops after the signature.</summary>
    [SkipLocalsInit] // the buffers are written before they are read, and what was written is cleared after use
    private PortkeyJwtResult? ValidateUncached(string token, bool mayFetch, out string? fetchFor, bool readClaims = true)
    {
        // One buffer holds the token as ASCII (the signing input is its first part) followed by the decoded segments.
        int needed = token.Length + Base64UrlStrict.DecodedLength(token.Length);
        byte[]? rented = null;
        Span<byte> buffer = token.Length <= StackTokenLength
            ? stackalloc byte[StackTokenLength + Base64UrlStrict.DecodedLength(StackTokenLength)]
            : (rented = ArrayPool<byte>.Shared.Rent(needed));
        buffer = buffer[..needed];
        var used = default(Scratch);
        try
        {
            return Validate(token, buffer, ref used, mayFetch, readClaims, out fetchFor);
        }
        finally
        {
            // Decoded payloads are secrets: never leave them in a pooled buffer or on the stack.
            buffer[..used.Ascii].Clear();
            buffer.Slice(token.Length, used.Decoded).Clear();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private PortkeyJwtResult? Validate(string token, Span<byte> buffer, ref Scratch used, bool mayFetch, bool readClaims, out string? fetchFor)
    {
        fetchFor = null;
        // Rule 1: exactly three segments; header and payload non-empty. An empty signature is left to the header and
        // signature checks, so an unsecured "alg":"none" token is reported as UnsupportedAlgorithm.
        int dot1 = token.IndexOf('.', StringComparison.Ordinal);
        if (dot1 <= 0 || !TwoSegmentsFollow(token, dot1, out int dot2))
        {
            return NotCompact(token, Failures.NotThreeSegments);
        }

        // The header alone decides the key. A header this validator accepted lately (under the same key set) is not read
        // again; otherwise only it is converted and decoded before the key is found, so a token naming an unknown kid costs
        // no work on the rest.
        Span<byte> ascii = buffer[..token.Length];
        Span<byte> scratch = buffer[token.Length..];
        KeySetSnapshot? keys = _keys.Current;
        AcceptedHeaders.Entry? accepted = keys is null ? null : _acceptedHeaders.Find(token.AsSpan(0, dot1), keys);
        JwsAlgorithm algorithm;
        VerificationKey? key;
        if (accepted is not null)
        {
            (algorithm, key) = (accepted.Algorithm, accepted.Key);
        }
        else
        {
            PortkeyJwtResult? headerFailure = ReadHeaderAndFindKey(token, dot1, ascii, ref scratch, ref used, ref keys, mayFetch, out algorithm, out key, out fetchFor);
            if (key is null)
            {
                return headerFailure;
            }
        }

        int converted = used.Ascii;
        used.Ascii = token.Length;
        if (Ascii.FromUtf16(token.AsSpan(converted), ascii[converted..], out _) != OperationStatus.Done)
        {
            return Failures.BadBase64; // past the header, which has been converted (or matched one that was)
        }

        // Both segments are decoded before the signature is checked: a token that is not base64url costs no RSA.
        ReadOnlySpan<byte> payloadSegment = ascii[(dot1 + 1)..dot2];
        ReadOnlySpan<byte> signatureSegment = ascii[(dot2 + 1)..];
        Span<byte> signature = scratch[..Base64UrlStrict.DecodedLength(signatureSegment.Length)];
        Span<byte> payload = scratch[signature.Length..][..Base64UrlStrict.DecodedLength(payloadSegment.Length)];
        used.Decoded += signature.Length + payload.Length;
        if (!Base64UrlStrict.TryDecode(payloadSegment, payload, out _) || !Base64UrlStrict.TryDecode(signatureSegment, signature, out _))
        {
            return Failures.BadBase64;
        }

        // Rule 4: the signature, over the exact received header and payload segments, before any claim is read.
        if (!key.Verify(algorithm, ascii[..dot2], signature))
        {
            return Failures.BadSignature;
        }

        if (accepted is null)
        {
            _acceptedHeaders.Add(token.AsSpan(0, dot1), keys!, algorithm, key);
        }

        if (!readClaims)
        {
            return PortkeyJwtResult.SignatureVerified;
        }

        var claims = new ClaimScan(_settings.Anchor?.ScopeClaimsUtf8);
        if (!JsonSyntax.IsObject(payload, ref claims))
        {
            return Failures.PayloadNotJson;
        }

        // Rules 5-7: claims.
        return ReadClaims(payload, claims, key);
    }

    /// <summary>
    /// Rules 2 and 3 for a header not accepted lately: the header segment converted and decoded into the front of
    /// <paramref name="scratch"/> (which then starts past it), its syntax and policy checked, and the key its kid names
    /// found in <paramref name="keys"/> (replaced by the newer set when the key was found there).
    /// </summary>
    /// <returns>
    /// Null with <paramref name="key"/> set when the header passes; otherwise <paramref name="key"/> is null and the result
    /// is the failure, or null when <paramref name="fetchFor"/> asks for a fetch first.
    /// </returns>
    private PortkeyJwtResult? ReadHeaderAndFindKey(
        string token, int dot1, Span<byte> ascii, ref Span<byte> scratch, ref Scratch used, ref KeySetSnapshot? keys, bool mayFetch,
        out JwsAlgorithm algorithm, out VerificationKey? key, out string? fetchFor)
    {
        algorithm = JwsAlgorithm.None;
        key = null;
        fetchFor = null;
        used.Ascii = dot1;
        if (Ascii.FromUtf16(token.AsSpan(0, dot1), ascii, out _) != OperationStatus.Done)
        {
            return NotCompact(token, Failures.BadBase64);
        }

        ReadOnlySpan<byte> headerSegment = ascii[..dot1];
        Span<byte> header = scratch[..Base64UrlStrict.DecodedLength(headerSegment.Length)];
        scratch = scratch[header.Length..];
        used.Decoded = header.Length;
        if (!Base64UrlStrict.TryDecode(headerSegment, header, out _))
        {
            return NotCompact(token, Failures.BadBase64);
        }

        // Rule 2: header syntax and policy.
        PortkeyJwtResult? headerFailure = ReadHeader(header, out algorithm, out JsonSyntax.Member kid);
        if (headerFailure is not null)
        {
            return headerFailure;
        }

        // Rule 3: the key named by kid must exist and fit the algorithm.
        if (keys is null)
        {
            if (mayFetch && _keys.ShouldFetchFor([]))
            {
                fetchFor = string.Empty;
                return null;
            }

            return Failures.NoKeys;
        }

        KeySetSnapshot set = keys;
        VerificationKey? found = FindKey(ref set, header, kid, mayFetch, ref fetchFor);
        keys = set;
        if (found is null)
        {
            if (fetchFor is not null)
            {
                return null;
            }

            NoteUnknownKid(token, dot1, header, kid);
            return Failures.UnknownKey;
        }

        if (!found.IsUsableFor(algorithm, _settings.MinimumRsaKeySize))
        {
            return Failures.UnusableKey;
        }

        key = found;
        return null;
    }

    /// <summary>
    /// A token that fails rule 1 or its header decoding: <see cref="Failures.BearerPrefix"/> when it starts with
    /// <c>Bearer </c> (any case: a caller passed the whole header value), else <paramref name="failure"/>. Only failing
    /// tokens are looked at, so valid ones pay nothing; a space can never be part of a compact JWS.
    /// </summary>
    internal static PortkeyJwtResult NotCompact(string token, PortkeyJwtResult failure) =>
        token.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? Failures.BearerPrefix : failure;

    /// <summary>
    /// Per-call scopes come from the caller's code, not from a token: a value that is not a scope name (no token could
    /// grant it) is refused at once, as the same value in <see cref="PortkeyJwtOptions.RequiredScopes"/> is, rather than
    /// turning every call into a 403. Reads each name in place: no allocation.
    /// </summary>
    private static void CheckScopeNames(IReadOnlyList<string>? requiredScopes)
    {
        if (requiredScopes is null)
        {
            return;
        }

        for (int i = 0; i < requiredScopes.Count; i++)
        {
            string? scope = requiredScopes[i];
            if (scope is null || !ScopeNames.IsValidToken(ScopeNames.Normalise(scope)))
            {
                ThrowNotAScopeName(scope, nameof(requiredScopes));
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowNotAScopeName(string? scope, string parameterName) => throw new ArgumentException(
        scope is null
            ? "Required scopes must not contain null."
            : $"'{scope}' is not a scope name: a scope must be printable ASCII without spaces, quotes or backslashes, and not empty after a leading 'portkey.'.",
        parameterName);

    /// <summary>How much of the validation buffer was written: the ASCII copy's prefix and the decoded segments.</summary>
    private struct Scratch
    {
        public int Ascii;
        public int Decoded;
    }

    /// <summary>
    /// Rule 1 after the header: from the dot at <paramref name="dot1"/>, a non-empty payload, a second dot, and no third
    /// one (the signature may be empty: see <see cref="Validate(string, Span{byte}, ref Scratch, bool, bool, out string?)"/>).
    /// </summary>
    private static bool TwoSegmentsFollow(string token, int dot1, out int dot2)
    {
        dot2 = token.IndexOf('.', dot1 + 1);
        return dot2 > dot1 + 1 && !token.AsSpan(dot2 + 1).Contains('.');
    }

    /// <summary>The key named by the header's kid; when absent and a fetch may find it, sets <paramref name="fetchFor"/> to the kid.</summary>
    [SkipLocalsInit] // the kid buffer is written before it is read
    private VerificationKey? FindKey(ref KeySetSnapshot keys, ReadOnlySpan<byte> header, JsonSyntax.Member kid, bool mayFetch, ref string? fetchFor)
    {
        int rawLength = kid.RawString(header).Length;
        if (rawLength > MaxKeyIdBytes)
        {
            return null; // longer than any kid a key set can hold, escapes and all
        }

        char[]? rented = null;
        Span<char> buffer = rawLength <= JwksParser.MaxKeyIdLength
            ? stackalloc char[JwksParser.MaxKeyIdLength]
            : (rented = ArrayPool<char>.Shared.Rent(rawLength));
        try
        {
            return LookUp(ref keys, buffer[..CopyKid(header, kid, buffer)], nameString: null, mayFetch, ref fetchFor);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// The kid's text, escapes decoded, into <paramref name="buffer"/> (at least the kid's raw length: a string's UTF-16
    /// length never exceeds its raw UTF-8 length); returns its length.
    /// </summary>
    private static int CopyKid(ReadOnlySpan<byte> header, JsonSyntax.Member kid, Span<char> buffer)
    {
        if (kid.ValueEscaped)
        {
            var reader = JsonRead.At(header, kid.ValueStart);
            return reader.CopyString(buffer);
        }

        return Encoding.UTF8.GetChars(kid.RawString(header), buffer); // JsonSyntax has checked it is valid UTF-8
    }

    /// <summary>
    /// The key named <paramref name="name"/>; when absent and a fetch may find it, null with <paramref name="fetchFor"/> set
    /// to the name (<paramref name="nameString"/> when the caller already holds it as a string).
    /// </summary>
    private VerificationKey? LookUp(ref KeySetSnapshot keys, ReadOnlySpan<char> name, string? nameString, bool mayFetch, ref string? fetchFor)
    {
        if (keys.TryGetKey(name, out VerificationKey found))
        {
            return found;
        }

        if (mayFetch && _keys.ShouldFetchFor(name))
        {
            fetchFor = nameString ?? name.ToString();
            return null;
        }

        // A fetch may have completed between reading the set and asking for one (it publishes the new set before it
        // starts the cooldown): look once more in the newest set rather than fail a kid that has just arrived.
        KeySetSnapshot? latest = _keys.Current;
        if (latest is not null && !ReferenceEquals(latest, keys) && latest.TryGetKey(name, out found))
        {
            keys = latest;
            return found;
        }

        return null;
    }
}
