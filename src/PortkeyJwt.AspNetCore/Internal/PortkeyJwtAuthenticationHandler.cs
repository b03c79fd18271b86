using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace PortkeyJwt.AspNetCore.Internal;

/// <summary>
/// The PortkeyJwt scheme: reads a token from <c>x-portkey-api-key</c>, else <c>Authorization: Bearer</c>, validates it
/// once per request with the shared <see cref="PortkeyJwtValidator"/>, and answers challenges as RFC 6750 says.
/// A plain Portkey API key (not three dot-separated segments) is left to another scheme. Never logs or echoes the token.
/// </summary>
internal sealed partial class PortkeyJwtAuthenticationHandler : AuthenticationHandler<PortkeyJwtAuthenticationOptions>
{
    private readonly PortkeyJwtValidator _validator;
    private readonly IOptions<PortkeyJwtServiceOptions> _serviceOptions;

    // One handler instance serves one request; the rejection is kept for the challenge.
    private PortkeyJwtError _rejection;
    private string _rejectionDetail = string.Empty;

    public PortkeyJwtAuthenticationHandler(
        IOptionsMonitor<PortkeyJwtAuthenticationOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        PortkeyJwtValidator validator,
        IOptions<PortkeyJwtServiceOptions> serviceOptions)
        : base(options, logger, encoder)
    {
        _validator = validator;
        _serviceOptions = serviceOptions;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // The token as it stands in its header: from x-portkey-api-key the whole (trimmed) value, from Authorization the
        // part after "Bearer ". A token the validated-token cache holds is answered from that span; only a token to
        // validate in full is copied into a string of its own.
        string value;
        Range range;
        StringValues apiKey = Request.Headers[PortkeyJwtDefaults.ApiKeyHeaderName];
        if (apiKey.Count > 1)
        {
            return Reject(PortkeyJwtError.Malformed, "More than one x-portkey-api-key header.");
        }

        if (apiKey.Count == 1)
        {
            value = apiKey[0] ?? string.Empty;
            range = Trimmed(value, 0);
            if (range.GetOffsetAndLength(value.Length).Length == 0 || !LooksLikeJwt(value.AsSpan()[range]))
            {
                // A plain Portkey API key: another scheme may accept it. (Authorization then carries the
                // upstream provider's key, not ours, so it is not read.)
                return AuthenticateResult.NoResult();
            }
        }
        else
        {
            string? authorization = Request.Headers.Authorization;
            if (!TokenHeaders.IsBearer(authorization))
            {
                return AuthenticateResult.NoResult();
            }

            value = authorization;
            range = Trimmed(value, TokenHeaders.BearerPrefix.Length);
            if (range.GetOffsetAndLength(value.Length).Length == 0)
            {
                return AuthenticateResult.NoResult();
            }
        }

        IList<string> schemeScopes = Options.RequiredScopes;
        string[]? requiredScopes = schemeScopes.Count == 0 ? null : [.. schemeScopes];
        CancellationToken aborted = Context.RequestAborted;
        if (aborted.IsCancellationRequested || !_validator.TryValidateCached(value.AsSpan()[range], requiredScopes, out PortkeyJwtResult? result))
        {
            result = await _validator.ValidateAsync(value[range], requiredScopes, aborted).ConfigureAwait(false);
        }

        if (!result.IsValid)
        {
            return Reject(result.Error, result.Detail);
        }

        PortkeyPrincipal principal = result.Principal;
        Feature().Principal = principal;
        var properties = new AuthenticationProperties { ExpiresUtc = principal.ExpiresAt };
        return AuthenticateResult.Success(new AuthenticationTicket(principal.ToClaimsPrincipal(), properties, Scheme.Name));
    }

    /// <summary>What is left of <paramref name="value"/> from <paramref name="start"/> without leading and trailing whitespace.</summary>
    private static Range Trimmed(string value, int start)
    {
        ReadOnlySpan<char> rest = value.AsSpan(start);
        int leading = rest.Length - rest.TrimStart().Length;
        int length = rest.Trim().Length;
        return new Range(start + leading, start + leading + length);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        if (_rejection == PortkeyJwtError.InsufficientScope)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            Response.Headers.Append(HeaderNames.WWWAuthenticate, Challenges.InsufficientScope(_serviceOptions.Value.RequiredScopes.Concat(Options.RequiredScopes).Distinct(StringComparer.Ordinal)));
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(
            HeaderNames.WWWAuthenticate,
            _rejection == PortkeyJwtError.None ? Challenges.Bare : Challenges.InvalidToken(_rejection, _rejectionDetail));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        List<string>? missing = Context.Features.Get<PortkeyRequestFeature>()?.MissingScopes;
        if (missing is { Count: > 0 })
        {
            Response.Headers.Append(HeaderNames.WWWAuthenticate, Challenges.InsufficientScope(missing));
        }

        return Task.CompletedTask;
    }

    /// <summary>Three dot-separated segments: what a compact JWS looks like, and a Portkey API key does not.</summary>
    private static bool LooksLikeJwt(ReadOnlySpan<char> value) => value.Count('.') == 2;

    private AuthenticateResult Reject(PortkeyJwtError error, string detail)
    {
        _rejection = error;
        _rejectionDetail = detail;
        LogRejected(Logger, Scheme.Name, error, detail);
        return AuthenticateResult.Fail($"{error}: {detail}");
    }

    private PortkeyRequestFeature Feature()
    {
        PortkeyRequestFeature? feature = Context.Features.Get<PortkeyRequestFeature>();
        if (feature is null)
        {
            feature = new PortkeyRequestFeature();
            Context.Features.Set(feature);
        }

        return feature;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Scheme {Scheme} rejected a token: {Error}: {Detail}")]
    private static partial void LogRejected(ILogger logger, string scheme, PortkeyJwtError error, string detail);
}
