using System.CommandLine;
using System.CommandLine.Parsing;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PortkeyJwt.Cli;

/// <summary>
/// <c>portkey-jwt sign</c>: mints a test token in Portkey's shape with a local private key (from <c>keygen</c>).
/// Claims are assembled in layers, each overriding the one before: <c>iat</c>/<c>nbf</c>/<c>exp</c> from the clock and
/// <c>--ttl</c>; the <c>--claims</c> file; each <c>--claim</c>; then the named flags (<c>--org</c>, <c>--scope</c>,
/// <c>--ttl</c> when given, …), so explicit flags always win over the file.
/// </summary>
internal static class SignCommand
{
    private const long MaxClaimsFileBytes = 1024 * 1024;
    private const long MaxKeyFileBytes = 64 * 1024;

    /// <summary>Claims the validator requires, each with its alias and the flag that sets it.</summary>
    private static readonly (string Claim, string Alias, string Flag)[] RequiredClaims =
        [("portkey_oid", "organisation_id", "--org"), ("portkey_workspace", "workspace_slug", "--workspace"), ("scope", "scopes", "--scope")];

    public static Command Create(CliIo io)
    {
        var key = new Option<FileInfo>("--key") { Description = "The PKCS#8 (or PKCS#1/SEC 1) PEM private key, e.g. from keygen.", Required = true };
        var kid = new Option<string>("--kid") { Description = "The key id put in the header; must match the JWKS.", Required = true };
        var algorithm = new Option<string>("--alg") { Description = "The algorithm; default from the key: RSA → RS256, P-256 → ES256, P-384 → ES384, P-521 → ES512." };
        algorithm.AcceptOnlyFromAmong(Algorithms.All);
        var org = new Option<string>("--org") { Description = "The organisation (portkey_oid)." };
        var workspace = new Option<string>("--workspace") { Description = "The workspace (portkey_workspace)." };
        var scopes = new Option<string[]>("--scope") { Description = "A granted scope (repeatable); written as one space-separated 'scope' string." };
        var subject = new Option<string>("--sub") { Description = "The user as 'sub'." };
        var email = new Option<string>("--email") { Description = "The user as 'email_id'." };
        var uid = new Option<string>("--uid") { Description = "The user as 'uid'." };
        var ttl = new Option<Lifetime>("--ttl")
        {
            Description = "Lifetime: exp = now + ttl. A whole number and s, m, h or d (30s, 15m, 1h, 2d), from -366d to 366d; "
                + "0s mints a token that expires now, a negative one (-5m) a token that has already expired.",
            DefaultValueFactory = _ => new Lifetime(TimeSpan.FromHours(1)),
            CustomParser = ParseLifetime,
        };
        var issuer = new Option<string>("--issuer") { Description = "The 'iss' claim." };
        var audiences = new Option<string[]>("--audience") { Description = "An 'aud' value (repeatable): one is written as a string, several as an array." };
        var claim = new Option<string[]>("--claim") { Description = "An extra claim name=value (repeatable); the value is JSON when it parses (42, true, [\"a\"], {…}), else a string." };
        claim.Validators.Add(ValidateClaimPairs);
        var claimsFile = new Option<FileInfo>("--claims") { Description = "A JSON object file whose members are merged into the claims; flags win over it." };
        var command = new Command("sign", "Mint a test token in Portkey's shape with a local private key and print it.")
        {
            key, kid, algorithm, org, workspace, scopes, subject, email, uid, ttl, issuer, audiences, claim, claimsFile,
        };
        command.Validators.Add(result =>
        {
            int users = (result.GetResult(subject) is null ? 0 : 1) + (result.GetResult(email) is null ? 0 : 1) + (result.GetResult(uid) is null ? 0 : 1);
            if (users > 1)
            {
                result.AddError("Give at most one of --sub, --email and --uid.");
            }
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using AsymmetricAlgorithm? signingKey = await LoadKeyAsync(io, parseResult.GetValue(key)!, cancellationToken);
            if (signingKey is null)
            {
                return ExitCodes.Usage;
            }

            string? chosen = ChooseAlgorithm(signingKey, parseResult.GetValue(algorithm), out string? algorithmError);
            if (chosen is null)
            {
                await io.Error.WriteLineAsync($"error: {algorithmError}");
                return ExitCodes.Usage;
            }

            long now = io.Time.GetUtcNow().ToUnixTimeSeconds();
            long exp = now + (long)parseResult.GetValue(ttl).Value.TotalSeconds;
            var claims = new JsonObject { ["iat"] = now, ["nbf"] = now, ["exp"] = exp };
            if (parseResult.GetValue(claimsFile) is { } file && !await MergeFileAsync(io, claims, file, cancellationToken))
            {
                return ExitCodes.Usage;
            }

            foreach (string pair in parseResult.GetValue(claim) ?? [])
            {
                int equals = pair.IndexOf('=', StringComparison.Ordinal);
                claims[pair[..equals]] = ParseClaimValue(pair[(equals + 1)..]);
            }

            if (parseResult.GetResult(ttl) is { Implicit: false })
            {
                claims["exp"] = exp;
            }

            SetIfGiven(claims, "iss", parseResult.GetValue(issuer));
            switch (parseResult.GetValue(audiences))
            {
                case [string single]:
                    claims["aud"] = single;
                    break;
                case { Length: > 1 } several:
                    claims["aud"] = new JsonArray([.. several.Select(a => JsonValue.Create(a))]);
                    break;
            }

            SetIfGiven(claims, "portkey_oid", parseResult.GetValue(org));
            SetIfGiven(claims, "portkey_workspace", parseResult.GetValue(workspace));
            SetIfGiven(claims, "sub", parseResult.GetValue(subject));
            SetIfGiven(claims, "email_id", parseResult.GetValue(email));
            SetIfGiven(claims, "uid", parseResult.GetValue(uid));
            if (parseResult.GetValue(scopes) is { Length: > 0 } granted)
            {
                claims["scope"] = string.Join(' ', granted);
            }

            await WarnAboutMissingClaimsAsync(io, claims);
            await io.Out.WriteLineAsync(new TestTokenSigner(signingKey, parseResult.GetValue(kid)!, chosen).Sign(claims));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A <c>--claim</c> value: the JSON it spells when it is valid JSON (number, boolean, null, string, array, object), else the text itself.</summary>
    internal static JsonNode? ParseClaimValue(string value)
    {
        try
        {
            return JsonNode.Parse(value);
        }
        catch (JsonException)
        {
            return JsonValue.Create(value);
        }
    }

    private static Lifetime ParseLifetime(ArgumentResult result)
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (TimeText.TryParseLifetime(text, out TimeSpan lifetime))
        {
            return new Lifetime(lifetime);
        }

        result.AddError($"--ttl '{text}' is not a lifetime: use a whole number and s, m, h or d (30s, 15m, 1h, 2d, 0s, -5m), from -366d to 366d.");
        return default;
    }

    private static void ValidateClaimPairs(OptionResult result)
    {
        foreach (Token token in result.Tokens)
        {
            if (token.Value.IndexOf('=', StringComparison.Ordinal) <= 0)
            {
                result.AddError($"--claim '{token.Value}' must be name=value.");
            }
        }
    }

    private static void SetIfGiven(JsonObject claims, string name, string? value)
    {
        if (value is not null)
        {
            claims[name] = value;
        }
    }

    private static async Task<bool> MergeFileAsync(CliIo io, JsonObject claims, FileInfo file, CancellationToken cancellationToken)
    {
        string? text = await JwksFile.TryReadAsync(io, file.FullName, MaxClaimsFileBytes, cancellationToken);
        if (text is null)
        {
            return false;
        }

        JsonObject? members;
        try
        {
            members = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            members = null;
        }

        if (members is null)
        {
            await io.Error.WriteLineAsync($"error: {file.FullName} is not a JSON object.");
            return false;
        }

        foreach ((string name, JsonNode? value) in members.ToArray())
        {
            members.Remove(name);
            claims[name] = value;
        }

        return true;
    }

    /// <summary>A warning (not an error: tests need such tokens) when the token lacks a claim the validator requires.</summary>
    private static async Task WarnAboutMissingClaimsAsync(CliIo io, JsonObject claims)
    {
        foreach ((string claim, string alias, string flag) in RequiredClaims)
        {
            if (!claims.ContainsKey(claim) && !claims.ContainsKey(alias))
            {
                await io.Error.WriteLineAsync($"warning: no '{claim}' claim ({flag}); PortkeyJwtValidator will reject the token as MissingClaim.");
            }
        }
    }

    /// <summary>The algorithm to sign with: <paramref name="requested"/> when it fits the key, else the key's natural one.</summary>
    private static string? ChooseAlgorithm(AsymmetricAlgorithm key, string? requested, out string? error)
    {
        error = null;
        if (key is RSA)
        {
            if (requested is null || Algorithms.Rsa.Contains(requested))
            {
                return requested ?? "RS256";
            }

            error = $"--alg {requested} does not fit an RSA key; use one of {string.Join(", ", Algorithms.Rsa)}.";
            return null;
        }

        string natural = key.KeySize switch { 256 => "ES256", 384 => "ES384", _ => "ES512" };
        if (requested is null || requested == natural)
        {
            return natural;
        }

        error = $"--alg {requested} does not fit this EC key (P-{key.KeySize}); it signs {natural}.";
        return null;
    }

    /// <summary>Loads an RSA or EC private key from PEM, or writes why not to stderr and returns null.</summary>
    private static async Task<AsymmetricAlgorithm?> LoadKeyAsync(CliIo io, FileInfo file, CancellationToken cancellationToken)
    {
        string? pem = await JwksFile.TryReadAsync(io, file.FullName, MaxKeyFileBytes, cancellationToken);
        if (pem is null)
        {
            return null;
        }

        AsymmetricAlgorithm? key = TryImport(pem, out string? error);
        if (key is null)
        {
            await io.Error.WriteLineAsync($"error: {file.FullName}: {error}.");
        }

        return key;
    }

    internal static AsymmetricAlgorithm? TryImport(string pem, out string? error)
    {
        error = null;
        if (!PemEncoding.TryFind(pem, out PemFields fields))
        {
            error = "no PEM block found";
            return null;
        }

        string label = pem[fields.Label];
        bool? isRsa = label switch
        {
            "RSA PRIVATE KEY" => true,
            "EC PRIVATE KEY" => false,
            "PRIVATE KEY" => Pkcs8IsRsa(pem.AsSpan(fields.Base64Data), fields.DecodedDataLength),
            _ => null,
        };
        if (isRsa is null)
        {
            error = label == "ENCRYPTED PRIVATE KEY"
                ? "encrypted private keys are not supported; export it unencrypted for local testing"
                : $"expected an unencrypted RSA or EC private key, found '{label}'";
            return null;
        }

        AsymmetricAlgorithm key = isRsa.Value ? RSA.Create() : ECDsa.Create();
        try
        {
            if (key is RSA rsa)
            {
                rsa.ImportFromPem(pem);
            }
            else
            {
                ((ECDsa)key).ImportFromPem(pem);
            }
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            error = $"cannot import the private key: {e.Message}";
            return null;
        }

        return key;
    }

    /// <summary>Whether a PKCS#8 PrivateKeyInfo holds an RSA key (true), an EC key (false), or neither/garbage (null).</summary>
    private static bool? Pkcs8IsRsa(ReadOnlySpan<char> base64, int length)
    {
        byte[] der = new byte[length];
        try
        {
            if (!Convert.TryFromBase64Chars(base64, der, out int written))
            {
                return null;
            }

            var info = new AsnReader(der.AsMemory(0, written), AsnEncodingRules.BER).ReadSequence();
            _ = info.ReadInteger();
            string oid = info.ReadSequence().ReadObjectIdentifier();
            return oid switch
            {
                "1.2.840.113549.1.1.1" or "1.2.840.113549.1.1.10" => true, // rsaEncryption, RSASSA-PSS
                "1.2.840.10045.2.1" => false, // id-ecPublicKey
                _ => null,
            };
        }
        catch (AsnContentException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }
}
