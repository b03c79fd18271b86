using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PortkeyJwt.Internal;

namespace PortkeyJwt.Tests.Vectors;

/// <summary>
/// Finds the third-party test vectors kept in this repository under <c>tests/PortkeyJwt.Tests/Vectors/data</c>, one folder
/// per upstream project, each with a README giving its provenance (commit, sha256 per file) and its licence. When a file
/// is missing the tests that need it fail with a message saying where it was looked for; they never skip.
/// </summary>
internal static class VectorFiles
{
    private static readonly Lazy<string> LazyRoot = new(() => Locate());

    /// <summary>The full path of the <c>data</c> directory; throws when it cannot be found.</summary>
    public static string VectorsDirectory => LazyRoot.Value;

    /// <summary>The full path of one vector file, e.g. <c>PathOf("wycheproof", "rsa_signature_2048_sha256_test.json")</c>.</summary>
    public static string PathOf(params string[] parts)
    {
        string path = Path.Combine([VectorsDirectory, .. parts]);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"The test vector file '{path}' is missing from the test vectors directory.", path);
    }

    /// <summary>Parses one vector file.</summary>
    public static JsonDocument Load(params string[] parts) => JsonDocument.Parse(File.ReadAllBytes(PathOf(parts)));

    /// <summary>
    /// Imports a vector's JWK the way production keys are imported: as the only key of a JWKS passed through
    /// <see cref="JwksParser.Parse"/>, so the key-import policy applies. Returns null when the policy refuses the key;
    /// <paramref name="logger"/> then holds the reason.
    /// </summary>
    public static VerificationKey? ImportThroughPolicy(JsonObject jwk, ILogger logger)
    {
        string kid = jwk["kid"]!.GetValue<string>();
        byte[] jwks = Encoding.UTF8.GetBytes(TestKey.Jwks(jwk));
        KeySetSnapshot? snapshot = JwksParser.Parse(jwks, JwksKeyProvider.MaxKeys, JwksParser.MinimumRsaKeySize, Tokens.Now, logger, out _);
        return snapshot is not null && snapshot.TryGetKey(kid, out VerificationKey key) ? key : null;
    }

    private static string Locate()
    {
        string vectors = Path.Combine(RepoPaths.Root, "tests", "PortkeyJwt.Tests", "Vectors", "data");
        return System.IO.Directory.Exists(vectors)
            ? vectors
            : throw new DirectoryNotFoundException($"The test vectors were not found at '{vectors}' (repository root '{RepoPaths.Root}').");
    }
}
