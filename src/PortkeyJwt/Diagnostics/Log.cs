using Microsoft.Extensions.Logging;

namespace PortkeyJwt.Internal;

/// <summary>Source-generated log messages (no boxing, AOT-safe). Never logs a token or any part of one.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "JWKS key #{Index} (kid '{KeyId}') skipped: {Reason}")]
    public static partial void KeySkipped(ILogger logger, int index, string keyId, string reason);

    [LoggerMessage(2, LogLevel.Warning, "JWKS keys with kid '{KeyId}' skipped: the set holds different keys under the same kid, so the kid is ambiguous")]
    public static partial void AmbiguousKeyId(ILogger logger, string keyId);

    [LoggerMessage(3, LogLevel.Debug, "JWKS key #{Index} (kid '{KeyId}') ignored: the same key already appears under this kid")]
    public static partial void DuplicateKeyIgnored(ILogger logger, int index, string keyId);
}
