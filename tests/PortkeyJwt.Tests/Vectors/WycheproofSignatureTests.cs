using System.Text.Json;
using PortkeyJwt.Internal;
using PortkeyJwt.Tests.Keys;
using Xunit.Abstractions;

namespace PortkeyJwt.Tests.Vectors;

/// <summary>
/// Project Wycheproof signature vectors (Vectors/data/wycheproof, see its README.md) run through the
/// signature-verification layer: each group's JWK is imported through the JWKS key policy, then every vector's raw
/// message and signature go to <see cref="VerificationKey.Verify"/>. "valid" must verify, "invalid" must not, and
/// "acceptable" must not either (our documented choice: reject). Verify must return false, never throw, for any bytes.
/// </summary>
public sealed class WycheproofSignatureTests(ITestOutputHelper output)
{
    /// <summary>
    /// Groups whose key our import policy refuses, by file and group index, with the reason. A listed group must be
    /// refused (and its vectors are counted, not run); every other group's key must load.
    /// </summary>
    /// <remarks>
    /// Empty on purpose. The policy loads RSA keys of 2048 to 8192 bits with an odd exponent of at least 3 and P-256
    /// points on the curve, which covers every key in these files, including the e = 3 groups (README quirk 7:
    /// groups 1 and 2 of the 2048-bit PKCS#1 file, group 1 of the 3072-bit file); <see cref="ExponentThreeGroups_AreLoadedByPolicy"/>
    /// pins that. If the policy ever tightens, list the refused groups here with the rule that refuses them.
    /// </remarks>
    private static readonly Dictionary<(string File, int Group), string> RefusedByPolicy = [];

    /// <summary>Each file with its algorithm and the label counts its README records (valid / acceptable / invalid).</summary>
    public static TheoryData<string, string, int, int, int> Files => new()
    {
        { "rsa_signature_2048_sha256_test.json", "RS256", 9, 1, 249 },
        { "rsa_signature_3072_sha256_test.json", "RS256", 8, 1, 250 },
        { "rsa_signature_4096_sha256_test.json", "RS256", 7, 1, 250 },
        { "rsa_pss_2048_sha256_mgf1_32_test.json", "PS256", 63, 0, 45 },
        { "rsa_pss_3072_sha256_mgf1_32_test.json", "PS256", 63, 0, 45 },
        { "rsa_pss_4096_sha256_mgf1_32_test.json", "PS256", 63, 0, 45 },
        { "ecdsa_secp256r1_sha256_p1363_test.json", "ES256", 173, 0, 89 },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryVector_VerifiesExactlyWhenLabelledValid(string file, string algorithmName, int valid, int acceptable, int invalid)
    {
        JwsAlgorithm algorithm = JwsAlgorithms.Parse(algorithmName.AsSpan());
        using JsonDocument document = VectorFiles.Load("wycheproof", file);
        JsonElement root = document.RootElement;

        var failures = new List<string>();
        var labels = new Dictionary<string, int>(StringComparer.Ordinal) { ["valid"] = 0, ["acceptable"] = 0, ["invalid"] = 0 };
        int run = 0, refused = 0, groupIndex = 0;
        foreach (JsonElement group in root.GetProperty("testGroups").EnumerateArray())
        {
            JsonElement tests = group.GetProperty("tests");
            foreach (JsonElement test in tests.EnumerateArray())
            {
                labels[test.GetProperty("result").GetString()!]++;
            }

            var logger = new CapturingLogger();
            VerificationKey? key = VectorFiles.ImportThroughPolicy(GroupJwk(group, $"wycheproof-{groupIndex}"), logger);
            if (RefusedByPolicy.TryGetValue((file, groupIndex), out string? rule))
            {
                if (key is not null)
                {
                    failures.Add($"group {groupIndex}: listed as refused by policy ({rule}) but its key loaded");
                }

                refused += tests.GetArrayLength();
            }
            else if (key is null)
            {
                failures.Add($"group {groupIndex}: key refused by the import policy: {logger}");
            }
            else if (!key.IsUsableFor(algorithm, JwksParser.MinimumRsaKeySize))
            {
                failures.Add($"group {groupIndex}: key loaded but is not usable for {algorithmName}");
            }
            else
            {
                foreach (JsonElement test in tests.EnumerateArray())
                {
                    run++;
                    CheckVector(key, algorithm, test, failures);
                }
            }

            groupIndex++;
        }

        output.WriteLine($"{file}: {run} vectors run ({labels["valid"]} valid, {labels["acceptable"]} acceptable, {labels["invalid"]} invalid), {refused} in groups refused by policy.");
        Assert.True(failures.Count == 0, $"{file}: {failures.Count} failure(s):{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
        Assert.Equal(root.GetProperty("numberOfTests").GetInt32(), run + refused);
        Assert.Equal((valid, acceptable, invalid), (labels["valid"], labels["acceptable"], labels["invalid"]));
    }

    /// <summary>README quirk 7: our policy allows odd e ≥ 3, so the e = 3 groups load and their "valid" signatures verify.</summary>
    [Theory]
    [InlineData("rsa_signature_2048_sha256_test.json", 2)]
    [InlineData("rsa_signature_3072_sha256_test.json", 1)]
    public void ExponentThreeGroups_AreLoadedByPolicy(string file, int expectedGroups)
    {
        using JsonDocument document = VectorFiles.Load("wycheproof", file);
        JsonElement[] groups = [.. document.RootElement.GetProperty("testGroups").EnumerateArray()
            .Where(g => g.GetProperty("keyJwk").GetProperty("e").ValueEquals("Aw"u8))];

        Assert.Equal(expectedGroups, groups.Length);
        foreach (JsonElement group in groups)
        {
            var logger = new CapturingLogger();
            VerificationKey? key = VectorFiles.ImportThroughPolicy(GroupJwk(group, "e3"), logger);
            Assert.True(key is not null, logger.ToString());
            Assert.Empty(logger.Entries);
            foreach (JsonElement test in group.GetProperty("tests").EnumerateArray())
            {
                Assert.Equal("valid", test.GetProperty("result").GetString());
                Assert.True(key.Verify(JwsAlgorithm.RS256, Hex(test, "msg"), Hex(test, "sig")), $"tcId {test.GetProperty("tcId").GetInt32()}");
            }
        }
    }

    private static void CheckVector(VerificationKey key, JwsAlgorithm algorithm, JsonElement test, List<string> failures)
    {
        int tcId = test.GetProperty("tcId").GetInt32();
        string result = test.GetProperty("result").GetString()!;
        string describe = $"tcId {tcId} ({result}; {string.Join(",", test.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}; {test.GetProperty("comment").GetString()})";

        bool verified;
        try
        {
            verified = key.Verify(algorithm, Hex(test, "msg"), Hex(test, "sig"));
        }
        catch (Exception ex) // any exception is a failure: Verify must return false, never throw
        {
            failures.Add($"{describe}: Verify threw {ex.GetType().Name}: {ex.Message}");
            return;
        }

        // "acceptable" (only tcId 8, MissingNull, in the PKCS#1 files: a DigestInfo without the NULL parameters) may go
        // either way per Wycheproof. Our documented choice is the strict one: reject.
        bool expected = result == "valid";
        if (verified != expected)
        {
            failures.Add($"{describe}: {(verified ? "verified" : "did not verify")}");
        }
    }

    /// <summary>
    /// The group's JWK (<c>keyJwk</c> or <c>publicKeyJwk</c>) with our own <c>kid</c>. Nine groups near the end of the
    /// P1363 file carry no JWK, only <c>publicKey.wx/wy</c> (hex integers); for those the P-256 JWK is built from the
    /// coordinates, left-padded to 32 bytes.
    /// </summary>
    private static JsonObject GroupJwk(JsonElement group, string kid)
    {
        JsonObject jwk;
        if (group.TryGetProperty("keyJwk", out JsonElement element) || group.TryGetProperty("publicKeyJwk", out element))
        {
            jwk = JsonNode.Parse(element.GetRawText())!.AsObject();
        }
        else
        {
            JsonElement publicKey = group.GetProperty("publicKey");
            Assert.Equal("secp256r1", publicKey.GetProperty("curve").GetString());
            jwk = new JsonObject
            {
                ["kty"] = "EC",
                ["crv"] = "P-256",
                ["x"] = TestKey.B64(Coordinate(publicKey.GetProperty("wx").GetString()!)),
                ["y"] = TestKey.B64(Coordinate(publicKey.GetProperty("wy").GetString()!)),
            };
        }

        jwk["kid"] = kid;
        return jwk;
    }

    private static byte[] Coordinate(string hex)
    {
        byte[] value = Convert.FromHexString(hex.Length % 2 == 0 ? hex : "0" + hex).AsSpan().TrimStart((byte)0).ToArray();
        Assert.True(value.Length <= 32, $"coordinate {hex} is longer than a P-256 field element");
        return [.. new byte[32 - value.Length], .. value];
    }

    private static byte[] Hex(JsonElement test, string name) => Convert.FromHexString(test.GetProperty(name).GetString()!);
}
