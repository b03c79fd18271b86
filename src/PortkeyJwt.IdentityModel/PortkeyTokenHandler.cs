using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PortkeyJwt.IdentityModel.Internal;

namespace PortkeyJwt.IdentityModel;

/// <summary>
/// A <see cref="TokenHandler"/> that validates with a <see cref="PortkeyJwtValidator"/>, so an app already on
/// <c>AddJwtBearer</c> switches to PortkeyJwt's rules by replacing <c>JwtBearerOptions.TokenHandlers</c> with it.
/// Thread-safe: build one per validator and share it.
/// </summary>
/// <remarks>
/// <para>
/// PortkeyJwt's options decide everything: the <see cref="TokenValidationParameters"/> JwtBearer passes are not read
/// (no issuer, audience, lifetime or key from them), and the validator's <see cref="PortkeyJwtOptions.RequiredScopes"/>
/// apply to every token. JwtBearer checks no per-endpoint scope; leave that to authorization policies on the
/// <see cref="PortkeyPrincipal.ScopeClaimType"/> claims.
/// </para>
/// <para>
/// A rejected token is a result, never a throw: <see cref="TokenValidationResult.IsValid"/> false and
/// <see cref="TokenValidationResult.Exception"/> the <see cref="SecurityTokenException"/> subtype JwtBearer maps to its
/// <c>WWW-Authenticate</c> description, with PortkeyJwt's <see cref="PortkeyJwtResult.Detail"/> as message (see the
/// package README's table).
/// </para>
/// </remarks>
public sealed class PortkeyTokenHandler : TokenHandler
{
    /// <summary>
    /// The key under which a valid <see cref="TokenValidationResult.PropertyBag"/> holds the <see cref="PortkeyPrincipal"/>;
    /// after JwtBearer, use <see cref="GetPortkeyPrincipal"/> on <c>HttpContext.User</c> instead.
    /// </summary>
    public const string PrincipalPropertyKey = "PortkeyJwt.Principal";

    private readonly PortkeyJwtValidator _validator;

    /// <summary>A handler validating with <paramref name="validator"/>.</summary>
    /// <param name="validator">The validator; its options and keys decide what is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="validator"/> is null.</exception>
    public PortkeyTokenHandler(PortkeyJwtValidator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        _validator = validator;
    }

    /// <summary>
    /// The <see cref="PortkeyPrincipal"/> this handler authenticated <paramref name="user"/> with (for example
    /// <c>HttpContext.User</c> or <c>TokenValidatedContext.Principal</c> after JwtBearer); null when no identity of
    /// <paramref name="user"/> came from a <see cref="PortkeyTokenHandler"/>.
    /// </summary>
    /// <param name="user">The authenticated user.</param>
    /// <returns>The principal, or null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="user"/> is null.</exception>
    public static PortkeyPrincipal? GetPortkeyPrincipal(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        foreach (ClaimsIdentity identity in user.Identities)
        {
            if (identity is PortkeyClaimsIdentity portkey)
            {
                return portkey.Principal;
            }
        }

        return null;
    }

    /// <summary>
    /// Validates <paramref name="token"/> with the validator. JwtBearer calls this for each bearer token; it passes no
    /// cancellation token, so a wait for keys is bounded only by <see cref="JwksKeyProviderOptions.FetchTimeout"/>.
    /// </summary>
    /// <param name="token">The compact JWS, without a <c>Bearer</c> prefix.</param>
    /// <param name="validationParameters">Not read: the validator's options decide. May be null.</param>
    /// <returns>
    /// Valid: <see cref="TokenValidationResult.ClaimsIdentity"/> with the claims of <see cref="PortkeyPrincipal.ToClaimsPrincipal"/>,
    /// <see cref="TokenValidationResult.SecurityToken"/> a <see cref="JsonWebToken"/>, the principal under
    /// <see cref="PrincipalPropertyKey"/>. Rejected: <see cref="TokenValidationResult.Exception"/> says why.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="token"/> is null.</exception>
    public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters? validationParameters) =>
        ValidateTokenAsync(token, CancellationToken.None);

    /// <summary>
    /// Validates <paramref name="token"/> as <see cref="ValidateTokenAsync(string, TokenValidationParameters)"/> does,
    /// for callers that have a cancellation token (JwtBearer does not pass one).
    /// </summary>
    /// <param name="token">The compact JWS, without a <c>Bearer</c> prefix.</param>
    /// <param name="cancellationToken">Cancels a wait for keys; the task then ends as cancelled.</param>
    /// <returns>The validation result; a rejection is a result, not an exception.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="token"/> is null.</exception>
    public async Task<TokenValidationResult> ValidateTokenAsync(string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        PortkeyJwtResult result = await _validator.ValidateAsync(token, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return Rejected(token, result);
        }

        PortkeyPrincipal principal = result.Principal;
        var validated = new TokenValidationResult
        {
            IsValid = true,
            ClaimsIdentity = PortkeyClaimsIdentity.From(principal),
            SecurityToken = (SecurityToken?)TryParse(token) ?? new PortkeySecurityToken(principal),
            Issuer = principal.Issuer,
        };
        validated.PropertyBag[PrincipalPropertyKey] = principal;
        return validated;
    }

    /// <summary>
    /// Validates a <see cref="JsonWebToken"/> by its <see cref="JsonWebToken.EncodedToken"/>; any other token type is
    /// rejected as <see cref="SecurityTokenMalformedException"/>.
    /// </summary>
    /// <param name="token">The token.</param>
    /// <param name="validationParameters">Not read: the validator's options decide. May be null.</param>
    /// <returns>The validation result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="token"/> is null.</exception>
    public override Task<TokenValidationResult> ValidateTokenAsync(SecurityToken token, TokenValidationParameters? validationParameters)
    {
        ArgumentNullException.ThrowIfNull(token);
        return token is JsonWebToken jwt
            ? ValidateTokenAsync(jwt.EncodedToken, CancellationToken.None)
            : Task.FromResult(new TokenValidationResult
            {
                IsValid = false,
                Exception = new SecurityTokenMalformedException($"A {nameof(PortkeyTokenHandler)} validates compact JWS tokens only."),
            });
    }

    /// <summary>Parses <paramref name="token"/> as a <see cref="JsonWebToken"/>, without validating it.</summary>
    /// <param name="token">The compact JWS.</param>
    /// <returns>The parsed, unvalidated token.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="token"/> is null.</exception>
    /// <exception cref="SecurityTokenMalformedException">The text is not a JWT.</exception>
    public override SecurityToken ReadToken(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return TryParse(token) ?? throw new SecurityTokenMalformedException("The token is not a compact JWS.");
    }

    private static TokenValidationResult Rejected(string token, PortkeyJwtResult result)
    {
        // The signature is verified before any claim, so a lifetime rejection's exp/nbf come from a genuine token.
        DateTime? expires = null, notBefore = null;
        if (result.Error is PortkeyJwtError.Expired or PortkeyJwtError.NotYetValid && TryParse(token) is { } jwt)
        {
            expires = KnownOrNull(jwt.ValidTo);
            notBefore = KnownOrNull(jwt.ValidFrom) ?? KnownOrNull(jwt.IssuedAt);
        }

        return new TokenValidationResult
        {
            IsValid = false,
            Exception = RejectionExceptions.For(result.Error, result.Detail, expires, notBefore),
        };
    }

    private static DateTime? KnownOrNull(DateTime time) => time == DateTime.MinValue ? null : time;

    /// <summary>The token as a <see cref="JsonWebToken"/>; null when IdentityModel's reader refuses it.</summary>
    private static JsonWebToken? TryParse(string token)
    {
        try
        {
            return new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return null; // SecurityTokenMalformedException is one
        }
        catch (SecurityTokenException)
        {
            return null;
        }
    }
}
