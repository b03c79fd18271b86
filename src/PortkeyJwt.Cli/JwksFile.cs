using System.Text;

namespace PortkeyJwt.Cli;

/// <summary>Reads a JWKS (or other small text) file with a size cap, reporting failures as one line on stderr.</summary>
internal static class JwksFile
{
    /// <summary>The file's text, or null after writing why it cannot be read to <see cref="CliIo.Error"/>.</summary>
    public static async Task<string?> TryReadAsync(CliIo io, string path, long maxBytes, CancellationToken cancellationToken)
    {
        string? error;
        if (Directory.Exists(path))
        {
            // FileStream would say "Access to the path is denied" on Unix, which sends people looking at permissions.
            error = "it is a directory, not a file";
        }
        else
        {
            try
            {
                await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, useAsync: true);
                if (stream.Length > maxBytes)
                {
                    error = $"larger than {maxBytes} bytes";
                }
                else
                {
                    using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
                    return await reader.ReadToEndAsync(cancellationToken);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException or ArgumentException or NotSupportedException)
            {
                error = e.Message;
            }
        }

        // The path is whatever followed --jwks, --key or --claims: a token pasted in the wrong place is not echoed.
        await io.Error.WriteLineAsync(TokenRedaction.Redact($"error: cannot read {path}: {error}"));
        return null;
    }
}
