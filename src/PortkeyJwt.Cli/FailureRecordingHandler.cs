namespace PortkeyJwt.Cli;

/// <summary>
/// The HTTP pipeline of <c>validate</c>'s remote key provider: remembers the last exception a fetch failed with, so the CLI
/// can say why a TLS handshake or connection failed. The library reports only the outer message ("The SSL connection
/// could not be established, see inner exception."); the reason is in the inner exceptions.
/// </summary>
internal sealed class FailureRecordingHandler : DelegatingHandler
{
    private Exception? _lastFailure;

    /// <summary>Over a handler configured as the library configures its own: no redirects followed, no cookies.</summary>
    public FailureRecordingHandler()
        : base(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
    {
    }

    /// <summary>The exception the latest failed request threw (not a cancellation or timeout); null when none failed.</summary>
    public Exception? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>
    /// <paramref name="failure"/> and its inner exceptions as one line, outermost first, each message once:
    /// "The SSL connection could not be established: Cannot determine the frame size or a corrupted frame was received".
    /// </summary>
    public static string Describe(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var messages = new List<string>();
        for (Exception? e = failure; e is not null && messages.Count < 5; e = e.InnerException)
        {
            string message = e.Message.Trim();
            foreach (string pointer in (ReadOnlySpan<string>)[", see inner exception.", " See the inner exception for details."])
            {
                if (message.EndsWith(pointer, StringComparison.Ordinal))
                {
                    message = message[..^pointer.Length];
                }
            }

            message = message.TrimEnd('.');
            if (message.Length > 0 && !messages.Any(m => m.Contains(message, StringComparison.Ordinal)))
            {
                messages.Add(message);
            }
        }

        return string.Join(": ", messages);
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Volatile.Write(ref _lastFailure, e);
            throw;
        }
    }
}
