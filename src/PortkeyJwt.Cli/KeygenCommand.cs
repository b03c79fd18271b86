using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PortkeyJwt.Cli;

/// <summary>
/// <c>portkey-jwt keygen</c>: creates a signing key for local testing: <c>DIR/private.pem</c> (PKCS#8, file mode 0600
/// from creation on Unix) and <c>DIR/jwks.json</c> holding only the public key. Never overwrites without <c>--force</c>.
/// </summary>
internal static class KeygenCommand
{
    public const string PrivateKeyFile = "private.pem";
    public const string JwksFileName = "jwks.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create(CliIo io)
    {
        var kid = new Option<string>("--kid") { Description = "The key id; default a short random id." };
        var bits = new Option<int>("--bits")
        {
            Description = "RSA modulus size: 2048, 3072 or 4096 (ignored for ES256).",
            DefaultValueFactory = _ => 2048,
            CustomParser = result => // a validator reading GetValueOrDefault would throw on a non-number
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value is 2048 or 3072 or 4096)
                {
                    return value;
                }

                result.AddError($"--bits must be 2048, 3072 or 4096, not '{text}'.");
                return 0;
            },
        };
        var algorithm = new Option<string>("--alg") { Description = "The algorithm the key is for.", DefaultValueFactory = _ => "RS256" };
        algorithm.AcceptOnlyFromAmong("RS256", "PS256", "ES256");
        var output = new Option<DirectoryInfo>("--out") { Description = "The directory to write private.pem and jwks.json to; created if needed.", Required = true };
        var force = new Option<bool>("--force") { Description = "Overwrite existing files." };
        var command = new Command("keygen", "Create a signing key: DIR/private.pem (mode 0600) and DIR/jwks.json (public key only).")
        {
            kid, bits, algorithm, output, force,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            io,
            parseResult.GetValue(kid) ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
            parseResult.GetValue(bits),
            parseResult.GetValue(algorithm)!,
            parseResult.GetValue(output)!,
            parseResult.GetValue(force),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliIo io, string kid, int bits, string algorithm, DirectoryInfo directory, bool force, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(kid))
        {
            await io.Error.WriteLineAsync("error: --kid must not be empty.");
            return ExitCodes.Usage;
        }

        string keyPath = Path.Combine(directory.FullName, PrivateKeyFile);
        string jwksPath = Path.Combine(directory.FullName, JwksFileName);
        if (!force && (File.Exists(keyPath) || File.Exists(jwksPath)))
        {
            await io.Error.WriteLineAsync($"error: {(File.Exists(keyPath) ? keyPath : jwksPath)} exists; use --force to overwrite it.");
            return ExitCodes.Usage;
        }

        using AsymmetricAlgorithm key = algorithm == "ES256" ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(bits);
        var signer = new TestTokenSigner(key, kid, algorithm);
        string jwks = new JsonObject { ["keys"] = new JsonArray(signer.PublicJwk()) }.ToJsonString(Indented) + Environment.NewLine;
        string pem = key.ExportPkcs8PrivateKeyPem();
        try
        {
            directory.Create();
            await WriteNewFileAsync(keyPath, pem, privateFile: true, cancellationToken);
            await WriteNewFileAsync(jwksPath, jwks, privateFile: false, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await io.Error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.Usage;
        }

        await io.Out.WriteLineAsync($"Wrote {keyPath} (private, mode 0600) and {jwksPath} (public): kid {kid}, {algorithm}{(key is RSA ? $", {bits} bits" : ", P-256")}.");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Writes <paramref name="path"/> as a new file; an existing one (only reached with --force) is deleted first so the
    /// private key's mode is set at creation, never loosened by an older file's.
    /// </summary>
    private static async Task WriteNewFileAsync(string path, string content, bool privateFile, CancellationToken cancellationToken)
    {
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = privateFile
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        await using var stream = new FileStream(path, options);
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync(content.AsMemory(), cancellationToken);
    }
}
