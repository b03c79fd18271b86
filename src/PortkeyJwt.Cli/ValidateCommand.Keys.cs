namespace PortkeyJwt.Cli;

/// <summary><c>validate</c>'s key set: loading <c>--jwks</c> and saying, on stderr, why it or any of its keys is unusable.</summary>
internal static partial class ValidateCommand
{
    /// <summary>Largest JWKS file read, the same as the remote provider's default response cap.</summary>
    private const long MaxJwksFileBytes = 1024 * 1024;

    /// <summary>
    /// The key provider for <paramref name="jwks"/>, with the keys it skipped; or null after writing why it cannot be had
    /// to stderr: one <c>error:</c> line, then one indented line per skipped key saying why it was skipped.
    /// </summary>
    private static async Task<LoadedKeys?> LoadKeysAsync(CliIo io, string jwks, CancellationToken cancellationToken)
    {
        var log = new SkippedKeyLog();
        if (Uri.TryCreate(jwks, UriKind.Absolute, out Uri? url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            if (url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback)
            {
                // Checked here, not by the provider: its message offers RequireHttps = false, which the CLI has no flag for.
                await io.Error.WriteLineAsync("error: --jwks: plain http is allowed only to loopback (localhost, 127.0.0.1, [::1]); use an https URL.");
                return null;
            }

            // The CLI's own client, so that a failed connection can be explained from its inner exceptions.
            var handler = new FailureRecordingHandler();
            var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
            JwksKeyProvider remote;
            try
            {
                remote = new JwksKeyProvider(new JwksKeyProviderOptions { JwksUrls = [url] }, http, io.Time, log);
            }
            catch (ArgumentOutOfRangeException e)
            {
                http.Dispose();
                await io.Error.WriteLineAsync($"error: --jwks: {FirstLine(e.Message)}");
                return null;
            }

            if (!await remote.WarmUpAsync(cancellationToken))
            {
                string reason = handler.LastFailure is { } failure
                    ? $"{url}: network error: {FailureRecordingHandler.Describe(failure)}"
                    : remote.Status.LastError ?? "no usable key";
                remote.Dispose();
                http.Dispose();
                await FailAsync(io, $"could not load the JWKS: {reason}", log);
                return null;
            }

            return new LoadedKeys(remote, log.Close(), http);
        }

        string? json = await JwksFile.TryReadAsync(io, jwks, MaxJwksFileBytes, cancellationToken);
        if (json is null)
        {
            return null;
        }

        try
        {
            return new LoadedKeys(JwksKeyProvider.FromJson(json, log), log.Close(), http: null);
        }
        catch (ArgumentException e)
        {
            await FailAsync(io, $"{jwks}: {FirstLine(e.Message)}", log);
            return null;
        }
    }

    /// <summary>Writes <c>error: <paramref name="message"/></c> and, indented below it, why each key was skipped.</summary>
    private static async Task FailAsync(CliIo io, string message, SkippedKeyLog log)
    {
        await io.Error.WriteLineAsync(TokenRedaction.Redact($"error: {message}"));
        foreach (string skipped in log.Close())
        {
            await io.Error.WriteLineAsync($"  {skipped}");
        }
    }

    /// <summary>
    /// A loaded key set, the library's reason for each key it left out (shown as warnings), and the HTTP client a remote
    /// set is fetched with (the provider does not own a client it is given).
    /// </summary>
    private sealed class LoadedKeys(JwksKeyProvider provider, string[] skippedKeys, HttpClient? http) : IDisposable
    {
        public JwksKeyProvider Provider { get; } = provider;

        public string[] SkippedKeys { get; } = skippedKeys;

        public void Dispose()
        {
            Provider.Dispose();
            http?.Dispose();
        }
    }
}
