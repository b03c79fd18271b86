using System.Diagnostics.CodeAnalysis;

namespace PortkeyJwt;

/// <summary>
/// The outcome of one validation: a <see cref="PortkeyPrincipal"/> when the token is valid, otherwise the reason.
/// Results for rejections are shared, immutable instances, so a rejection allocates nothing.
/// </summary>
public sealed class PortkeyJwtResult
{
    private PortkeyJwtResult(PortkeyPrincipal? principal, PortkeyJwtError error, string detail)
    {
        Principal = principal;
        Error = error;
        Detail = detail;
    }

    /// <summary>Whether the token is valid; when true, <see cref="Principal"/> is not null.</summary>
    [MemberNotNullWhen(true, nameof(Principal))]
    public bool IsValid => Principal is not null;

    /// <summary>The authenticated caller; non-null exactly when <see cref="IsValid"/> is true.</summary>
    public PortkeyPrincipal? Principal { get; }

    /// <summary>Why the token was rejected; <see cref="PortkeyJwtError.None"/> when valid.</summary>
    public PortkeyJwtError Error { get; }

    /// <summary>
    /// A short human-readable reason, safe to log or return to the caller: it never contains the token, a signature or
    /// any claim value taken from the token.
    /// </summary>
    public string Detail { get; }

    /// <summary>The HTTP status a gateway should answer with: 200 when valid, 403 for <see cref="PortkeyJwtError.InsufficientScope"/>, otherwise 401.</summary>
    public int StatusCode => Error switch
    {
        PortkeyJwtError.None => 200,
        PortkeyJwtError.InsufficientScope => 403,
        _ => 401,
    };

    /// <inheritdoc />
    public override string ToString() => IsValid ? "valid" : $"{Error}: {Detail}";

    /// <summary>The outcome of a JWS-only check whose signature verified; never returned by the public API.</summary>
    internal static readonly PortkeyJwtResult SignatureVerified = new(null, PortkeyJwtError.None, "The header and signature are valid; no claim was checked.");

    internal static PortkeyJwtResult Success(PortkeyPrincipal principal) => new(principal, PortkeyJwtError.None, "The token is valid.");

    internal static PortkeyJwtResult Failure(PortkeyJwtError error, string detail)
    {
        if (error == PortkeyJwtError.None)
        {
            throw new ArgumentOutOfRangeException(nameof(error));
        }

        return new(null, error, detail);
    }
}
