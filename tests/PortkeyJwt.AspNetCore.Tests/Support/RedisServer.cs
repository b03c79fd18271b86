using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace PortkeyJwt.AspNetCore.Tests.Support;

/// <summary>
/// A real <c>redis-server</c> on a free 127.0.0.1 port, its files in a temporary directory (deleted on dispose), with no
/// persistence (a test record). Every wait is bounded. tests/PortkeyJwt.Redis.Tests has its own fixture of the same kind:
/// the two test projects share no support code, and the duplication is these few lines.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis connection string, as the gateways and the CLI take it.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        string directory = Directory.CreateTempSubdirectory("portkeyjwt-redis-").FullName;
        int port = SampleGateway.FreePort();
        var start = new ProcessStartInfo("redis-server")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "no", "--daemonize", "no"])
        {
            start.ArgumentList.Add(arg);
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, directory, port);
        try
        {
            await Eventually.Until(() => process.HasExited || server.Pings(), "redis-server to answer PING", StartLimit);
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited ({process.ExitCode}): {output}");
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(exited.Token);
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // left in the temp directory
        }
    }

    /// <summary>One inline PING over a fresh socket: true on +PONG.</summary>
    private bool Pings()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", Port);
            using NetworkStream stream = client.GetStream();
            stream.ReadTimeout = 1000;
            stream.Write("PING\r\n"u8);
            Span<byte> reply = stackalloc byte[7];
            int read = stream.Read(reply);
            return reply[..read].SequenceEqual("+PONG\r\n"u8);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return false;
        }
    }
}
