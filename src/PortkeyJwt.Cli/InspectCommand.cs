using System.Buffers;
using System.Buffers.Text;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PortkeyJwt.Cli;

/// <summary>
/// <c>portkey-jwt inspect</c>: decodes a token's header and claims WITHOUT verifying anything, for debugging. The output
/// starts with <c>UNVERIFIED</c>; the signature is never printed, only its length. Exit 1 when a token cannot be decoded.
/// </summary>
/// <remarks>
/// With <c>-</c>, every line of stdin is answered in order: a report on stdout whose first line is
/// <c>UNVERIFIED (line N): …</c>, or one <c>error: line N …</c> line on stderr for a line that is blank or not a token
/// (then the exit code is 1). Input with no lines prints nothing and exits 0.
/// </remarks>
internal static class InspectCommand
{
    /// <summary>The longest token decoded, the validator's own upper bound for <see cref="PortkeyJwtOptions.MaxTokenLength"/>.</summary>
    private const int MaxTokenLength = 256 * 1024;

    private static readonly JsonWriterOptions PrettyOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(CliIo io)
    {
        var token = new Argument<string>("token") { Description = "The token (a 'Bearer ' prefix is ignored), or - to read one token per line from stdin." };
        var command = new Command(
            "inspect",
            "Decode a token's header and claims WITHOUT verifying the signature (for debugging only). With -, every input line "
            + "gets a report naming its line, or an error line on stderr when it is blank or not a token.")
        {
            token,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            int code = ExitCodes.Ok;
            int printed = 0;
            await foreach (TokenLine line in TokenInput.ReadAsync(parseResult.GetValue(token)!, io.In, cancellationToken))
            {
                string subject = line.FromStdin ? $"line {line.LineNumber}" : "the token";
                if (line.IsBlankLine)
                {
                    await io.Error.WriteLineAsync($"error: {subject} is empty.");
                    code = ExitCodes.Rejected;
                    continue;
                }

                if (!TryDecode(line.Text, out Decoded? decoded, out string? error))
                {
                    await io.Error.WriteLineAsync($"error: {subject} is not a JWS compact token: {error}.");
                    code = ExitCodes.Rejected;
                    continue;
                }

                if (printed++ > 0)
                {
                    await io.Out.WriteLineAsync();
                }

                using (decoded)
                {
                    await io.Out.WriteAsync(Describe(decoded, io.Time.GetUtcNow(), line.FromStdin ? line.LineNumber : null));
                }
            }

            return code;
        });
        return command;
    }

    /// <summary>The report for one decoded token; <paramref name="lineNumber"/> names its stdin line in the first line.</summary>
    internal static string Describe(Decoded token, DateTimeOffset now, int? lineNumber)
    {
        var text = new StringBuilder();
        text.Append("UNVERIFIED");
        if (lineNumber is { } number)
        {
            text.Append(CultureInfo.InvariantCulture, $" (line {number})");
        }

        text.AppendLine(": the signature was not checked; do not trust these values.");
        text.AppendLine("Header:");
        text.AppendLine(Pretty(token.Header));
        text.AppendLine("Claims:");
        text.AppendLine(Pretty(token.Payload));
        foreach ((string name, string future, string past) in (ReadOnlySpan<(string, string, string)>)[("exp", "expires in {0}", "expired {0} ago"), ("nbf", "not valid for another {0}", "valid since {0} ago"), ("iat", "issued {0} in the future", "issued {0} ago")])
        {
            if (token.Payload.RootElement.TryGetProperty(name, out JsonElement value))
            {
                text.Append(CultureInfo.InvariantCulture, $"{name}: ").AppendLine(DescribeTime(value, now, future, past));
            }
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Signature: {token.SignatureLength} bytes (not shown)");
        return text.ToString();
    }

    private static string DescribeTime(JsonElement value, DateTimeOffset now, string future, string past)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double seconds) || double.IsNaN(seconds)
            || seconds < -62_135_596_800 || seconds > 253_402_300_799)
        {
            return $"{value.GetRawText()} (not a NumericDate)";
        }

        DateTimeOffset instant = DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
        TimeSpan delta = instant - now;
        string relative = string.Format(CultureInfo.InvariantCulture, delta > TimeSpan.Zero ? future : past, TimeText.Duration(delta));
        return $"{TimeText.Instant(instant)} ({relative})";
    }

    private static string Pretty(JsonDocument document)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, PrettyOptions))
        {
            document.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Splits and decodes <paramref name="token"/>; on failure <paramref name="error"/> says what is wrong (never quoting the token).</summary>
    internal static bool TryDecode(string token, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Decoded? decoded, out string? error)
    {
        decoded = null;
        if (token.Length > MaxTokenLength)
        {
            error = $"longer than {MaxTokenLength} characters";
            return false;
        }

        string[] parts = token.Split('.');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            error = "expected three dot-separated segments (header.payload.signature)";
            return false;
        }

        JsonDocument? header = null;
        if (!TryDecodeSegment(parts[0], out byte[] headerBytes) || !TryParseObject(headerBytes, out header))
        {
            error = "the header is not a base64url-encoded JSON object";
            return false;
        }

        if (!TryDecodeSegment(parts[1], out byte[] payloadBytes) || !TryParseObject(payloadBytes, out JsonDocument? payload))
        {
            header.Dispose();
            error = "the payload is not a base64url-encoded JSON object";
            return false;
        }

        if (!TryDecodeSegment(parts[2], out byte[] signature))
        {
            header.Dispose();
            payload.Dispose();
            error = "the signature is not base64url";
            return false;
        }

        decoded = new Decoded(header, payload, signature.Length);
        error = null;
        return true;
    }

    /// <summary>Strict base64url: only the URL-safe alphabet, no padding or whitespace, no impossible length.</summary>
    private static bool TryDecodeSegment(string segment, out byte[] bytes)
    {
        bytes = [];
        if (segment.Length % 4 == 1 || segment.AsSpan().ContainsAnyExcept(Base64UrlAlphabet))
        {
            return false;
        }

        byte[] buffer = new byte[Base64Url.GetMaxDecodedLength(segment.Length)];
        if (Base64Url.DecodeFromChars(segment, buffer, out _, out int written) != OperationStatus.Done)
        {
            return false;
        }

        bytes = written == buffer.Length ? buffer : buffer[..written];
        return true;
    }

    private static bool TryParseObject(byte[] json, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JsonDocument? document)
    {
        document = null;
        try
        {
            var parsed = JsonDocument.Parse(json);
            if (parsed.RootElement.ValueKind == JsonValueKind.Object)
            {
                document = parsed;
                return true;
            }

            parsed.Dispose();
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static readonly SearchValues<char> Base64UrlAlphabet = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>A decoded token: header and payload documents and the signature's length in bytes.</summary>
    internal sealed class Decoded(JsonDocument header, JsonDocument payload, int signatureLength) : IDisposable
    {
        public JsonDocument Header { get; } = header;

        public JsonDocument Payload { get; } = payload;

        public int SignatureLength { get; } = signatureLength;

        public void Dispose()
        {
            Header.Dispose();
            Payload.Dispose();
        }
    }
}
