using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using PortkeyJwt.Internal;
using Claim = PortkeyJwt.Internal.Failures.Claim;

namespace PortkeyJwt;

public sealed partial class PortkeyJwtValidator
{
    /// <summary>Longest identity value (organisation, workspace, email, subject, uid, issuer) accepted, in UTF-8 bytes.</summary>
    private const int MaxIdentifierBytes = 1024;

    /// <summary>Most scopes one token may grant.</summary>
    private const int MaxScopes = 512;

    /// <summary>Latest NumericDate accepted: 9999-12-31T23:59:59Z, the end of <see cref="DateTimeOffset"/>'s range.</summary>
    private const long MaxUnixSeconds = 253_402_300_799;

    /// <summary>The payload members the validator reads; every other claim is ignored.</summary>
    private enum Member
    {
        Exp,
        Nbf,
        Iat,
        Iss,
        Aud,
        PortkeyOid,
        OrganisationId,
        PortkeyWorkspace,
        WorkspaceSlug,
        Scope,
        Scopes,
        EmailId,
        Sub,
        Uid,
        Jti,
        None,
    }

    /// <summary>Where each claim the validator reads is in the payload (<see langword="default"/> when absent).</summary>
    [InlineArray((int)Member.None)]
    private struct ClaimLocations
    {
        private JsonSyntax.Member _first;
    }

    /// <summary>Records where the claims the validator reads are, as <see cref="JsonSyntax"/> scans the payload.</summary>
    private struct ClaimScan : JsonSyntax.IMemberVisitor
    {
        /// <summary>
        /// Longest raw name that can still unescape to a claim read here (17 characters, or a trust anchor's scope claim
        /// of up to <see cref="AnchorPolicy.MaxScopeClaimLength"/>, each escaped).
        /// </summary>
        private const int MaxEscapedNameLength = AnchorPolicy.MaxScopeClaimLength * 6;

        /// <summary>A trust anchor's scope claims, read into the <see cref="Member.Scope"/> and <see cref="Member.Scopes"/> slots; null for those two names.</summary>
        private readonly byte[][]? _scopeClaims;

        private ClaimLocations _claims;

        public ClaimScan(byte[][]? scopeClaims) => _scopeClaims = scopeClaims;

        public bool Duplicate { get; private set; }

        /// <summary>Where the syntax pass found <paramref name="claim"/>; <see langword="default"/> when the payload lacks it.</summary>
        public readonly JsonSyntax.Member this[Member claim] => _claims[(int)claim];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Visit(ReadOnlySpan<byte> json, JsonSyntax.Member member)
        {
            if (member.KeyEscaped)
            {
                VisitEscaped(json, member);
                return;
            }

            ReadOnlySpan<byte> name = member.RawKey(json);
            Record(_scopeClaims is null ? Identify(name) : IdentifyWith(_scopeClaims, name), member);
        }

        /// <summary>A claim name written with escapes (legal JSON, rare): unescaped, then identified.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void VisitEscaped(ReadOnlySpan<byte> json, JsonSyntax.Member member)
        {
            Span<byte> buffer = stackalloc byte[MaxEscapedNameLength];
            ReadOnlySpan<byte> name = JsonRead.UnescapedKey(json, member, buffer);
            Record(_scopeClaims is null ? Identify(name) : IdentifyWith(_scopeClaims, name), member);
        }

        private void Record(Member claim, JsonSyntax.Member member)
        {
            if (claim == Member.None)
            {
                return;
            }

            Duplicate |= _claims[(int)claim].IsPresent;
            _claims[(int)claim] = member;
        }
    }

    /// <summary>Like <see cref="Identify"/>, with <paramref name="scopeClaims"/> in place of <c>scope</c> and <c>scopes</c>.</summary>
    private static Member IdentifyWith(byte[][] scopeClaims, ReadOnlySpan<byte> name)
    {
        for (int i = 0; i < scopeClaims.Length; i++)
        {
            if (name.SequenceEqual(scopeClaims[i]))
            {
                return i == 0 ? Member.Scope : Member.Scopes;
            }
        }

        return Identify(name) is Member.Scope or Member.Scopes ? Member.None : Identify(name);
    }

    /// <summary>Reads and checks the claims of a payload whose signature has verified; builds the principal.</summary>
    /// <param name="payload">The payload, already accepted by <see cref="JsonSyntax"/>.</param>
    /// <param name="claims">Where the claims are, from that syntax pass.</param>
    /// <param name="key">The key that verified the signature.</param>
    private PortkeyJwtResult ReadClaims(ReadOnlySpan<byte> payload, in ClaimScan claims, VerificationKey key)
    {
        if (claims.Duplicate)
        {
            return Failures.DuplicateClaim;
        }

        // Rule 5: lifetime.
        JsonSyntax.Member exp = claims[Member.Exp];
        if (!exp.IsPresent)
        {
            return Failures.Missing(Claim.Exp);
        }

        if (!TryReadTime(payload, exp, out long expires))
        {
            return Failures.Invalid(Claim.Exp);
        }

        long notBefore = -1, issuedAt = -1;
        if (claims[Member.Nbf] is { IsPresent: true } nbf && !TryReadTime(payload, nbf, out notBefore))
        {
            return Failures.Invalid(Claim.Nbf);
        }

        if (claims[Member.Iat] is { IsPresent: true } iat && !TryReadTime(payload, iat, out issuedAt))
        {
            return Failures.Invalid(Claim.Iat);
        }

        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long skew = _settings.ClockSkewMilliseconds;
        if (now >= expires + skew)
        {
            return Failures.Expired;
        }

        if (notBefore >= 0 && notBefore > now + skew)
        {
            return Failures.NotBefore;
        }

        if (issuedAt >= 0 && issuedAt > now + skew)
        {
            return Failures.IssuedInFuture;
        }

        // Rule 6: issuer and audience.
        PortkeyJwtResult? failure = ReadIssuer(payload, claims[Member.Iss], out string? issuer);
        IReadOnlyList<string>? audiences = null;
        failure ??= ReadAudiences(payload, claims[Member.Aud], out audiences);
        if (failure is not null)
        {
            return failure;
        }

        // Rule 7: Portkey claims; the primary name wins over its alias whenever it is present.
        JsonSyntax.Member organisationClaim = FirstPresent(claims[Member.PortkeyOid], claims[Member.OrganisationId]);
        JsonSyntax.Member workspaceClaim = FirstPresent(claims[Member.PortkeyWorkspace], claims[Member.WorkspaceSlug]);
        JsonSyntax.Member scopeClaim = FirstPresent(claims[Member.Scope], claims[Member.Scopes]);
        string? organisation, workspace;
        if (_settings.Anchor is { } anchor)
        {
            failure = ReadAnchorOrganisation(payload, claims, anchor, out organisation);
            if (failure is not null)
            {
                return failure;
            }

            failure = ReadAnchorWorkspace(payload, workspaceClaim, anchor, out workspace);
            if (failure is not null)
            {
                return failure;
            }
        }
        else
        {
            if (!organisationClaim.IsPresent)
            {
                return Failures.Missing(Claim.Organisation);
            }

            organisation = ReadIdentifier(payload, organisationClaim);
            if (organisation is null)
            {
                return Failures.Invalid(Claim.Organisation);
            }

            if (!workspaceClaim.IsPresent)
            {
                return Failures.Missing(Claim.Workspace);
            }

            workspace = ReadIdentifier(payload, workspaceClaim);
            if (workspace is null)
            {
                return Failures.Invalid(Claim.Workspace);
            }
        }

        if (!scopeClaim.IsPresent)
        {
            return _settings.Anchor?.MissingScopes ?? Failures.Missing(Claim.Scope);
        }

        ScopeSet? scopes = ReadScopes(payload, scopeClaim);
        if (scopes is null)
        {
            return _settings.Anchor?.InvalidScopes ?? Failures.Invalid(Claim.Scope);
        }

        if (!TryReadOptionalIdentifier(payload, claims[Member.EmailId], out string? email))
        {
            return Failures.Invalid(Claim.Email);
        }

        if (!TryReadOptionalIdentifier(payload, claims[Member.Sub], out string? subject))
        {
            return Failures.Invalid(Claim.Sub);
        }

        if (!TryReadOptionalIdentifier(payload, claims[Member.Uid], out string? uid))
        {
            return Failures.Invalid(Claim.Uid);
        }

        // Unique per token: read without the string pool, which would fill up with values never seen again.
        if (!TryReadOptionalIdentifier(payload, claims[Member.Jti], out string? jwtId, pooled: false))
        {
            return Failures.Invalid(Claim.Jti);
        }

        IReadOnlyDictionary<string, JsonElement>? captured = null;
        string[]? roles = null;
        ClaimCapture? capture = _settings.Capture;
        if (capture is not null && capture.Read(payload, _values.Strings, out captured, out roles) is { } captureFailure)
        {
            return captureFailure;
        }

        var principal = new PortkeyPrincipal(
            organisation!, // each branch above returned unless it was read or defaulted
            workspace!,
            email,
            subject,
            uid,
            scopes,
            DateTimeOffset.FromUnixTimeMilliseconds(expires),
            issuedAt >= 0 ? DateTimeOffset.FromUnixTimeMilliseconds(issuedAt) : null,
            notBefore >= 0 ? DateTimeOffset.FromUnixTimeMilliseconds(notBefore) : null,
            issuer,
            key,
            new PortkeyPrincipal.Extras(audiences, jwtId, roles, capture?.RoleClaim, captured));

        // Scopes the options require are part of validity (and so of what the cache holds); per-call ones are not.
        string[] configured = _settings.RequiredScopes;
        for (int i = 0; i < configured.Length; i++)
        {
            if (!principal.HasScope(configured[i].AsSpan()))
            {
                return _settings.MissingRequiredScope[i];
            }
        }

        return PortkeyJwtResult.Success(principal);
    }

    /// <summary>
    /// Rule 7 under a trust anchor: the organisation from <c>portkey_oid</c> and <c>organisation_id</c> (equal when both are
    /// present), else the anchor's default; it must be one the anchor may assert.
    /// </summary>
    private PortkeyJwtResult? ReadAnchorOrganisation(ReadOnlySpan<byte> payload, in ClaimScan claims, AnchorPolicy anchor, out string? organisation)
    {
        JsonSyntax.Member primary = claims[Member.PortkeyOid];
        JsonSyntax.Member alias = claims[Member.OrganisationId];
        if (!primary.IsPresent && !alias.IsPresent)
        {
            organisation = anchor.DefaultOrganisation;
            return organisation is null ? Failures.Missing(Claim.Organisation) : null;
        }

        organisation = ReadIdentifier(payload, primary.IsPresent ? primary : alias);
        if (organisation is null)
        {
            return Failures.Invalid(Claim.Organisation);
        }

        if (primary.IsPresent && alias.IsPresent)
        {
            string? other = ReadIdentifier(payload, alias);
            if (other is null)
            {
                return Failures.Invalid(Claim.Organisation);
            }

            if (!string.Equals(organisation, other, StringComparison.Ordinal))
            {
                return Failures.OrganisationClaimsDiffer;
            }
        }

        return anchor.AllowsOrganisation(organisation) ? null : Failures.OrganisationNotAllowed;
    }

    /// <summary>Rule 7 under a trust anchor: the workspace claim, else the anchor's default; one of the anchor's workspaces when it lists them.</summary>
    private PortkeyJwtResult? ReadAnchorWorkspace(ReadOnlySpan<byte> payload, JsonSyntax.Member claim, AnchorPolicy anchor, out string? workspace)
    {
        if (!claim.IsPresent)
        {
            workspace = anchor.DefaultWorkspace;
            return workspace is null ? Failures.Missing(Claim.Workspace) : null;
        }

        workspace = ReadIdentifier(payload, claim);
        return workspace is null ? Failures.Invalid(Claim.Workspace)
            : anchor.AllowsWorkspace(workspace) ? null
            : Failures.WorkspaceNotAllowed;
    }

    /// <summary>Rule 8 for the scopes this call requires: <paramref name="valid"/>, or the first scope it lacks (403).</summary>
    private static PortkeyJwtResult CheckCallScopes(PortkeyJwtResult valid, IReadOnlyList<string>? requiredScopes)
    {
        if (requiredScopes is not null)
        {
            for (int i = 0; i < requiredScopes.Count; i++)
            {
                string required = requiredScopes[i]; // a scope name: checked on entry (CheckScopeNames)
                ReadOnlySpan<char> normalised = ScopeNames.Normalise(required);
                if (!valid.Principal!.HasScope(normalised))
                {
                    return Failures.MissingScope(normalised.ToString());
                }
            }
        }

        return valid;
    }

    private static JsonSyntax.Member FirstPresent(JsonSyntax.Member primary, JsonSyntax.Member alias) => primary.IsPresent ? primary : alias;

    /// <summary>The claim <paramref name="name"/> is, or <see cref="Member.None"/>. Each comparison is with a literal, which the JIT unrolls.</summary>
    private static Member Identify(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 => name[0] switch
        {
            (byte)'e' => name.SequenceEqual("exp"u8) ? Member.Exp : Member.None,
            (byte)'n' => name.SequenceEqual("nbf"u8) ? Member.Nbf : Member.None,
            (byte)'a' => name.SequenceEqual("aud"u8) ? Member.Aud : Member.None,
            (byte)'s' => name.SequenceEqual("sub"u8) ? Member.Sub : Member.None,
            (byte)'u' => name.SequenceEqual("uid"u8) ? Member.Uid : Member.None,
            (byte)'j' => name.SequenceEqual("jti"u8) ? Member.Jti : Member.None,
            (byte)'i' => name.SequenceEqual("iat"u8) ? Member.Iat : name.SequenceEqual("iss"u8) ? Member.Iss : Member.None,
            _ => Member.None,
        },
        5 => name.SequenceEqual("scope"u8) ? Member.Scope : Member.None,
        6 => name.SequenceEqual("scopes"u8) ? Member.Scopes : Member.None,
        8 => name.SequenceEqual("email_id"u8) ? Member.EmailId : Member.None,
        11 => name.SequenceEqual("portkey_oid"u8) ? Member.PortkeyOid : Member.None,
        14 => name.SequenceEqual("workspace_slug"u8) ? Member.WorkspaceSlug : Member.None,
        15 => name.SequenceEqual("organisation_id"u8) ? Member.OrganisationId : Member.None,
        17 => name.SequenceEqual("portkey_workspace"u8) ? Member.PortkeyWorkspace : Member.None,
        _ => Member.None,
    };

    /// <summary>A NumericDate (RFC 7519 §2): a JSON number of seconds from 0 to year 9999, fractions kept to the millisecond.</summary>
    private static bool TryReadTime(ReadOnlySpan<byte> payload, JsonSyntax.Member claim, out long unixMilliseconds)
    {
        unixMilliseconds = -1;

        // The usual shape, a plain integer of seconds, is read straight from the bytes; anything else through the reader.
        ReadOnlySpan<byte> raw = claim.RawValue(payload);
        if (TryReadWholeSeconds(raw, out long whole))
        {
            if (whole > MaxUnixSeconds)
            {
                return false;
            }

            unixMilliseconds = whole * 1000;
            return true;
        }

        var reader = JsonRead.At(payload, claim.ValueStart);
        if (reader.TokenType != JsonTokenType.Number)
        {
            return false;
        }

        // Every integer in range has at most 12 digits and took the path above; what is left is a fraction, an exponent, a
        // sign or a number too large, and a double reads each of them to the millisecond (or out of range).
        if (reader.TryGetDouble(out double value) && value >= 0 && value <= MaxUnixSeconds)
        {
            unixMilliseconds = (long)Math.Floor(value * 1000);
            return true;
        }

        return false;
    }

    /// <summary>
    /// <paramref name="raw"/> as a number of whole seconds when it is 1 to 12 ASCII digits (JsonSyntax has already refused
    /// a leading zero before another digit); false for any other shape, which the reader then reads.
    /// </summary>
    private static bool TryReadWholeSeconds(ReadOnlySpan<byte> raw, out long seconds)
    {
        seconds = 0;
        if (raw.Length is 0 or > 12)
        {
            return false;
        }

        for (int i = 0; i < raw.Length; i++)
        {
            uint digit = (uint)(raw[i] - '0');
            if (digit > 9)
            {
                return false;
            }

            seconds = (seconds * 10) + digit;
        }

        return true;
    }

    /// <summary><c>iss</c>: optional unless issuers are configured; when configured, the configured instance is returned.</summary>
    private PortkeyJwtResult? ReadIssuer(ReadOnlySpan<byte> payload, JsonSyntax.Member claim, out string? issuer)
    {
        issuer = null;
        string[] valid = _settings.ValidIssuers;
        if (!claim.IsPresent)
        {
            return valid.Length == 0 ? null : Failures.WrongIssuer;
        }

        if (payload[claim.ValueStart] != (byte)'"')
        {
            return Failures.Invalid(Claim.Iss);
        }

        if (valid.Length == 0)
        {
            issuer = ReadIdentifier(payload, claim);
            return issuer is null ? Failures.Invalid(Claim.Iss) : null;
        }

        bool plain = claim.TryPlainString(payload, out ReadOnlySpan<byte> raw);
        var reader = plain ? default : JsonRead.At(payload, claim.ValueStart);
        for (int i = 0; i < valid.Length; i++)
        {
            if (plain ? raw.SequenceEqual(_settings.ValidIssuersUtf8[i]) : reader.ValueTextEquals(_settings.ValidIssuersUtf8[i]))
            {
                issuer = valid[i];
                return null;
            }
        }

        return Failures.WrongIssuer;
    }

    /// <summary>Most audiences one token may name.</summary>
    private const int MaxAudiences = 64;

    /// <summary>
    /// <c>aud</c>: a string or an array of strings, each a valid identifier; when audiences are configured it must name one
    /// of them. <paramref name="audiences"/> gets its values in token order (null when absent); a lone configured audience
    /// comes back as that audience's prebuilt list, without allocating.
    /// </summary>
    private PortkeyJwtResult? ReadAudiences(ReadOnlySpan<byte> payload, JsonSyntax.Member claim, out IReadOnlyList<string>? audiences)
    {
        audiences = null;
        byte[][] valid = _settings.ValidAudiencesUtf8;
        if (!claim.IsPresent)
        {
            return valid.Length == 0 ? null : Failures.WrongAudience;
        }

        // The usual shape, one string without escapes, is compared as it stands; anything else through the reader.
        bool plain = claim.TryPlainString(payload, out ReadOnlySpan<byte> raw);
        var reader = plain ? default : JsonRead.At(payload, claim.ValueStart);
        if (plain || reader.TokenType == JsonTokenType.String)
        {
            int index = plain ? IndexOfMatch(raw, valid) : IndexOfMatch(ref reader, valid);
            if (index >= 0)
            {
                audiences = _settings.ValidAudienceLists[index];
                return null;
            }

            if (valid.Length != 0)
            {
                return Failures.WrongAudience;
            }

            audiences = SingleAudience(payload, claim);
            return audiences is null ? Failures.Invalid(Claim.Aud) : null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return Failures.Invalid(Claim.Aud);
        }

        bool matched = false;
        var read = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String || read.Count == MaxAudiences)
            {
                return Failures.Invalid(Claim.Aud);
            }

            int index = IndexOfMatch(ref reader, valid);
            matched |= index >= 0;
            string? audience = index >= 0 ? _settings.ValidAudienceLists[index][0] : ReadIdentifier(ref reader);
            if (audience is null)
            {
                return Failures.Invalid(Claim.Aud);
            }

            read.Add(audience);
        }

        if (valid.Length != 0 && !matched)
        {
            return Failures.WrongAudience;
        }

        audiences = Array.AsReadOnly(read.ToArray());
        return null;
    }

    /// <summary>
    /// A read-only one-element list holding the string <paramref name="claim"/> is, when it is a valid identifier (null
    /// otherwise), shared by every principal whose <c>aud</c> has the same bytes: a gateway sees the same few audiences,
    /// so reading <c>aud</c> allocates nothing, and a claim seen before costs one lookup.
    /// </summary>
    private IReadOnlyList<string>? SingleAudience(ReadOnlySpan<byte> payload, JsonSyntax.Member claim)
    {
        ReadOnlySpan<byte> rawValue = claim.RawValue(payload);
        if (_values.SingleAudiences.TryGet(rawValue, out IReadOnlyList<string>? list))
        {
            return list;
        }

        string? audience = ReadIdentifier(payload, claim);
        if (audience is null)
        {
            return null;
        }

        list = Array.AsReadOnly(new[] { audience });
        _values.SingleAudiences.Add(rawValue, list);
        return list;
    }

    private static int IndexOfMatch(ReadOnlySpan<byte> plain, byte[][] candidates)
    {
        for (int i = 0; i < candidates.Length; i++)
        {
            if (plain.SequenceEqual(candidates[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static int IndexOfMatch(ref Utf8JsonReader reader, byte[][] candidates)
    {
        for (int i = 0; i < candidates.Length; i++)
        {
            if (reader.ValueTextEquals(candidates[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>An optional identity claim: absent (true, null) or a valid identifier (true, value); false when invalid.</summary>
    private bool TryReadOptionalIdentifier(ReadOnlySpan<byte> payload, JsonSyntax.Member claim, out string? value, bool pooled = true)
    {
        value = claim.IsPresent ? ReadIdentifier(payload, claim, pooled) : null;
        return !claim.IsPresent || value is not null;
    }

    /// <summary>
    /// A non-empty string of at most <see cref="MaxIdentifierBytes"/> bytes without control characters, pooled;
    /// null when the value breaks any of that. A plain string seen before is found by its bytes alone.
    /// </summary>
    private string? ReadIdentifier(ReadOnlySpan<byte> payload, JsonSyntax.Member claim, bool pooled = true)
    {
        bool plain = claim.TryPlainString(payload, out ReadOnlySpan<byte> raw);
        var reader = plain ? default : JsonRead.At(payload, claim.ValueStart);
        return plain || reader.TokenType == JsonTokenType.String ? ReadIdentifier(raw, ref reader, plain, pooled) : null;
    }

    /// <summary>Like <see cref="ReadIdentifier(ReadOnlySpan{byte}, JsonSyntax.Member, bool)"/>, for the string the reader is on.</summary>
    private string? ReadIdentifier(ref Utf8JsonReader reader) => ReadIdentifier(default, ref reader, plain: false, pooled: true);

    private string? ReadIdentifier(ReadOnlySpan<byte> raw, ref Utf8JsonReader reader, bool plain, bool pooled)
    {
        int rawLength = plain ? raw.Length : reader.ValueSpan.Length;
        if (rawLength is 0 or > MaxIdentifierBytes)
        {
            return null;
        }

        // Only values that passed DecodeIdentifier's checks are ever added, so a hit is valid as it stands.
        return plain && pooled && _values.Identifiers.TryGet(raw, out string? known) ? known : DecodeIdentifier(raw, ref reader, plain, pooled, rawLength);
    }

    /// <summary>The rest of <see cref="ReadIdentifier(ReadOnlySpan{byte}, ref Utf8JsonReader, bool, bool)"/>: the value decoded and checked as text, then pooled.</summary>
    [SkipLocalsInit] // the buffer is written before it is read
    private string? DecodeIdentifier(ReadOnlySpan<byte> raw, ref Utf8JsonReader reader, bool plain, bool pooled, int rawLength)
    {
        char[]? rented = null;
        Span<char> buffer = rawLength <= 256
            ? stackalloc char[256]
            : (rented = ArrayPool<char>.Shared.Rent(rawLength));
        try
        {
            // JsonSyntax has checked the UTF-8; a string's UTF-16 length never exceeds its raw length.
            int length = plain ? Encoding.UTF8.GetChars(raw, buffer) : reader.CopyString(buffer);
            ReadOnlySpan<char> value = buffer[..length];
            if (length == 0 || value.ContainsAnyInRange('\u0000', '\u001F') || value.Contains('\u007F'))
            {
                return null;
            }

            if (!pooled)
            {
                return value.ToString();
            }

            if (!plain)
            {
                return _values.Strings.GetOrAdd(value);
            }

            string created = value.ToString();
            _values.Identifiers.Add(raw, created);
            return created;
        }
        finally
        {
            if (rented is not null)
            {
                rented.AsSpan(0, rawLength).Clear(); // the claim's text is the token's content
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// <c>scope</c>/<c>scopes</c>: a space-separated string or an array of strings; each scope a valid scope-token after
    /// removing a leading <c>portkey.</c>; duplicates removed, order kept. Null when invalid or empty. The set depends on
    /// the claim's raw bytes alone, so a claim seen before is found by them (see <see cref="ClaimValues.ScopeSets"/>).
    /// </summary>
    private ScopeSet? ReadScopes(ReadOnlySpan<byte> payload, JsonSyntax.Member claim)
    {
        ReadOnlySpan<byte> rawValue = claim.RawValue(payload);
        if (_values.ScopeSets.TryGet(rawValue, out ScopeSet? known))
        {
            return known;
        }

        string[]? names = ParseScopes(payload, claim);
        if (names is null)
        {
            return null;
        }

        var set = new ScopeSet(names);
        _values.ScopeSets.Add(rawValue, set);
        return set;
    }

    /// <summary>The scope names of <see cref="ReadScopes"/>, read from the claim.</summary>
    private string[]? ParseScopes(ReadOnlySpan<byte> payload, JsonSyntax.Member claim)
    {
        bool plain = claim.TryPlainString(payload, out ReadOnlySpan<byte> raw);
        var reader = plain ? default : JsonRead.At(payload, claim.ValueStart);
        string[] collected = ArrayPool<string>.Shared.Rent(MaxScopes);
        int count = 0;
        try
        {
            bool ok;
            if (plain)
            {
                ok = !raw.IsEmpty && AddScopes(raw, ref reader, collected, ref count, splitOnSpaces: true); // "" is no scope
            }
            else if (reader.TokenType == JsonTokenType.String)
            {
                ok = AddScopes(default, ref reader, collected, ref count, splitOnSpaces: true);
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                ok = true;
                while (ok && reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    ok = reader.TokenType == JsonTokenType.String && AddScopes(default, ref reader, collected, ref count, splitOnSpaces: false);
                }
            }
            else
            {
                ok = false;
            }

            return ok && count > 0 ? collected.AsSpan(0, count).ToArray() : null;
        }
        finally
        {
            collected.AsSpan(0, count).Clear(); // only what was written; the rest of the rented array is untouched
            ArrayPool<string>.Shared.Return(collected);
        }
    }

    /// <summary>Adds the scopes of one string: <paramref name="plain"/> when non-empty (a string without escapes), else the reader's current string.</summary>
    [SkipLocalsInit] // the buffer is written before it is read
    private bool AddScopes(ReadOnlySpan<byte> plain, ref Utf8JsonReader reader, string[] collected, ref int count, bool splitOnSpaces)
    {
        bool fromReader = plain.IsEmpty;
        int rawLength = fromReader ? reader.ValueSpan.Length : plain.Length;
        if (rawLength == 0 || rawLength > 64 * 1024)
        {
            return false;
        }

        char[]? rented = null;
        Span<char> buffer = rawLength <= 512 ? stackalloc char[512] : (rented = ArrayPool<char>.Shared.Rent(rawLength));
        try
        {
            int length = fromReader ? reader.CopyString(buffer) : Encoding.UTF8.GetChars(plain, buffer);
            ReadOnlySpan<char> text = buffer[..length];
            if (!splitOnSpaces)
            {
                return AddScope(text, collected, ref count);
            }

            bool any = false;
            foreach (Range range in text.Split(' '))
            {
                ReadOnlySpan<char> part = text[range];
                if (part.IsEmpty)
                {
                    continue; // tolerate repeated spaces
                }

                if (!AddScope(part, collected, ref count))
                {
                    return false;
                }

                any = true;
            }

            return any;
        }
        finally
        {
            if (rented is not null)
            {
                rented.AsSpan(0, rawLength).Clear(); // the claim's text is the token's content
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private bool AddScope(ReadOnlySpan<char> scope, string[] collected, ref int count)
    {
        ReadOnlySpan<char> normalised = ScopeNames.Normalise(scope);
        if (!ScopeNames.IsValidToken(normalised))
        {
            return false;
        }

        for (int i = 0; i < count; i++)
        {
            if (normalised.SequenceEqual(collected[i]))
            {
                return true; // duplicate
            }
        }

        if (count == MaxScopes)
        {
            return false;
        }

        collected[count++] = _values.Strings.GetOrAdd(normalised);
        return true;
    }
}
