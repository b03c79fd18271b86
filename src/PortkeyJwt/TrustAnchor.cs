namespace PortkeyJwt;

/// <summary>
/// One identity provider a gateway trusts: its exact issuer, where its keys come from, and which organisations and
/// workspaces its tokens may assert. A <see cref="TrustAnchorSet"/> routes every token by its <c>iss</c> to exactly one
/// anchor, and only that anchor's keys can verify it (RFC 8725 §3.8). Copied and checked when the set is built: a value
/// out of range makes its constructor throw <see cref="ArgumentException"/> naming the anchor and the option.
/// </summary>
/// <remarks>
/// Exactly one key source must be set: <see cref="JwksUrls"/>, <see cref="Authority"/> or <see cref="Jwks"/>.
/// </remarks>
public sealed class TrustAnchor
{
    /// <summary>The exact <c>iss</c> of this provider's tokens (compared ordinally, after JSON unescaping). Required, unique within a set.</summary>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>
    /// Key source: the JWKS URLs of this issuer (keys from all of them are merged, as one issuer's). Nothing is fetched when the
    /// set is built: the first token routed to this anchor starts the fetch. Empty (the default) when <see cref="Authority"/> or <see cref="Jwks"/> is set.
    /// </summary>
    public IList<Uri> JwksUrls { get; set; } = [];

    /// <summary>
    /// Key source: the OpenID Provider whose discovery document, <c>{Authority}/.well-known/openid-configuration</c>, names
    /// the JWKS (<c>jwks_uri</c>); for example <c>https://login.example/tenant/v2.0</c>. The document's <c>issuer</c> must be
    /// exactly <see cref="Issuer"/> (OIDC Discovery §4.3) and its <c>jwks_uri</c> HTTPS, or the anchor has no keys; the
    /// document is fetched again after <see cref="JwksKeyProviderOptions.DiscoveryRefreshInterval"/>. Absolute, HTTPS unless
    /// the host is loopback (or <see cref="JwksKeyProviderOptions.RequireHttps"/> is off), no query. Nothing is fetched when
    /// the set is built. Null (the default) when <see cref="JwksUrls"/> or <see cref="Jwks"/> is set.
    /// </summary>
    public Uri? Authority { get; set; }

    /// <summary>Key source: the JWKS document itself, <c>{"keys":[…]}</c>, loaded when the set is built. Null (the default) when <see cref="JwksUrls"/> or <see cref="Authority"/> is set.</summary>
    public string? Jwks { get; set; }

    /// <summary>
    /// The organisations (<c>portkey_oid</c> or <c>organisation_id</c>) this provider may assert, compared ordinally; a token
    /// naming another is <see cref="PortkeyJwtError.OrganisationNotAllowed"/>. Required and non-empty; <c>["*"]</c> (alone) allows any.
    /// </summary>
    public IList<string> Organisations { get; set; } = [];

    /// <summary>
    /// When set, the workspaces (<c>portkey_workspace</c> or <c>workspace_slug</c>) this provider may assert; a token naming
    /// another is <see cref="PortkeyJwtError.WorkspaceNotAllowed"/>. Null (the default): any workspace.
    /// </summary>
    public IList<string>? Workspaces { get; set; }

    /// <summary>
    /// The organisation of a token that carries no organisation claim (standard IdP tokens carry none); must be one of
    /// <see cref="Organisations"/>. Null (the default): such a token is <see cref="PortkeyJwtError.MissingClaim"/>.
    /// </summary>
    public string? DefaultOrganisation { get; set; }

    /// <summary>
    /// The workspace of a token that carries no workspace claim; must be one of <see cref="Workspaces"/> when that is set.
    /// Null (the default): such a token is <see cref="PortkeyJwtError.MissingClaim"/>.
    /// </summary>
    public string? DefaultWorkspace { get; set; }

    /// <summary>When set, replaces <see cref="PortkeyJwtOptions.ValidAudiences"/> for this anchor's tokens. Null (the default): the global ones.</summary>
    public IList<string>? Audiences { get; set; }

    /// <summary>When set, replaces <see cref="PortkeyJwtOptions.AllowedAlgorithms"/> for this anchor's tokens. Null (the default): the global ones.</summary>
    public IList<string>? AllowedAlgorithms { get; set; }

    /// <summary>Scopes this anchor's tokens must grant on top of <see cref="PortkeyJwtOptions.RequiredScopes"/>. Default none.</summary>
    public IList<string> RequiredScopes { get; set; } = [];

    /// <summary>
    /// The claims that hold scopes, in order: the first present is read, as a space-separated string or an array of strings.
    /// Default <c>scope</c> then <c>scopes</c>; for example <c>["scp"]</c> for Entra ID. One or two names of at most 32
    /// printable ASCII characters, none a claim the validator reads for something else (<c>iss</c>, <c>sub</c>, …).
    /// </summary>
    public IList<string> ScopeClaims { get; set; } = ["scope", "scopes"];
}
