using System.Security.Claims;
using PortkeyJwt.Internal;

namespace PortkeyJwt;

/// <summary>
/// The caller a valid token authenticates: its organisation, workspace, user identity and permissions. Immutable.
/// </summary>
public sealed class PortkeyPrincipal
{
    /// <summary>The authentication type set on the <see cref="ClaimsIdentity"/> from <see cref="ToClaimsPrincipal"/>.</summary>
    public const string AuthenticationType = "PortkeyJwt";

    private readonly string[] _scopes;

    internal PortkeyPrincipal(
        string organisationId,
        string workspaceSlug,
        string? email,
        string? subject,
        string? uid,
        string[] scopes,
        DateTimeOffset expiresAt,
        DateTimeOffset? issuedAt,
        DateTimeOffset? notBefore,
        string? issuer,
        VerificationKey verifiedBy)
    {
        OrganisationId = organisationId;
        WorkspaceSlug = workspaceSlug;
        Email = email;
        Subject = subject;
        Uid = uid;
        _scopes = scopes;
        ExpiresAt = expiresAt;
        IssuedAt = issuedAt;
        NotBefore = notBefore;
        Issuer = issuer;
        VerifiedBy = verifiedBy;
    }

    /// <summary>The organisation, from <c>portkey_oid</c> or else <c>organisation_id</c>.</summary>
    public string OrganisationId { get; }

    /// <summary>The workspace, from <c>portkey_workspace</c> or else <c>workspace_slug</c>.</summary>
    public string WorkspaceSlug { get; }

    /// <summary>The user: <see cref="Email"/>, else <see cref="Subject"/>, else <see cref="Uid"/>; null when the token names none.</summary>
    public string? UserId => Email ?? Subject ?? Uid;

    /// <summary>The <c>email_id</c> claim, if present.</summary>
    public string? Email { get; }

    /// <summary>The <c>sub</c> claim, if present.</summary>
    public string? Subject { get; }

    /// <summary>The <c>uid</c> claim, if present.</summary>
    public string? Uid { get; }

    /// <summary>The granted scopes, normalised: a leading <c>portkey.</c> removed, duplicates removed, token order kept.</summary>
    public IReadOnlyList<string> Scopes => _scopes;

    /// <summary>When the token expires (<c>exp</c>).</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>When the token was issued (<c>iat</c>), if stated.</summary>
    public DateTimeOffset? IssuedAt { get; }

    /// <summary>When the token becomes valid (<c>nbf</c>), if stated.</summary>
    public DateTimeOffset? NotBefore { get; }

    /// <summary>The <c>iss</c> claim, if present.</summary>
    public string? Issuer { get; }

    /// <summary>The <c>kid</c> of the key that verified the token.</summary>
    public string KeyId => VerifiedBy.KeyId;

    /// <summary>The key object that verified the token: a cached validation is only reused while this very key is served.</summary>
    internal VerificationKey VerifiedBy { get; }

    /// <summary>
    /// Whether the token grants <paramref name="scope"/>, compared as a whole scope name (ordinal);
    /// a leading <c>portkey.</c> on the argument is ignored, as it is on the token's scopes.
    /// </summary>
    public bool HasScope(string scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return HasScope(ScopeNames.Normalise(scope));
    }

    internal bool HasScope(ReadOnlySpan<char> normalisedScope)
    {
        foreach (string granted in _scopes)
        {
            if (normalisedScope.SequenceEqual(granted))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A <see cref="ClaimsPrincipal"/> for ASP.NET Core. Claim types are the token's own, case-sensitive names
    /// (<c>portkey_oid</c>, <c>portkey_workspace</c>, <c>email_id</c>, <c>sub</c>, <c>uid</c>, <c>iss</c>), with one
    /// <c>scope</c> claim per normalised scope; <see cref="ClaimsIdentity.Name"/> is <see cref="UserId"/>.
    /// </summary>
    public ClaimsPrincipal ToClaimsPrincipal()
    {
        string issuer = Issuer ?? ClaimsIdentity.DefaultIssuer;
        var claims = new List<Claim>(6 + _scopes.Length)
        {
            new(ClaimNames.Organisation, OrganisationId, ClaimValueTypes.String, issuer),
            new(ClaimNames.Workspace, WorkspaceSlug, ClaimValueTypes.String, issuer),
        };
        AddIfPresent(claims, ClaimNames.Email, Email, issuer);
        AddIfPresent(claims, ClaimNames.Subject, Subject, issuer);
        AddIfPresent(claims, ClaimNames.Uid, Uid, issuer);
        AddIfPresent(claims, ClaimNames.Issuer, Issuer, issuer);
        foreach (string scope in _scopes)
        {
            claims.Add(new Claim(ClaimNames.Scope, scope, ClaimValueTypes.String, issuer));
        }

        string nameType = Email is not null ? ClaimNames.Email : Subject is not null ? ClaimNames.Subject : ClaimNames.Uid;
        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType, nameType, ClaimNames.Scope));
    }

    /// <inheritdoc />
    public override string ToString() => $"{OrganisationId}/{WorkspaceSlug}/{UserId ?? "(no user)"}";

    private static void AddIfPresent(List<Claim> claims, string type, string? value, string issuer)
    {
        if (value is not null)
        {
            claims.Add(new Claim(type, value, ClaimValueTypes.String, issuer));
        }
    }
}
