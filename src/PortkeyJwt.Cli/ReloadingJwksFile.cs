namespace PortkeyJwt.Cli;

/// <summary>
/// A JWKS file and the last valid content read from it. <see cref="Current"/> checks the file's last write time and size
/// (cheap: one stat per request) and re-reads it when either changed; content that is not a usable JWKS is reported once
/// on stderr and the previous content keeps being served.
/// </summary>
internal sealed class ReloadingJwksFile
{
    private const long MaxBytes = 1024 * 1024;

    private readonly CliIo _io;
    private readonly string _path;
    private readonly Lock _gate = new();
    private string _content;
    private (DateTime WrittenAt, long Length) _stamp;

    private ReloadingJwksFile(CliIo io, string path, string content, (DateTime, long) stamp)
    {
        _io = io;
        _path = path;
        _content = content;
        _stamp = stamp;
    }

    /// <summary>Reads and checks the file; null (after a message on stderr) when it is unreadable or not a usable JWKS.</summary>
    public static async Task<ReloadingJwksFile?> OpenAsync(CliIo io, string path, CancellationToken cancellationToken)
    {
        (DateTime, long) stamp = Stamp(path);
        string? content = await JwksFile.TryReadAsync(io, path, MaxBytes, cancellationToken);
        if (content is null)
        {
            return null;
        }

        if (Check(content) is { } error)
        {
            await io.Error.WriteLineAsync($"error: {path}: {error}");
            return null;
        }

        return new ReloadingJwksFile(io, path, content, stamp);
    }

    /// <summary>The content to serve, re-read first if the file changed.</summary>
    public string Current()
    {
        lock (_gate)
        {
            (DateTime, long) stamp = Stamp(_path);
            if (stamp == _stamp)
            {
                return _content;
            }

            _stamp = stamp; // a bad version is reported once, not on every request
            string? error;
            try
            {
                string content = File.ReadAllText(_path);
                error = content.Length > MaxBytes ? $"larger than {MaxBytes} bytes" : Check(content);
                if (error is null)
                {
                    _content = content;
                    _io.Out.WriteLine($"Reloaded {_path}.");
                    return _content;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = e.Message;
            }

            _io.Error.WriteLine($"error: {_path} changed but cannot be used ({error}); still serving the previous version.");
            return _content;
        }
    }

    /// <summary>Why <paramref name="content"/> is not a usable JWKS, or null when it is one.</summary>
    private static string? Check(string content)
    {
        try
        {
            JwksKeyProvider.FromJson(content).Dispose();
            return null;
        }
        catch (ArgumentException e)
        {
            return ValidateCommand.FirstLine(e.Message);
        }
    }

    private static (DateTime, long) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
    }
}
