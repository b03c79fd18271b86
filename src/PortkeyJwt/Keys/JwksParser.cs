using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace PortkeyJwt.Internal;

/// <summary>
/// Turns a JWKS document into a <see cref="KeySetSnapshot"/>. A key that is not usable for signature verification is
/// skipped with one log line; one bad key never fails the set. The document as a whole fails only when it is not a JWKS,
/// holds more keys than allowed, or yields no usable key. Never throws for any input bytes.
/// </summary>
internal static class JwksParser
{
    /// <summary>The smallest RSA modulus the library ever loads, whatever the options say.</summary>
    public const int MinimumRsaKeySize = 2048;

    /// <summary>The largest RSA modulus loaded; bigger keys only make verification slower for an attacker-chosen key.</summary>
    public const int MaximumRsaKeySize = 8192;

    public const int MaxKeyIdLength = 256;

    /// <summary>Nesting allowed in a JWKS document (a JWKS is two levels deep; x5c adds one).</summary>
    private const int MaxDocumentDepth = 16;

    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    /// <summary>For each ROCA test prime p, which residues modulo p are powers of 65537 (the array has p entries).</summary>
    private static readonly bool[][] RocaSubgroups = [.. new[]
    {
        3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73,
        79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
    }.Select(prime =>
    {
        bool[] powers = new bool[prime];
        int power = 1;
        do
        {
            powers[power] = true;
            power = (int)(power * 65537L % prime);
        }
        while (power != 1);
        return powers;
    })];

    /// <summary>
    /// Parses <paramref name="utf8Json"/>; returns null with <paramref name="error"/> set when the document is unusable.
    /// When <paramref name="previous"/> (the set this one replaces) holds an identical key, that key object is reused
    /// rather than imported again.
    /// </summary>
    public static KeySetSnapshot? Parse(ReadOnlyMemory<byte> utf8Json, int maxKeys, int minimumRsaBits, DateTimeOffset now, ILogger logger, out string? error, KeySetSnapshot? previous = null)
    {
        if (!JsonSyntax.IsObject(utf8Json.Span, MaxDocumentDepth))
        {
            error = "the document is not a well-formed JSON object";
            return null;
        }

        using JsonDocument document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = MaxDocumentDepth });
        JsonElement keysElement = default;
        int keysMembers = 0;
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            if (property.NameEquals("keys"u8))
            {
                keysElement = property.Value;
                keysMembers++;
            }
        }

        if (keysMembers != 1 || keysElement.ValueKind != JsonValueKind.Array)
        {
            error = keysMembers > 1 ? "the document has more than one \"keys\" member" : "the document has no \"keys\" array";
            return null;
        }

        int count = keysElement.GetArrayLength();
        if (count > maxKeys)
        {
            error = $"the document holds {count} keys, more than the limit of {maxKeys}";
            return null;
        }

        var accepted = new Dictionary<string, VerificationKey>(StringComparer.Ordinal);
        var ambiguous = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (JsonElement element in keysElement.EnumerateArray())
        {
            VerificationKey? key = TryReadKey(element, minimumRsaBits, previous, out string keyId, out string? reason);
            if (key is null)
            {
                Log.KeySkipped(logger, index, keyId, reason!);
            }
            else if (ambiguous.Contains(key.KeyId))
            {
                // Already known to be ambiguous; stays skipped.
            }
            else if (accepted.TryGetValue(key.KeyId, out VerificationKey? existing))
            {
                if (existing.Material.AsSpan().SequenceEqual(key.Material) && existing.Algorithm == key.Algorithm)
                {
                    Log.DuplicateKeyIgnored(logger, index, key.KeyId);
                }
                else
                {
                    accepted.Remove(key.KeyId);
                    ambiguous.Add(key.KeyId);
                    Log.AmbiguousKeyId(logger, key.KeyId);
                }
            }
            else
            {
                accepted.Add(key.KeyId, key);
            }

            index++;
        }

        if (accepted.Count == 0)
        {
            error = count == 0 ? "the \"keys\" array is empty" : "no key in the set is usable for signature verification";
            return null;
        }

        error = null;
        return new KeySetSnapshot(accepted.Values, now);
    }

    private static VerificationKey? TryReadKey(JsonElement jwk, int minimumRsaBits, KeySetSnapshot? previous, out string keyId, out string? reason)
    {
        keyId = "(none)";
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            reason = "it is not a JSON object";
            return null;
        }

        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty property in jwk.EnumerateObject())
        {
            if (!members.TryAdd(property.Name, property.Value))
            {
                reason = $"member '{property.Name}' appears more than once";
                return null;
            }
        }

        if (!members.TryGetValue("kid", out JsonElement kid) || kid.ValueKind != JsonValueKind.String
            || kid.GetString() is not { Length: > 0 and <= MaxKeyIdLength } kidValue)
        {
            reason = $"it has no 'kid' string of 1 to {MaxKeyIdLength} characters, so no token can name it";
            return null;
        }

        keyId = kidValue;
        foreach (string privateMember in PrivateMembers)
        {
            if (members.ContainsKey(privateMember))
            {
                reason = $"it carries private key material ('{privateMember}'); a JWKS must publish public keys only";
                return null;
            }
        }

        string? kty = GetString(members, "kty");
        if (kty is not ("RSA" or "EC"))
        {
            reason = kty switch
            {
                null => "it has no 'kty' string",
                "oct" => "symmetric keys ('oct') are never accepted",
                _ => $"key type '{kty}' is not supported",
            };
            return null;
        }

        if (members.TryGetValue("use", out JsonElement use) && !(use.ValueKind == JsonValueKind.String && use.ValueEquals("sig"u8)))
        {
            reason = "its 'use' is not 'sig'";
            return null;
        }

        if (members.TryGetValue("key_ops", out JsonElement keyOps) && !AllowsVerify(keyOps))
        {
            reason = "its 'key_ops' is not an array of strings containing 'verify'";
            return null;
        }

        JwsAlgorithm algorithm = JwsAlgorithm.None;
        if (members.TryGetValue("alg", out JsonElement alg))
        {
            algorithm = alg.ValueKind == JsonValueKind.String ? JwsAlgorithms.Parse(alg.GetString().AsSpan()) : JwsAlgorithm.None;
            if (algorithm == JwsAlgorithm.None)
            {
                reason = "its 'alg' is not a supported signature algorithm";
                return null;
            }

            if ((algorithm.Family() == KeyFamily.Rsa) != (kty == "RSA"))
            {
                reason = $"its 'alg' {algorithm.Name()} does not fit key type '{kty}'";
                return null;
            }
        }

        try
        {
            return kty == "RSA"
                ? TryReadRsa(members, keyId, algorithm, minimumRsaBits, previous, out reason)
                : TryReadEc(members, keyId, algorithm, previous, out reason);
        }
        catch (CryptographicException ex)
        {
            reason = $"the key could not be imported ({ex.Message})";
            return null;
        }
    }

    private static VerificationKey? TryReadRsa(Dictionary<string, JsonElement> members, string keyId, JwsAlgorithm algorithm, int minimumRsaBits, KeySetSnapshot? previous, out string? reason)
    {
        byte[]? modulus = DecodeMember(members, "n");
        byte[]? exponent = DecodeMember(members, "e");
        if (modulus is null || exponent is null)
        {
            reason = "'n' and 'e' must be non-empty base64url strings";
            return null;
        }

        if (modulus[0] == 0)
        {
            reason = "its modulus 'n' has a leading zero octet (RFC 7518 §6.3.1.1 requires the minimal encoding)";
            return null;
        }

        int bits = VerificationKey.ModulusBits(modulus);
        if (bits < minimumRsaBits || bits > MaximumRsaKeySize)
        {
            reason = $"its modulus has {bits} bits; keys of {minimumRsaBits} to {MaximumRsaKeySize} bits are accepted";
            return null;
        }

        if ((modulus[^1] & 1) == 0)
        {
            reason = "its modulus 'n' is even";
            return null;
        }

        if (exponent[0] == 0 || exponent.Length > 4 || (exponent[^1] & 1) == 0 || (exponent.Length == 1 && exponent[0] < 3))
        {
            reason = "its public exponent 'e' is not an odd number from 3 to 2^32-1 in minimal encoding";
            return null;
        }

        if (HasRocaFingerprint(modulus))
        {
            reason = "its modulus has the ROCA fingerprint (CVE-2017-15361): its private key can be recovered from it";
            return null;
        }

        reason = null;
        return Reuse(previous, keyId, algorithm, VerificationKey.RsaMaterial(modulus, exponent))
            ?? VerificationKey.FromRsa(keyId, algorithm, modulus, exponent);
    }

    private static VerificationKey? TryReadEc(Dictionary<string, JsonElement> members, string keyId, JwsAlgorithm algorithm, KeySetSnapshot? previous, out string? reason)
    {
        string? curve = GetString(members, "crv");
        int fieldBytes = curve switch { "P-256" => 32, "P-384" => 48, "P-521" => 66, _ => 0 };
        if (fieldBytes == 0)
        {
            reason = "its 'crv' is not P-256, P-384 or P-521";
            return null;
        }

        if (algorithm != JwsAlgorithm.None && algorithm.RequiredCurve() != curve)
        {
            reason = $"its 'alg' {algorithm.Name()} does not fit curve {curve}";
            return null;
        }

        byte[]? x = DecodeMember(members, "x");
        byte[]? y = DecodeMember(members, "y");
        if (x is null || y is null || x.Length != fieldBytes || y.Length != fieldBytes)
        {
            reason = $"'x' and 'y' must be base64url strings of exactly {fieldBytes} bytes for {curve}";
            return null;
        }

        reason = null;
        return Reuse(previous, keyId, algorithm, VerificationKey.EcMaterial(curve!, x, y))
            ?? VerificationKey.FromEc(keyId, algorithm, curve!, x, y);
    }

    /// <summary>
    /// The ROCA test (Nemec et al., CCS 2017; CVE-2017-15361): Infineon's flawed generator made primes of the form
    /// k·M + (65537^a mod M), so such a modulus, reduced modulo each small prime p below, always lies in the subgroup 65537
    /// generates modulo p. A random modulus passes all 38 tests with negligible probability.
    /// </summary>
    private static bool HasRocaFingerprint(ReadOnlySpan<byte> modulus)
    {
        foreach (bool[] subgroup in RocaSubgroups)
        {
            int prime = subgroup.Length, remainder = 0;
            foreach (byte b in modulus)
            {
                remainder = ((remainder << 8) | b) % prime;
            }

            if (!subgroup[remainder])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The previous set's key when it is identical, so a refresh keeps key objects (and the results they verified).</summary>
    private static VerificationKey? Reuse(KeySetSnapshot? previous, string keyId, JwsAlgorithm algorithm, byte[] material) =>
        previous is not null && previous.TryGetKey(keyId, out VerificationKey key) && key.IsSameAs(keyId, algorithm, material) ? key : null;

    private static bool AllowsVerify(JsonElement keyOps)
    {
        if (keyOps.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        bool verify = false;
        foreach (JsonElement op in keyOps.EnumerateArray())
        {
            if (op.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            verify |= op.ValueEquals("verify"u8);
        }

        return verify;
    }

    private static string? GetString(Dictionary<string, JsonElement> members, string name) =>
        members.TryGetValue(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? DecodeMember(Dictionary<string, JsonElement> members, string name) =>
        GetString(members, name) is { } encoded ? Base64UrlStrict.DecodeToArray(encoded) : null;
}
