using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GatewayBench;

/// <summary>
/// Mints the benchmark's tokens with one RSA 2048 key (RS256), each valid for four hours, in the files run.sh cycles:
/// same.txt (one valid token), distinct.txt (N valid tokens, one caller each), badsig.txt (the right kid and a signature
/// by another key) and unknownkid.txt (a kid no key set holds, a different one each).
/// </summary>
internal static class Minting
{
    public static int Run(string[] args)
    {
        string dir = Bench.Option(args, "--out") ?? throw new ArgumentException("mint needs --out DIR");
        int distinct = int.Parse(Bench.Option(args, "--distinct", "20000")!, System.Globalization.CultureInfo.InvariantCulture);
        int flood = int.Parse(Bench.Option(args, "--flood", "2000")!, System.Globalization.CultureInfo.InvariantCulture);
        Directory.CreateDirectory(dir);

        using RSA key = RSA.Create(2048);
        using RSA other = RSA.Create(2048);
        RSAParameters p = key.ExportParameters(includePrivateParameters: false);
        var jwk = new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["kid"] = Bench.KeyId,
            ["n"] = Base64Url.EncodeToString(p.Modulus),
            ["e"] = Base64Url.EncodeToString(p.Exponent),
        };
        File.WriteAllText(System.IO.Path.Combine(dir, "jwks.json"), new JsonObject { ["keys"] = new JsonArray(jwk) }.ToJsonString());

        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Write(dir, "same.txt", 1, i => Sign(key, Bench.KeyId, Claims(now, "same")));
        Write(dir, "distinct.txt", distinct, i => Sign(key, Bench.KeyId, Claims(now, $"caller-{i}")));
        Write(dir, "badsig.txt", flood, i => Sign(other, Bench.KeyId, Claims(now, $"forger-{i}")));
        Write(dir, "unknownkid.txt", flood, i => Sign(other, $"unknown-{i}", Claims(now, $"stranger-{i}")));
        Console.WriteLine($"minted 1 + {distinct} valid, {flood} bad-signature and {flood} unknown-kid tokens into {dir}");
        return 0;
    }

    private static JsonObject Claims(long now, string caller) => new()
    {
        ["iss"] = Bench.Issuer,
        ["aud"] = Bench.Audience,
        ["portkey_oid"] = "org-1",
        ["portkey_workspace"] = "ws-1",
        ["scope"] = "completions.write logs.view",
        ["email_id"] = $"{caller}@example.com",
        ["iat"] = now,
        ["nbf"] = now,
        ["exp"] = now + (4 * 3600),
    };

    private static string Sign(RSA key, string kid, JsonObject claims)
    {
        string header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = kid }));
        string payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        string signingInput = header + "." + payload;
        byte[] signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private static void Write(string dir, string name, int count, Func<int, string> token)
    {
        using var writer = new StreamWriter(System.IO.Path.Combine(dir, name));
        for (int i = 0; i < count; i++)
        {
            writer.Write(token(i));
            writer.Write('\n');
        }
    }
}
