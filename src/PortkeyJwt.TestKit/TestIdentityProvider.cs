using System.Text.Json.Nodes;
using PortkeyJwt.TestKit.Internal;

namespace PortkeyJwt.TestKit;

/// <summary>
/// An in-memory identity provider for tests of code built on PortkeyJwt: it holds signing keys, mints Portkey-shaped
/// tokens, rotates and retires keys, publishes its <see cref="Jwks"/>, and builds <see cref="PortkeyJwtValidator"/>s
/// that fetch that JWKS from memory (no network, no port). Every time it reads or writes comes from the
/// <see cref="TimeProvider"/> given to it, so a test moves a fake clock instead of sleeping. Thread-safe.
/// </summary>
/// <remarks>
/// It never logs, and a token appears only in what <see cref="Mint"/> returns. <see cref="Dispose"/> disposes the keys
/// and the key providers of the validators it built (they then reject every token with
/// <see cref="PortkeyJwtError.KeysUnavailable"/>).
/// </remarks>
public sealed class TestIdentityProvider : IDisposable
{
    /// <summary>The <c>iss</c> of minted tokens, and the one valid issuer of built validators, unless another is given.</summary>
    public const string DefaultIssuer = "https://idp.test";

    /// <summary>The <c>aud</c> of minted tokens, and the one valid audience of built validators, unless another is given.</summary>
    public const string DefaultAudience = "portkey-gateway";

    /// <summary>The organisation (<c>portkey_oid</c>) of a token minted without one.</summary>
    public const string DefaultOrganisation = "org-test";

    /// <summary>The workspace (<c>portkey_workspace</c>) of a token minted without one.</summary>
    public const string DefaultWorkspace = "ws-test";

    /// <summary>The scope a token minted without scopes grants.</summary>
    public const string DefaultScope = "completions.write";

    /// <summary>How long a token minted without <c>expiresAt</c> is valid after it is issued: 10 minutes.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(10);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, SigningKey> _keys = new(StringComparer.Ordinal); // every key made, retired ones too
    private readonly List<SigningKey> _published = [];
    private readonly List<JwksKeyProvider> _providers = [];
    private readonly HttpClient _http;
    private SigningKey _current;
    private volatile string _jwks = "";
    private PortkeyJwtValidator? _principalValidator;
    private int _keyCount;
    private bool _disposed;

    /// <summary>A provider with one signing key, <c>key-1</c>.</summary>
    /// <param name="timeProvider">The clock of minted tokens' <c>iat</c>/<c>nbf</c>/<c>exp</c> and of built validators; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="algorithm">The algorithm of new keys: <c>RS256</c> (RSA 2048-bit, the default) or <c>ES256</c> (P-256).</param>
    /// <param name="issuer">The <c>iss</c> of minted tokens; default <see cref="DefaultIssuer"/>.</param>
    /// <param name="audience">The <c>aud</c> of minted tokens; default <see cref="DefaultAudience"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="algorithm"/> is neither <c>RS256</c> nor <c>ES256</c>.</exception>
    /// <exception cref="ArgumentException"><paramref name="issuer"/> or <paramref name="audience"/> is empty.</exception>
    public TestIdentityProvider(TimeProvider? timeProvider = null, string algorithm = "RS256", string issuer = DefaultIssuer, string audience = DefaultAudience)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        ArgumentException.ThrowIfNullOrEmpty(audience);
        if (algorithm is not ("RS256" or "ES256"))
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "The test identity provider signs with RS256 or ES256.");
        }

        TimeProvider = timeProvider ?? TimeProvider.System;
        Algorithm = algorithm;
        Issuer = issuer;
        Audience = audience;
        _current = AddKey();
        Publish();
        _http = new HttpClient(new InMemoryJwksHandler(() => _jwks));
    }

    /// <summary>The clock of minted tokens and built validators.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The algorithm new keys sign with: <c>RS256</c> or <c>ES256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The <c>iss</c> of minted tokens.</summary>
    public string Issuer { get; }

    /// <summary>The <c>aud</c> of minted tokens.</summary>
    public string Audience { get; }

    /// <summary>The <c>kid</c> of the key tokens are signed with unless <c>keyId</c> names another.</summary>
    public string CurrentKeyId
    {
        get
        {
            lock (_gate)
            {
                return _current.KeyId;
            }
        }
    }

    /// <summary>The <c>kid</c>s of the published keys (those in <see cref="Jwks"/>), oldest first.</summary>
    public IReadOnlyList<string> KeyIds
    {
        get
        {
            lock (_gate)
            {
                return [.. _published.Select(k => k.KeyId)];
            }
        }
    }

    /// <summary>The JWKS document of the published keys' public JWKs (<c>{"keys":[…]}</c>), as an identity provider serves it.</summary>
    public string Jwks => _jwks;

    /// <summary>
    /// Mints a signed token. Every argument is optional; the defaults make a token that validators from
    /// <see cref="CreateValidator"/> accept now.
    /// </summary>
    /// <param name="organisation">The <c>portkey_oid</c> claim; default <see cref="DefaultOrganisation"/>.</param>
    /// <param name="workspace">The <c>portkey_workspace</c> claim; default <see cref="DefaultWorkspace"/>.</param>
    /// <param name="scopes">The granted scopes, written space-separated as <c>scope</c>; null: <see cref="DefaultScope"/>; empty: no <c>scope</c> claim.</param>
    /// <param name="email">The <c>email_id</c> claim, if any.</param>
    /// <param name="subject">The <c>sub</c> claim, if any.</param>
    /// <param name="uid">The <c>uid</c> claim, if any.</param>
    /// <param name="claims">
    /// More claims, written last: each replaces a claim of the same name above, and a JSON <c>null</c> value removes that
    /// claim instead (for example <c>["iss"] = null</c>). Copied; the object is not changed.
    /// </param>
    /// <param name="issuedAt">The <c>iat</c> (whole seconds); default now on <see cref="TimeProvider"/>.</param>
    /// <param name="expiresAt">The <c>exp</c>; default <paramref name="issuedAt"/> plus <see cref="DefaultLifetime"/>.</param>
    /// <param name="notBefore">The <c>nbf</c>; default <paramref name="issuedAt"/>.</param>
    /// <param name="keyId">The key to sign with: any key this provider made, published or retired; default <see cref="CurrentKeyId"/>.</param>
    /// <returns>The compact JWS.</returns>
    /// <exception cref="ArgumentException"><paramref name="keyId"/> names no key of this provider, or a scope is empty or holds a space.</exception>
    /// <exception cref="ObjectDisposedException">The provider was disposed.</exception>
    public string Mint(
        string organisation = DefaultOrganisation,
        string workspace = DefaultWorkspace,
        IEnumerable<string>? scopes = null,
        string? email = null,
        string? subject = null,
        string? uid = null,
        JsonObject? claims = null,
        DateTimeOffset? issuedAt = null,
        DateTimeOffset? expiresAt = null,
        DateTimeOffset? notBefore = null,
        string? keyId = null)
    {
        ArgumentNullException.ThrowIfNull(organisation);
        ArgumentNullException.ThrowIfNull(workspace);
        string[] granted = [.. scopes ?? [DefaultScope]];
        foreach (string scope in granted)
        {
            if (string.IsNullOrEmpty(scope) || scope.Contains(' ', StringComparison.Ordinal))
            {
                throw new ArgumentException("Each scope must be a non-empty name without spaces.", nameof(scopes));
            }
        }

        DateTimeOffset issued = issuedAt ?? TimeProvider.GetUtcNow();
        var payload = new JsonObject
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["portkey_oid"] = organisation,
            ["portkey_workspace"] = workspace,
        };
        if (granted.Length > 0)
        {
            payload["scope"] = string.Join(' ', granted);
        }

        AddIfPresent(payload, "email_id", email);
        AddIfPresent(payload, "sub", subject);
        AddIfPresent(payload, "uid", uid);
        payload["iat"] = issued.ToUnixTimeSeconds();
        payload["nbf"] = (notBefore ?? issued).ToUnixTimeSeconds();
        payload["exp"] = (expiresAt ?? issued + DefaultLifetime).ToUnixTimeSeconds();
        foreach ((string name, JsonNode? value) in claims ?? [])
        {
            if (value is null)
            {
                payload.Remove(name);
            }
            else
            {
                payload[name] = value.DeepClone();
            }
        }

        return KeyFor(keyId).Sign(payload);
    }

    /// <summary>
    /// A principal exactly as validation makes it, for unit tests of code that takes a <see cref="PortkeyPrincipal"/>:
    /// mints a token with these claims (now, current key) and validates it with a validator of the kit's defaults that
    /// captures every claim (<see cref="PortkeyJwtOptions.CaptureAllClaims"/>). <see cref="PortkeyPrincipal"/> has no
    /// public constructor on purpose: a principal only ever comes from a validated token, in tests too. For one shaped by
    /// your gateway's own options (role claim, trust anchors), validate <see cref="Mint"/>'s token with your validator.
    /// </summary>
    /// <param name="organisation">The organisation; default <see cref="DefaultOrganisation"/>.</param>
    /// <param name="workspace">The workspace; default <see cref="DefaultWorkspace"/>.</param>
    /// <param name="scopes">The granted scopes; null: <see cref="DefaultScope"/>.</param>
    /// <param name="email">The <c>email_id</c> claim, if any.</param>
    /// <param name="subject">The <c>sub</c> claim, if any.</param>
    /// <param name="uid">The <c>uid</c> claim, if any.</param>
    /// <param name="claims">More claims, as for <see cref="Mint"/>.</param>
    /// <param name="cancellationToken">Cancels the validation.</param>
    /// <returns>The validated principal.</returns>
    /// <exception cref="InvalidOperationException">The claims make a token PortkeyJwt rejects; the message gives the error and its detail.</exception>
    /// <exception cref="ObjectDisposedException">The provider was disposed.</exception>
    public async Task<PortkeyPrincipal> PrincipalAsync(
        string organisation = DefaultOrganisation,
        string workspace = DefaultWorkspace,
        IEnumerable<string>? scopes = null,
        string? email = null,
        string? subject = null,
        string? uid = null,
        JsonObject? claims = null,
        CancellationToken cancellationToken = default)
    {
        string token = Mint(organisation, workspace, scopes, email, subject, uid, claims);
        PortkeyJwtValidator validator;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            validator = _principalValidator ??= CreateValidatorLocked(options => options.CaptureAllClaims = true);
        }

        PortkeyJwtResult result = await validator.ValidateAsync(token, cancellationToken).ConfigureAwait(false);
        return result.Principal ?? throw new InvalidOperationException($"The claims make a token PortkeyJwt rejects: {result.Error}: {result.Detail}");
    }

    /// <summary>
    /// Adds a new signing key and makes it current: new tokens are signed with it, the previous keys stay published
    /// (tokens they signed still validate) until <see cref="RetireKey"/>. Validators built by <see cref="CreateValidator"/>
    /// serve the new key set before this returns.
    /// </summary>
    /// <returns>The new key's <c>kid</c> (<c>key-2</c>, <c>key-3</c>, …).</returns>
    /// <exception cref="ObjectDisposedException">The provider was disposed.</exception>
    public string RotateKey()
    {
        string kid;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _current = AddKey();
            kid = _current.KeyId;
            Publish();
        }

        RefreshValidators();
        return kid;
    }

    /// <summary>
    /// Stops publishing the key <paramref name="keyId"/>: validators built by <see cref="CreateValidator"/> serve the set
    /// without it before this returns, so its tokens then fail with <see cref="PortkeyJwtError.UnknownKey"/>. The key is
    /// kept, so <see cref="Mint"/> can still sign with it.
    /// </summary>
    /// <param name="keyId">A published key other than the current one.</param>
    /// <exception cref="ArgumentException"><paramref name="keyId"/> is not a published key.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="keyId"/> is the current key: rotate first.</exception>
    /// <exception cref="ObjectDisposedException">The provider was disposed.</exception>
    public void RetireKey(string keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int index = _published.FindIndex(k => k.KeyId == keyId);
            if (index < 0)
            {
                throw new ArgumentException($"'{keyId}' is not a published key of this provider.", nameof(keyId));
            }

            if (ReferenceEquals(_published[index], _current))
            {
                throw new InvalidOperationException($"'{keyId}' is the current key; rotate to a new key before retiring it.");
            }

            _published.RemoveAt(index);
            Publish();
        }

        RefreshValidators();
    }

    /// <summary>
    /// A validator over this provider's published keys, as a gateway would build one over an identity provider's JWKS
    /// URL: it fetches <see cref="Jwks"/> from memory, follows <see cref="RotateKey"/> and <see cref="RetireKey"/>, and
    /// runs on <see cref="TimeProvider"/>. Its options start as <see cref="PortkeyJwtOptions.ValidIssuers"/> =
    /// [<see cref="Issuer"/>], <see cref="PortkeyJwtOptions.ValidAudiences"/> = [<see cref="Audience"/>] and
    /// <see cref="PortkeyJwtOptions.AllowedAlgorithms"/> = [<see cref="Algorithm"/>]; <paramref name="configure"/> may change any of them.
    /// Its key provider is the kit's: disposed with it.
    /// </summary>
    /// <param name="configure">Adjusts the options before the validator copies them.</param>
    /// <returns>The validator.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option set by <paramref name="configure"/> is out of range.</exception>
    /// <exception cref="ObjectDisposedException">The provider was disposed.</exception>
    public PortkeyJwtValidator CreateValidator(Action<PortkeyJwtOptions>? configure = null)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return CreateValidatorLocked(configure);
        }
    }

    /// <summary>Disposes the keys and the key providers of every validator built here.</summary>
    public void Dispose()
    {
        JwksKeyProvider[] providers;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            providers = [.. _providers];
            _providers.Clear();
        }

        foreach (JwksKeyProvider provider in providers)
        {
            provider.Dispose();
        }

        _http.Dispose();
        foreach (SigningKey key in _keys.Values)
        {
            key.Dispose();
        }
    }

    private PortkeyJwtValidator CreateValidatorLocked(Action<PortkeyJwtOptions>? configure)
    {
        var options = new PortkeyJwtOptions
        {
            ValidIssuers = [Issuer],
            ValidAudiences = [Audience],
            AllowedAlgorithms = [Algorithm],
        };
        configure?.Invoke(options);
        var keys = new JwksKeyProvider(new JwksKeyProviderOptions { JwksUrls = [InMemoryJwksHandler.Url] }, _http, TimeProvider);
        try
        {
            var validator = new PortkeyJwtValidator(keys, options, TimeProvider);
            _providers.Add(keys);
            return validator;
        }
        catch
        {
            keys.Dispose();
            throw;
        }
    }

    private SigningKey AddKey()
    {
        var key = SigningKey.Create($"key-{++_keyCount}", Algorithm);
        _keys.Add(key.KeyId, key);
        _published.Add(key);
        return key;
    }

    /// <summary>Rebuilds <see cref="Jwks"/> from the published keys; under the gate.</summary>
    private void Publish() =>
        _jwks = new JsonObject { ["keys"] = new JsonArray([.. _published.Select(k => (JsonNode)k.PublicJwk())]) }.ToJsonString();

    private SigningKey KeyFor(string? keyId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (keyId is null)
            {
                return _current;
            }

            return _keys.TryGetValue(keyId, out SigningKey? key)
                ? key
                : throw new ArgumentException($"'{keyId}' names no key of this provider.", nameof(keyId));
        }
    }

    /// <summary>
    /// Makes every built validator serve the published set now. A forced refresh joins a fetch already in flight, which
    /// may have read the set before this change, so it is repeated until the served kids are the published ones (bounded).
    /// Waiting synchronously is safe: the fetch is answered from memory and the core never resumes on a captured context.
    /// </summary>
    private void RefreshValidators()
    {
        JwksKeyProvider[] providers;
        string[] published;
        lock (_gate)
        {
            providers = [.. _providers];
            published = [.. _published.Select(k => k.KeyId)];
        }

        foreach (JwksKeyProvider provider in providers)
        {
            for (int attempt = 0; attempt < 3 && !Serves(provider, published); attempt++)
            {
                provider.RefreshAsync().GetAwaiter().GetResult();
            }
        }
    }

    private static bool Serves(JwksKeyProvider provider, string[] published) =>
        provider.KeyCount == published.Length && published.All(provider.KeyIds.Contains);

    private static void AddIfPresent(JsonObject payload, string name, string? value)
    {
        if (value is not null)
        {
            payload[name] = value;
        }
    }
}
