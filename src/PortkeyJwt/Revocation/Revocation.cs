namespace PortkeyJwt;

/// <summary>
/// One entry of a <see cref="RevocationList"/>: a token by its <c>jti</c>, or a watermark revoking every token of an
/// organisation, a workspace or a user issued before a time. Immutable; build one with <see cref="Token"/>,
/// <see cref="OrganisationIssuedBefore"/>, <see cref="WorkspaceIssuedBefore"/> or <see cref="UserIssuedBefore"/>.
/// </summary>
public sealed class Revocation : IEquatable<Revocation>
{
    /// <summary>Longest identifier (jti, issuer, organisation, workspace, user) accepted, in characters.</summary>
    public const int MaxIdentifierLength = 1024;

    private Revocation(RevocationKind kind, string? issuer, string? jwtId, string? organisation, string? scopeValue, DateTimeOffset at)
    {
        Kind = kind;
        Issuer = Check(issuer, nameof(issuer), optional: true);
        JwtId = Check(jwtId, "jti", optional: kind != RevocationKind.Token);
        Organisation = Check(organisation, nameof(organisation), optional: kind == RevocationKind.Token);
        Workspace = kind == RevocationKind.Workspace ? Check(scopeValue, "workspace", optional: false) : null;
        User = kind == RevocationKind.User ? Check(scopeValue, "user", optional: false) : null;
        At = DateTimeOffset.FromUnixTimeSeconds(at.ToUnixTimeSeconds()); // whole seconds, as NumericDates are compared
    }

    /// <summary>What the entry revokes.</summary>
    public RevocationKind Kind { get; }

    /// <summary>The <c>iss</c> the entry is limited to; null: tokens of every issuer.</summary>
    public string? Issuer { get; }

    /// <summary>The revoked token's <c>jti</c> (<see cref="RevocationKind.Token"/> only).</summary>
    public string? JwtId { get; }

    /// <summary>The organisation of a watermark; null for a token entry.</summary>
    public string? Organisation { get; }

    /// <summary>The workspace of a <see cref="RevocationKind.Workspace"/> watermark.</summary>
    public string? Workspace { get; }

    /// <summary>The user of a <see cref="RevocationKind.User"/> watermark, compared with <see cref="PortkeyPrincipal.UserId"/>.</summary>
    public string? User { get; }

    /// <summary>
    /// For a token entry, when the entry may be forgotten (the token's <c>exp</c> plus the clock skew: it is rejected as
    /// expired after that anyway). For a watermark, the time before which tokens were issued (<c>iat</c>) are revoked.
    /// Whole seconds.
    /// </summary>
    public DateTimeOffset At { get; }

    /// <summary>Revokes the token whose <c>jti</c> is <paramref name="jwtId"/> until <paramref name="expiresAt"/>; of <paramref name="issuer"/> only, when given.</summary>
    public static Revocation Token(string jwtId, DateTimeOffset expiresAt, string? issuer = null) =>
        new(RevocationKind.Token, issuer, jwtId, null, null, expiresAt);

    /// <summary>Revokes every token of <paramref name="organisation"/> issued before <paramref name="issuedBefore"/>.</summary>
    public static Revocation OrganisationIssuedBefore(string organisation, DateTimeOffset issuedBefore, string? issuer = null) =>
        new(RevocationKind.Organisation, issuer, null, organisation, null, issuedBefore);

    /// <summary>Revokes every token of <paramref name="workspace"/> in <paramref name="organisation"/> issued before <paramref name="issuedBefore"/>.</summary>
    public static Revocation WorkspaceIssuedBefore(string organisation, string workspace, DateTimeOffset issuedBefore, string? issuer = null) =>
        new(RevocationKind.Workspace, issuer, null, organisation, workspace, issuedBefore);

    /// <summary>Revokes every token of <paramref name="user"/> in <paramref name="organisation"/> issued before <paramref name="issuedBefore"/>.</summary>
    public static Revocation UserIssuedBefore(string organisation, string user, DateTimeOffset issuedBefore, string? issuer = null) =>
        new(RevocationKind.User, issuer, null, organisation, user, issuedBefore);

    /// <summary>Whether <paramref name="other"/> names the same thing (kind, issuer and identifiers), whatever its time.</summary>
    public bool SameTarget(Revocation other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Kind == other.Kind && Issuer == other.Issuer && JwtId == other.JwtId && Organisation == other.Organisation
            && Workspace == other.Workspace && User == other.User;
    }

    /// <inheritdoc />
    public bool Equals(Revocation? other) => other is not null && SameTarget(other) && At == other.At;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Revocation);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Issuer, JwtId, Organisation, Workspace, User, At);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        RevocationKind.Token => $"token {JwtId} until {At:O}",
        RevocationKind.Organisation => $"organisation {Organisation} before {At:O}",
        RevocationKind.Workspace => $"workspace {Organisation}/{Workspace} before {At:O}",
        _ => $"user {Organisation}/{User} before {At:O}",
    } + (Issuer is null ? string.Empty : $" (issuer {Issuer})");

    private static string? Check(string? value, string name, bool optional)
    {
        if (value is null)
        {
            return optional ? null : throw new ArgumentNullException(name);
        }

        if (value.Length is 0 or > MaxIdentifierLength || value.AsSpan().ContainsAnyInRange('\u0000', '\u001F') || value.Contains('\u007F', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' must be 1 to {MaxIdentifierLength} characters without control characters.", name);
        }

        return value;
    }
}
