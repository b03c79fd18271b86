using Microsoft.IdentityModel.Tokens;

namespace PortkeyJwt.IdentityModel.Internal;

/// <summary>
/// The exception JwtBearer understands for each <see cref="PortkeyJwtError"/>: JwtBearer picks
/// its <c>WWW-Authenticate</c> <c>error_description</c> by exception type, so the type is the contract and the message
/// is PortkeyJwt's <see cref="PortkeyJwtResult.Detail"/> (never token content). Each is a <see cref="SecurityTokenException"/>
/// except <see cref="SecurityTokenMalformedException"/>, which IdentityModel derives from <see cref="ArgumentException"/>.
/// </summary>
/// <remarks>
/// One switch over the closed set of errors, every value named: a new <see cref="PortkeyJwtError"/> falls to
/// <see cref="SecurityTokenValidationException"/> until it is added here (and the table test names it).
/// </remarks>
internal static class RejectionExceptions
{
    /// <summary>The exception for a rejection.</summary>
    /// <param name="error">Why the token was rejected; not <see cref="PortkeyJwtError.None"/>.</param>
    /// <param name="detail">PortkeyJwt's reason, the exception's message.</param>
    /// <param name="expires">The token's <c>exp</c> (UTC) when known, for <see cref="SecurityTokenExpiredException.Expires"/>.</param>
    /// <param name="notBefore">The token's <c>nbf</c> (or else <c>iat</c>, UTC) when known, for <see cref="SecurityTokenNotYetValidException.NotBefore"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="error"/> is <see cref="PortkeyJwtError.None"/>: not a rejection.</exception>
    public static Exception For(PortkeyJwtError error, string detail, DateTime? expires = null, DateTime? notBefore = null) => error switch
    {
        PortkeyJwtError.None => throw new ArgumentOutOfRangeException(nameof(error), error, "A valid result has no exception."),
        PortkeyJwtError.Expired => new SecurityTokenExpiredException(detail) { Expires = expires ?? default },
        PortkeyJwtError.NotYetValid => new SecurityTokenNotYetValidException(detail) { NotBefore = notBefore ?? default },
        PortkeyJwtError.InvalidSignature => new SecurityTokenInvalidSignatureException(detail),
        PortkeyJwtError.UnknownKey => new SecurityTokenSignatureKeyNotFoundException(detail),
        PortkeyJwtError.InvalidIssuer or PortkeyJwtError.UnknownIssuer => new SecurityTokenInvalidIssuerException(detail),
        PortkeyJwtError.InvalidAudience => new SecurityTokenInvalidAudienceException(detail),
        PortkeyJwtError.UnsupportedAlgorithm => new SecurityTokenInvalidAlgorithmException(detail),
        PortkeyJwtError.Malformed or PortkeyJwtError.TokenTooLarge => new SecurityTokenMalformedException(detail),
        PortkeyJwtError.InvalidType or PortkeyJwtError.UnsupportedHeader or PortkeyJwtError.MissingKeyId
            or PortkeyJwtError.MissingClaim or PortkeyJwtError.InvalidClaim or PortkeyJwtError.InsufficientScope
            or PortkeyJwtError.KeysUnavailable or PortkeyJwtError.OrganisationNotAllowed
            or PortkeyJwtError.WorkspaceNotAllowed or PortkeyJwtError.Revoked
            or PortkeyJwtError.RevocationUnavailable => new SecurityTokenValidationException(detail),
        _ => new SecurityTokenValidationException(detail),
    };
}
