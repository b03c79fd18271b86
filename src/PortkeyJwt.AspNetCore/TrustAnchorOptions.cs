namespace PortkeyJwt.AspNetCore;

/// <summary>
/// One entry of <see cref="PortkeyJwtServiceOptions.Issuers"/> (configuration <c>PortkeyJwt:Issuers:N</c>): an identity
/// provider the gateway trusts, mapped onto the core's <see cref="TrustAnchor"/> and checked when the host starts (a bad
/// value fails the start naming <c>PortkeyJwt:Issuers:N:Setting</c>).
/// </summary>
/// <remarks>
/// List properties start empty, so that configuration binding (which appends to a list) never duplicates a default; an
/// empty optional list means the core's default (for example, an empty <see cref="Workspaces"/> allows any workspace).
/// Exactly one key source is required: <see cref="JwksUrls"/>, <see cref="Authority"/>, <see cref="Jwks"/> or <see cref="JwksFile"/>.
/// </remarks>
public sealed class TrustAnchorOptions
{
    /// <summary>The exact <c>iss</c> of this provider's tokens (ordinal). Required, unique among the issuers.</summary>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>Key source: this issuer's JWKS URLs (merged). Nothing is fetched until the first token naming this issuer.</summary>
    public IList<Uri> JwksUrls { get; set; } = [];

    /// <summary>
    /// Key source: the OpenID Provider whose discovery document (<c>{Authority}/.well-known/openid-configuration</c>) names
    /// the JWKS; its <c>issuer</c> must be exactly <see cref="Issuer"/> and its <c>jwks_uri</c> HTTPS (see
    /// <see cref="TrustAnchor.Authority"/>). Nothing is fetched until the first token naming this issuer.
    /// </summary>
    public Uri? Authority { get; set; }

    /// <summary>Key source: a fixed JWKS document (<c>{"keys":[…]}</c>, public keys), loaded when the host starts.</summary>
    public string? Jwks { get; set; }

    /// <summary>Key source: a file holding a fixed JWKS document, relative to the content root (or absolute); read when the host starts.</summary>
    public string? JwksFile { get; set; }

    /// <summary>The organisations this provider may assert (ordinal). Required and non-empty; <c>["*"]</c> (alone) allows any.</summary>
    public IList<string> Organisations { get; set; } = [];

    /// <summary>The workspaces this provider may assert. Empty (the default): any workspace.</summary>
    public IList<string> Workspaces { get; set; } = [];

    /// <summary>The organisation of a token that carries none; must be one of <see cref="Organisations"/>. Empty or null (the default): such a token is rejected.</summary>
    public string? DefaultOrganisation { get; set; }

    /// <summary>The workspace of a token that carries none; must be one of <see cref="Workspaces"/> when that is set. Empty or null (the default): such a token is rejected.</summary>
    public string? DefaultWorkspace { get; set; }

    /// <summary>When not empty, replaces <see cref="PortkeyJwtServiceOptions.ValidAudiences"/> for this issuer's tokens. Default empty: the global ones.</summary>
    public IList<string> Audiences { get; set; } = [];

    /// <summary>When not empty, replaces <see cref="PortkeyJwtServiceOptions.AllowedAlgorithms"/> for this issuer's tokens. Default empty: the global ones.</summary>
    public IList<string> AllowedAlgorithms { get; set; } = [];

    /// <summary>Scopes this issuer's tokens must grant on top of <see cref="PortkeyJwtServiceOptions.RequiredScopes"/>. Default none.</summary>
    public IList<string> RequiredScopes { get; set; } = [];

    /// <summary>The claims that hold scopes, in order (for example <c>["scp"]</c> for Entra ID). Default empty: <c>scope</c> then <c>scopes</c>.</summary>
    public IList<string> ScopeClaims { get; set; } = [];

    /// <summary>The core anchor these settings describe (a new object each call); <see cref="JwksFile"/> is read relative to <paramref name="contentRoot"/>.</summary>
    /// <exception cref="IOException">The JWKS file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The JWKS file may not be read.</exception>
    internal TrustAnchor ToAnchor(string contentRoot)
    {
        var anchor = new TrustAnchor
        {
            Issuer = Issuer,
            JwksUrls = [.. JwksUrls],
            Authority = Authority,
            Jwks = string.IsNullOrEmpty(Jwks) ? null : Jwks,
            Organisations = [.. Organisations],
            Workspaces = Workspaces.Count > 0 ? [.. Workspaces] : null,
            DefaultOrganisation = string.IsNullOrEmpty(DefaultOrganisation) ? null : DefaultOrganisation,
            DefaultWorkspace = string.IsNullOrEmpty(DefaultWorkspace) ? null : DefaultWorkspace,
            Audiences = Audiences.Count > 0 ? [.. Audiences] : null,
            AllowedAlgorithms = AllowedAlgorithms.Count > 0 ? [.. AllowedAlgorithms] : null,
            RequiredScopes = [.. RequiredScopes],
        };
        if (ScopeClaims.Count > 0)
        {
            anchor.ScopeClaims = [.. ScopeClaims];
        }

        if (!string.IsNullOrEmpty(JwksFile))
        {
            anchor.Jwks = File.ReadAllText(Path.Combine(contentRoot, JwksFile));
        }

        return anchor;
    }
}
