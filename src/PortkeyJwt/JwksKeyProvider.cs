using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PortkeyJwt.Internal;

namespace PortkeyJwt;

/// <summary>
/// Supplies the public keys a <see cref="PortkeyJwtValidator"/> verifies signatures with, loaded from a JSON Web Key Set.
/// Each loaded set is an immutable snapshot looked up by <c>kid</c>; keys are imported once per set, never per validation.
/// Thread-safe.
/// </summary>
/// <remarks>
/// A key is loaded only if it can verify signatures safely: <c>kty</c> <c>RSA</c> (2048 to 8192 bits, odd exponent) or
/// <c>EC</c> (P-256, P-384, P-521, point on the curve); <c>use</c> absent or <c>sig</c>; <c>key_ops</c> absent or containing
/// <c>verify</c>; <c>alg</c> absent or a supported algorithm of the key's type; a <c>kid</c>; and no private members
/// (<c>d</c>, <c>p</c>, <c>q</c>, …). Any other key is skipped with one warning; keys sharing a <c>kid</c> with different
/// material are all skipped as ambiguous.
/// </remarks>
public sealed class JwksKeyProvider
{
    /// <summary>The most keys one JWKS document may hold.</summary>
    public const int MaxKeys = 100;

    private volatile KeySetSnapshot? _snapshot;

    private JwksKeyProvider(KeySetSnapshot snapshot) => _snapshot = snapshot;

    /// <summary>The number of usable keys currently loaded.</summary>
    public int KeyCount => _snapshot?.Count ?? 0;

    /// <summary>The <c>kid</c>s of the usable keys currently loaded.</summary>
    public IReadOnlyCollection<string> KeyIds => _snapshot?.Keys.Keys ?? (IReadOnlyCollection<string>)[];

    /// <summary>The current key set, or null when none is available. Read once per validation.</summary>
    internal KeySetSnapshot? Current => _snapshot;

    /// <summary>
    /// A provider over a fixed key set (Portkey's "JWKS JSON" mode): <c>{"keys":[…]}</c> with public JWKs.
    /// </summary>
    /// <param name="jwksJson">The JWKS document.</param>
    /// <param name="logger">Receives one warning per skipped key; optional.</param>
    /// <exception cref="ArgumentException">The document is not a JWKS, holds more than <see cref="MaxKeys"/> keys, or no usable key.</exception>
    public static JwksKeyProvider FromJson(string jwksJson, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(jwksJson);
        KeySetSnapshot? snapshot = JwksParser.Parse(
            Encoding.UTF8.GetBytes(jwksJson),
            MaxKeys,
            JwksParser.MinimumRsaKeySize,
            TimeProvider.System.GetUtcNow(),
            logger ?? NullLogger.Instance,
            out string? error);
        return snapshot is null
            ? throw new ArgumentException($"The JWKS cannot be used: {error}.", nameof(jwksJson))
            : new JwksKeyProvider(snapshot);
    }
}
