using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace PortkeyJwt.Testing;

/// <summary>
/// A real <c>redis-server</c> on a free 127.0.0.1 port, its data in a temporary directory (deleted on dispose). By default
/// it appends every write to its AOF before answering (<c>appendfsync always</c>), so <see cref="Stop"/> (a kill) and
/// <see cref="Start"/> on the same port and directory bring the record back; <see cref="StartWithoutPersistence"/> keeps
/// nothing, for bulk loads. Used as a class fixture by the Redis tests (tests then use unique key prefixes, <see cref="NewPrefix"/>),
/// by the fleet tests, and by the benchmark gate. Every wait is bounded; killed on dispose.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(15);
    private readonly bool _persistent;
    private Process? _process;

    /// <summary>Starts a persistent server (the class-fixture constructor: xunit wants exactly one public constructor).</summary>
    public RedisServer()
        : this(persistent: true)
    {
    }

    private RedisServer(bool persistent)
    {
        _persistent = persistent;
        Directory = Path.Combine(Path.GetTempPath(), "portkeyjwt-redis-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
        Port = FreePort();
        Start();
    }

    public int Port { get; }

    /// <summary>Starts a server that keeps nothing on disk.</summary>
    public static RedisServer StartWithoutPersistence() => new(persistent: false);

    public string Directory { get; }

    public bool Running => _process is { HasExited: false };

    /// <summary>For the CLI and for connections that must fail fast: short timeouts, abort when unreachable.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000";

    /// <summary>A key prefix no other test uses.</summary>
    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..10] + ":";

    /// <summary>
    /// A connection as a gateway holds one: it survives Redis going away (abortConnect=false), commands give up after 1 s
    /// while it is away, and it reconnects quickly.
    /// </summary>
    public async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { new IPEndPoint(IPAddress.Loopback, Port) },
            AbortOnConnectFail = false,
            ConnectTimeout = 1000,
            SyncTimeout = 1000,
            AsyncTimeout = 1000,
            ConnectRetry = 1,
            ReconnectRetryPolicy = new LinearRetry(200),
            AllowAdmin = true,
        };
        return await ConnectionMultiplexer.ConnectAsync(options, TextWriter.Null);
    }

    public void Start()
    {
        if (Running)
        {
            return;
        }

        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", Directory,
            "--save", "", "--appendonly", _persistent ? "yes" : "no", "--appendfsync", "always", "--protected-mode", "no",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var watch = Stopwatch.StartNew();
        while (!Ping())
        {
            if (process.HasExited || watch.Elapsed > StartLimit)
            {
                Stop();
                throw new InvalidOperationException($"redis-server on port {Port} did not answer PING within {StartLimit.TotalSeconds} s (exited: {process.HasExited}).");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Kills the server (no shutdown save: what is in the AOF is what comes back).</summary>
    public void Stop()
    {
        if (_process is not { } process)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill();
            if (!process.WaitForExit(10_000))
            {
                throw new InvalidOperationException("redis-server did not exit within 10 s of being killed");
            }
        }

        process.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private bool Ping()
    {
        try
        {
            using var client = new TcpClient();
            client.ReceiveTimeout = 500;
            client.SendTimeout = 500;
            if (!client.ConnectAsync(IPAddress.Loopback, Port).Wait(500))
            {
                return false;
            }

            NetworkStream stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            byte[] reply = new byte[16];
            int read = stream.Read(reply);
            return Encoding.ASCII.GetString(reply, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or AggregateException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
