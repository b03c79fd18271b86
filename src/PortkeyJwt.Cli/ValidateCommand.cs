using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PortkeyJwt.Cli;

/// <summary>
/// <c>portkey-jwt validate</c>: validates tokens with <see cref="PortkeyJwtValidator"/> against a JWKS file or URL and
/// writes one JSON object per token (JSON Lines). Exit 0 when every token is valid, 1 when any is rejected, 2 on a
/// usage or configuration error (then stdout stays empty).
/// </summary>
/// <remarks>
/// The batch contract, for <c>validate -</c>: line N of stdout is the verdict on line N of stdin, for every line. A blank
/// or whitespace-only line is a <see cref="PortkeyJwtError.Malformed"/> verdict whose detail names the line; input
/// without any line prints nothing and exits 0.
/// </remarks>
internal static partial class ValidateCommand
{
    /// <summary>JSON for a terminal or a pipe, not HTML: only quotes, backslashes and control characters are escaped.</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(CliIo io)
    {
        var jwks = new Option<string>("--jwks") { Description = "The JWKS: an http(s) URL (plain http only to loopback) or a file path. This or --trust is required." };
        var trust = new Option<string>("--trust")
        {
            Description = "A trust file of several issuers, each with its own keys and organisations: "
                + "{\"Issuers\":[{\"Issuer\":…, \"JwksUrls\"|\"Jwks\"|\"JwksFile\":…, \"Organisations\":[…]}, …]}. Replaces --jwks and --issuer.",
        };
        var issuers = new Option<string[]>("--issuer") { Description = "An accepted 'iss' (repeatable); not checked when absent." };
        var audiences = new Option<string[]>("--audience") { Description = "An accepted 'aud' (repeatable); not checked when absent." };
        var scopes = new Option<string[]>("--scope") { Description = "A scope the token must grant (repeatable); a missing one is a 403." };
        var algorithms = new Option<string[]>("--alg")
        {
            Description = "An accepted algorithm (repeatable): RS256, RS384, RS512, PS256…PS512, ES256…ES512. When given, "
                + "exactly these are accepted; when absent, RS256 only. A token rejected for its alg is told the --alg that accepts it.",
        };
        var skew = new Option<int?>("--skew") { Description = "Clock skew tolerated for exp/nbf/iat, in seconds (0 to 300; default 60)." };
        var token = new Argument<string>("token")
        {
            Description = "The token (a 'Bearer ' prefix is ignored), or - to read one token per line from stdin.",
        };
        var command = new Command(
            "validate",
            "Validate tokens against a JWKS and print one JSON verdict per token (JSON Lines). With -, output line N answers "
            + "input line N: a blank line gets a Malformed verdict; input with no lines prints nothing and exits 0.")
        {
            jwks, trust, issuers, audiences, scopes, algorithms, skew, token,
        };
        command.Validators.Add(result =>
        {
            bool hasJwks = result.GetResult(jwks) is not null, hasTrust = result.GetResult(trust) is not null;
            if (hasJwks == hasTrust)
            {
                result.AddError(hasJwks ? "Give --jwks or --trust, not both." : "Option '--jwks' or '--trust' is required.");
            }
            else if (hasTrust && result.GetResult(issuers) is not null)
            {
                result.AddError("--issuer does not apply with --trust: each trust anchor's Issuer is its accepted issuer.");
            }
        });
        command.SetAction((parseResult, cancellationToken) =>
        {
            var options = new PortkeyJwtOptions
            {
                ValidIssuers = parseResult.GetValue(issuers) ?? [],
                ValidAudiences = parseResult.GetValue(audiences) ?? [],
            };
            if (parseResult.GetValue(algorithms) is { Length: > 0 } allowed)
            {
                options.AllowedAlgorithms = allowed; // the exact allowlist; without --alg the library's default (RS256)
            }

            if (parseResult.GetValue(skew) is { } seconds)
            {
                options.ClockSkew = TimeSpan.FromSeconds(seconds);
            }

            if (parseResult.GetValue(trust) is { } trustFile)
            {
                return RunTrustedAsync(io, trustFile, options, parseResult.GetValue(scopes) ?? [], parseResult.GetValue(token)!, cancellationToken);
            }

            return RunAsync(io, parseResult.GetValue(jwks)!, options, parseResult.GetValue(scopes) ?? [], parseResult.GetValue(token)!, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliIo io, string jwks, PortkeyJwtOptions options, string[] requiredScopes, string tokenArgument, CancellationToken cancellationToken)
    {
        PortkeyJwtValidator validator;
        LoadedKeys? loaded = null;
        try
        {
            loaded = await LoadKeysAsync(io, jwks, cancellationToken);
            if (loaded is null)
            {
                return ExitCodes.Usage;
            }

            validator = new PortkeyJwtValidator(loaded.Provider, options, io.Time);
        }
        catch (ArgumentOutOfRangeException e)
        {
            loaded?.Dispose();
            await io.Error.WriteLineAsync($"error: {OptionMessage(e)}");
            return ExitCodes.Usage;
        }

        using (loaded)
        {
            return await ValidateAllAsync(io, validator, loaded.SkippedKeys, options, algorithmHint: true, requiredScopes, tokenArgument, cancellationToken);
        }
    }

    /// <summary>
    /// Validates every token with <paramref name="validator"/>, after warning about each skipped key; the exit code.
    /// <paramref name="algorithmHint"/> is false when <c>--alg</c> is not what decides a token's algorithms (a trust
    /// anchor with its own AllowedAlgorithms), so the hint would name the wrong flag.
    /// </summary>
    private static async Task<int> ValidateAllAsync(
        CliIo io, PortkeyJwtValidator validator, string[] skippedKeys, PortkeyJwtOptions options, bool algorithmHint, string[] requiredScopes, string tokenArgument, CancellationToken cancellationToken)
    {
        foreach (string skipped in skippedKeys)
        {
            await io.Error.WriteLineAsync($"warning: {skipped}");
        }

        string[]? perCall = requiredScopes.Length == 0 ? null : requiredScopes;
        var buffer = new ArrayBufferWriter<byte>(512);
        bool allValid = true;
        await foreach (TokenLine token in TokenInput.ReadAsync(tokenArgument, io.In, cancellationToken))
        {
            // A blank line keeps its place in the output: the library's verdict on an empty token, naming the line.
            PortkeyJwtResult result = await validator.ValidateAsync(token.Text, perCall, cancellationToken);
            allValid &= result.IsValid;
            buffer.ResetWrittenCount();
            Write(buffer, result, algorithmHint || token.IsBlankLine ? Detail(result, token, options.AllowedAlgorithms) : result.Detail);
            await io.Out.WriteLineAsync(Encoding.UTF8.GetString(buffer.WrittenSpan));
        }

        return allValid ? ExitCodes.Ok : ExitCodes.Rejected;
    }

    /// <summary>
    /// The verdict as one JSON object: <c>{"valid":true,"principal":{…}}</c> or
    /// <c>{"valid":false,"error":"Expired","status":401,"detail":"…"}</c>. Absent claims are JSON null; <c>expiresAt</c>
    /// is written by <see cref="TimeText.Instant"/>.
    /// </summary>
    /// <param name="output">Receives the UTF-8 JSON.</param>
    /// <param name="result">The verdict.</param>
    /// <param name="detail">The rejection's <c>detail</c>: <see cref="PortkeyJwtResult.Detail"/>, or the CLI's more specific text.</param>
    internal static void Write(IBufferWriter<byte> output, PortkeyJwtResult result, string detail)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartObject();
        writer.WriteBoolean("valid", result.IsValid);
        if (result.IsValid)
        {
            PortkeyPrincipal p = result.Principal;
            writer.WriteStartObject("principal");
            writer.WriteString("organisationId", p.OrganisationId);
            writer.WriteString("workspaceSlug", p.WorkspaceSlug);
            writer.WriteString("userId", p.UserId);
            writer.WriteString("email", p.Email);
            writer.WriteString("subject", p.Subject);
            writer.WriteString("uid", p.Uid);
            writer.WriteStartArray("scopes");
            foreach (string scope in p.Scopes)
            {
                writer.WriteStringValue(scope);
            }

            writer.WriteEndArray();
            writer.WriteString("expiresAt", TimeText.Instant(p.ExpiresAt));
            writer.WriteString("issuer", p.Issuer);
            writer.WriteString("keyId", p.KeyId);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteString("error", result.Error.ToString());
            writer.WriteNumber("status", result.StatusCode);
            writer.WriteString("detail", detail);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// The verdict's <c>detail</c>: the library's, except that a blank stdin line is named, and an
    /// <see cref="PortkeyJwtError.UnsupportedAlgorithm"/> rejection ends with the token's <c>alg</c> and the <c>--alg</c>
    /// that would accept it (<see cref="AlgorithmHint"/>).
    /// </summary>
    private static string Detail(PortkeyJwtResult result, TokenLine token, IEnumerable<string> allowed) =>
        token.IsBlankLine ? $"Line {token.LineNumber} is empty."
        : result.Error == PortkeyJwtError.UnsupportedAlgorithm ? AlgorithmHint.Append(result.Detail, token.Text, allowed)
        : result.Detail;

    /// <summary>
    /// A <see cref="PortkeyJwtOptions"/> range error in the CLI's terms: "--skew must be from zero to 5 minutes." for the
    /// library's "ClockSkew must be …", which names a property the CLI user never sees; "--alg: Unknown algorithm; …" otherwise.
    /// </summary>
    private static string OptionMessage(ArgumentOutOfRangeException e)
    {
        string flag = OptionName(e.ParamName);
        string message = FirstLine(e.Message);
        return e.ParamName is { Length: > 0 } property && message.StartsWith(property + " ", StringComparison.Ordinal)
            ? flag + message[property.Length..]
            : $"{flag}: {message}";
    }

    private static string OptionName(string? parameter) => parameter switch
    {
        nameof(PortkeyJwtOptions.ClockSkew) => "--skew",
        nameof(PortkeyJwtOptions.AllowedAlgorithms) => "--alg",
        nameof(PortkeyJwtOptions.ValidIssuers) => "--issuer",
        nameof(PortkeyJwtOptions.ValidAudiences) => "--audience",
        nameof(PortkeyJwtOptions.RequiredScopes) => "--scope",
        _ => parameter ?? "option",
    };

    /// <summary>An exception message without the "(Parameter …)" and "Actual value was …" lines .NET appends.</summary>
    internal static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        string line = end < 0 ? message : message[..end];
        int parameter = line.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        return parameter < 0 ? line : line[..parameter];
    }
}
