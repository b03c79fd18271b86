using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace PortkeyJwt.Internal;

/// <summary>
/// The OIDC discovery document of one authority (<see cref="TrustAnchor.Authority"/>), reduced to what keys need: the
/// <c>jwks_uri</c> of a document whose <c>issuer</c> is exactly the anchor's. Fetched with <see cref="HardenedGet"/>
/// (timeout, size cap, no redirects) and parsed with <see cref="OpenIdConnectConfiguration"/>; every failure is a value.
/// </summary>
/// <remarks>
/// Owned by the authority's <see cref="JwksSource"/>, which calls <see cref="RefreshIfDueAsync"/> inside its single-flight
/// fetch, before each JWKS fetch: so at most one document fetch runs at a time, and concurrent first tokens share it.
/// The document is refetched only once it is <see cref="JwksSettings.DiscoveryRefreshInterval"/> old; a failed refetch
/// keeps the last good <c>jwks_uri</c> (and is retried at the next JWKS fetch).
/// </remarks>
internal sealed partial class DiscoveryDocument
{
    /// <summary>Where an authority publishes its document, relative to the authority (OIDC Discovery §4).</summary>
    public const string WellKnownPath = "/.well-known/openid-configuration";

    /// <summary>Nesting allowed in a discovery document (flat, with arrays of strings; a vendor may add an object or two).</summary>
    private const int MaxDocumentDepth = 16;

    /// <summary>The longest issuer or URL quoted from a document in a reason.</summary>
    private const int MaxQuotedLength = 200;

    private readonly string _issuer;
    private readonly JwksSettings _settings;
    private readonly bool _requireHttps;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile Resolved? _current;

    /// <param name="documentUrl">From <see cref="DocumentUrlOf"/>.</param>
    /// <param name="issuer">The anchor's issuer, which the document's <c>issuer</c> must equal exactly.</param>
    /// <param name="settings">Timeout, size cap and refresh interval.</param>
    /// <param name="requireHttps">Whether a plain-HTTP <c>jwks_uri</c> to a host that is not loopback is refused.</param>
    /// <param name="time">The clock of the timeout and of the refresh interval.</param>
    /// <param name="logger">Receives a warning when a refetch fails and the last good document is kept.</param>
    public DiscoveryDocument(Uri documentUrl, string issuer, JwksSettings settings, bool requireHttps, TimeProvider time, ILogger logger)
    {
        DocumentUrl = documentUrl;
        _issuer = issuer;
        _settings = settings;
        _requireHttps = requireHttps;
        _time = time;
        _logger = logger;
    }

    /// <summary>The document's URL: the authority followed by <see cref="WellKnownPath"/>.</summary>
    public Uri DocumentUrl { get; }

    /// <summary>The <c>jwks_uri</c> of the last good document; null until one has been fetched.</summary>
    public Uri? JwksUri => _current?.JwksUri;

    /// <summary>
    /// The document URL of <paramref name="authority"/>: its path (one trailing <c>/</c> dropped) followed by
    /// <see cref="WellKnownPath"/>, so <c>https://login.example/tenant/v2.0</c> gives
    /// <c>https://login.example/tenant/v2.0/.well-known/openid-configuration</c>.
    /// </summary>
    public static Uri DocumentUrlOf(Uri authority)
    {
        string root = authority.GetLeftPart(UriPartial.Path);
        return new Uri((root.EndsWith('/') ? root[..^1] : root) + WellKnownPath, UriKind.Absolute);
    }

    /// <summary>Why <paramref name="authority"/> cannot be an authority; null when it can.</summary>
    public static string? AuthorityProblem(Uri? authority, bool requireHttps)
    {
        if (!FetchUrl.IsAbsoluteHttp(authority))
        {
            return "Authority must be an absolute http(s) URL.";
        }

        if (authority.Query.Length > 0 || authority.Fragment.Length > 0)
        {
            return "Authority must have no query or fragment: the discovery document is at its path followed by " + WellKnownPath + ".";
        }

        return FetchUrl.IsRefusedPlainHttp(authority, requireHttps)
            ? "Authority must use HTTPS (plain HTTP is allowed only to a loopback host, or with RequireHttps = false)."
            : null;
    }

    /// <summary>Whether <see cref="RefreshIfDueAsync"/> would fetch now: no good document yet, or the last is due for a refresh.</summary>
    public bool IsDue => _current is not { } current || _time.GetUtcNow() - current.FetchedAt >= _settings.DiscoveryRefreshInterval;

    /// <summary>
    /// Fetches the document when there is none yet or the last good one is <see cref="JwksSettings.DiscoveryRefreshInterval"/>
    /// old; otherwise does nothing. Never throws.
    /// </summary>
    /// <param name="http">The client of the owning source.</param>
    /// <param name="stopping">The owning source's disposal.</param>
    /// <returns>Null when a good document is held (fetched now or earlier); otherwise why this fetch failed.</returns>
    public async Task<DiscoveryFailure?> RefreshIfDueAsync(HttpClient http, CancellationToken stopping)
    {
        DateTimeOffset now = _time.GetUtcNow();
        Resolved? current = _current;
        if (current is not null && now - current.FetchedAt < _settings.DiscoveryRefreshInterval)
        {
            return null;
        }

        using Activity? activity = Telemetry.Source.StartActivity("PortkeyJwt.DiscoveryFetch", ActivityKind.Client);
        activity?.SetTag("url.full", DocumentUrl.ToString());
        DiscoveryFailure? failure;
        Uri? jwksUri = null;
        using (HttpGetResult response = await HardenedGet.GetAsync(
            http, DocumentUrl, HardenedGet.JsonMediaTypes, _settings.MaxResponseBytes, "the authority the document is served under", _settings.FetchTimeout, _time, stopping).ConfigureAwait(false))
        {
            failure = response.Answered
                ? Read(response.Body.Span, _issuer, _requireHttps, out jwksUri)
                : new DiscoveryFailure(response.FailureKind!, $"discovery document: {response.Error}");
        }

        activity?.SetTag("portkeyjwt.outcome", failure?.Kind ?? "success");
        if (failure is not null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, failure.Error);
        }

        if (failure is null)
        {
            _current = new Resolved(jwksUri!, now);
            if (current is not null && current.JwksUri != jwksUri)
            {
                LogJwksUriChanged(_logger, DocumentUrl, current.JwksUri, jwksUri!);
            }
        }
        else if (current is not null && failure.Kind != "cancelled")
        {
            LogKeptLastGood(_logger, DocumentUrl, failure.Error, current.JwksUri);
        }

        return failure;
    }

    /// <summary>
    /// The <c>jwks_uri</c> of <paramref name="utf8Json"/>, checked: a JSON object that <see cref="OpenIdConnectConfiguration"/>
    /// reads, whose <c>issuer</c> is exactly <paramref name="issuer"/> (ordinal; OIDC Discovery §4.3, RFC 8414 §3.3) and whose
    /// <c>jwks_uri</c> is absolute and HTTPS (plain HTTP only to a loopback host, or when not <paramref name="requireHttps"/>).
    /// </summary>
    /// <returns>Null when usable, with <paramref name="jwksUri"/> set; otherwise why not.</returns>
    internal static DiscoveryFailure? Read(ReadOnlySpan<byte> utf8Json, string issuer, bool requireHttps, out Uri? jwksUri)
    {
        jwksUri = null;
        var members = default(MemberScan);
        if (!JsonSyntax.IsObject(utf8Json, ref members, MaxDocumentDepth))
        {
            return Invalid("not a well-formed JSON object");
        }

        if (members.Repeated is { } repeated)
        {
            // Readers disagree on which of two values counts (IdentityModel takes the last): the document is ambiguous.
            return Invalid($"{repeated} appears more than once");
        }

        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = OpenIdConnectConfiguration.Create(Encoding.UTF8.GetString(utf8Json));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // IdentityModel wraps the reader's error; its own message hides the detail as PII, the JSON reader's names the member.
            return Invalid(Innermost(e) is JsonException json ? $"a member has the wrong type ({json.Message})" : "not an OpenID Provider configuration");
        }

        if (string.IsNullOrEmpty(configuration.Issuer))
        {
            return Invalid("it has no issuer");
        }

        if (!string.Equals(configuration.Issuer, issuer, StringComparison.Ordinal))
        {
            return new DiscoveryFailure(
                "issuer",
                $"issuer mismatch: the discovery document's issuer is '{Quote(configuration.Issuer)}', the anchor's is '{Quote(issuer)}'; they must be equal (OIDC Discovery §4.3), so its keys are not used");
        }

        if (string.IsNullOrEmpty(configuration.JwksUri))
        {
            return Invalid("it has no jwks_uri");
        }

        if (!Uri.TryCreate(configuration.JwksUri, UriKind.Absolute, out Uri? uri) || !FetchUrl.IsAbsoluteHttp(uri))
        {
            return Invalid($"jwks_uri '{Quote(configuration.JwksUri)}' is not an absolute http(s) URL");
        }

        if (FetchUrl.IsRefusedPlainHttp(uri, requireHttps))
        {
            return Invalid($"jwks_uri '{Quote(configuration.JwksUri)}' must use HTTPS (plain HTTP is allowed only to a loopback host, or with RequireHttps = false)");
        }

        jwksUri = uri;
        return null;
    }

    private static DiscoveryFailure Invalid(string reason) => new("invalid", $"invalid discovery document: {reason}");

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    private static string Quote(string text) => text.Length <= MaxQuotedLength ? text : string.Concat(text.AsSpan(0, MaxQuotedLength), "…");

    [LoggerMessage(20, LogLevel.Warning, "OIDC discovery document {Url} refetch failed: {Error}; keys keep coming from the last good jwks_uri {JwksUri}")]
    private static partial void LogKeptLastGood(ILogger logger, Uri url, string error, Uri jwksUri);

    [LoggerMessage(21, LogLevel.Information, "OIDC discovery document {Url}: jwks_uri changed from {Previous} to {JwksUri}")]
    private static partial void LogJwksUriChanged(ILogger logger, Uri url, Uri previous, Uri jwksUri);

    /// <summary>Notes a repeat of either member the keys depend on, as the syntax pass visits the document's members.</summary>
    private struct MemberScan : JsonSyntax.IMemberVisitor
    {
        /// <summary>Longest raw key that can still unescape to <c>jwks_uri</c> (every character as <c>\uXXXX</c>).</summary>
        private const int MaxEscapedNameLength = 8 * 6;

        private bool _issuer;
        private bool _jwksUri;

        /// <summary>The first member seen twice, if any.</summary>
        public string? Repeated { get; private set; }

        public void Visit(ReadOnlySpan<byte> json, JsonSyntax.Member member)
        {
            Span<byte> buffer = member.KeyEscaped ? stackalloc byte[MaxEscapedNameLength] : default;
            ReadOnlySpan<byte> name = member.KeyEscaped ? JsonRead.UnescapedKey(json, member, buffer) : member.RawKey(json);
            if (name.SequenceEqual("issuer"u8))
            {
                Repeated ??= _issuer ? "issuer" : null;
                _issuer = true;
            }
            else if (name.SequenceEqual("jwks_uri"u8))
            {
                Repeated ??= _jwksUri ? "jwks_uri" : null;
                _jwksUri = true;
            }
        }
    }

    /// <summary>A good document's <c>jwks_uri</c> and when it was fetched.</summary>
    private sealed record Resolved(Uri JwksUri, DateTimeOffset FetchedAt);
}

/// <summary>Why a discovery-document fetch failed: <see cref="Kind"/> for telemetry, <see cref="Error"/> for logs and status.</summary>
internal sealed record DiscoveryFailure(string Kind, string Error);
