namespace PortkeyJwt.Cli;

/// <summary>The JWS algorithm names PortkeyJwt verifies (and <c>sign</c> mints): RSA PKCS#1 v1.5, RSA-PSS and ECDSA.</summary>
internal static class Algorithms
{
    /// <summary>The RSA algorithms, for RSA keys.</summary>
    public static readonly string[] Rsa = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

    /// <summary>Every algorithm <c>validate --alg</c> and <c>sign --alg</c> accept.</summary>
    public static readonly string[] All = [.. Rsa, "ES256", "ES384", "ES512"];
}
