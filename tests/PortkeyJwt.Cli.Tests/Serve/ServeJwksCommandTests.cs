using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PortkeyJwt.Cli.Tests.Serve;

public sealed partial class ServeJwksCommandTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly TempDirectory _dir = new();
    private readonly StringWriter _outText = new();
    private readonly StringWriter _errorText = new();
    private readonly TextWriter _out;
    private readonly TextWriter _error;

    public ServeJwksCommandTests()
    {
        // The server writes from request threads while the test reads: synchronised writers, read under their lock.
        _out = TextWriter.Synchronized(_outText);
        _error = TextWriter.Synchronized(_errorText);
    }

    public void Dispose()
    {
        _dir.Dispose();
        _outText.Dispose();
        _errorText.Dispose();
    }

    [Fact]
    public async Task ServesTheFile_FollowsChanges_KeepsTheLastGoodVersion_AndStopsWithZeroOnCancel()
    {
        string path = _dir.Write("jwks.json", TestTokenSigner.Jwks(TestKeys.Rs256));
        using var stop = new CancellationTokenSource();
        var io = new CliIo(new StringReader(""), _out, _error, TimeProvider.System);
        Task<int> serving = Cli.InvokeAsync(["serve-jwks", "--jwks", path], io, cancellationToken: stop.Token);
        try
        {
            Uri url = await WaitForUrlAsync(serving);
            Assert.Equal("127.0.0.1", url.Host);
            Assert.Equal("/.well-known/jwks.json", url.AbsolutePath);
            using var http = new HttpClient();
            Assert.Contains("\"kid\":\"k1\"", await http.GetStringAsync(url), StringComparison.Ordinal);

            // Rotation: a second key is published.
            Rewrite(path, TestTokenSigner.Jwks(TestKeys.Rs256, TestKeys.Rotated), TimeSpan.FromSeconds(10));
            string rotated = await http.GetStringAsync(url);
            Assert.Contains("\"kid\":\"k2\"", rotated, StringComparison.Ordinal);

            // A broken edit is reported and the last good document keeps being served.
            Rewrite(path, "{\"keys\": [", TimeSpan.FromSeconds(20));
            Assert.Equal(rotated, await http.GetStringAsync(url));
            Assert.Equal(rotated, await http.GetStringAsync(url));
            string errors = Read(_error, _errorText);
            Assert.Contains("still serving the previous version", errors, StringComparison.Ordinal);
            Assert.Equal(1, errors.Count(c => c == '\n')); // reported once, not per request

            // The validator, pointed at the server, accepts a token from the rotated-in key.
            CliRun verdict = await CliRunner.RunAsync(["validate", "--jwks", url.ToString(), TestKeys.Rotated.Sign(TestKeys.Claims())]);
            Assert.Equal(0, verdict.ExitCode);
        }
        finally
        {
            await stop.CancelAsync();
        }

        Assert.Equal(0, await serving.WaitAsync(Patience));
    }

    [Fact]
    public async Task InvalidJwksFileAtStart_ExitsTwo()
    {
        string path = _dir.Write("jwks.json", "{}");

        CliRun run = await CliRunner.RunAsync(["serve-jwks", "--jwks", path]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error:", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingJwksFile_ExitsTwo()
    {
        CliRun run = await CliRunner.RunAsync(["serve-jwks", "--jwks", _dir.File("none.json")]);

        Assert.Equal(2, run.ExitCode);
    }

    [Theory]
    [InlineData("70000")]
    [InlineData("-1")]
    [InlineData("http")] // was an unhandled InvalidOperationException from the range validator
    public async Task PortNotAPort_ExitsTwo_NamingTheRange(string port)
    {
        string path = _dir.Write("jwks.json", TestKeys.Jwks);

        CliRun run = await CliRunner.RunAsync(["serve-jwks", "--jwks", path, "--port", port]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: --port must be a whole number from 0 to 65535, not '{port}'.", run.Error, StringComparison.Ordinal);
    }

    /// <summary>Polls stdout (bounded) until the startup line with the URL appears.</summary>
    private async Task<Uri> WaitForUrlAsync(Task<int> serving)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < Patience)
        {
            Match match = UrlPattern().Match(Read(_out, _outText));
            if (match.Success)
            {
                return new Uri(match.Value);
            }

            Assert.False(serving.IsCompleted, $"serve-jwks ended early: {Read(_error, _errorText)}");
            await Task.Delay(20);
        }

        throw new TimeoutException("serve-jwks printed no URL within " + Patience);
    }

    private static string Read(TextWriter synchronised, StringWriter inner)
    {
        lock (synchronised)
        {
            return inner.ToString();
        }
    }

    /// <summary>Replaces the file and moves its write time forward, so the change is seen whatever the file system's timestamp resolution.</summary>
    private static void Rewrite(string path, string content, TimeSpan later)
    {
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow + later);
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/\.well-known/jwks\.json")]
    private static partial Regex UrlPattern();
}
