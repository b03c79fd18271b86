using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace PortkeyJwt.AspNetCore.Tests.Support;

/// <summary>
/// The real <c>samples/Gateway</c>, started as its own process (<c>dotnet Gateway.dll</c>, from its build output, as a
/// published app runs) with its own appsettings.json. Its console output is kept line by line; disposing kills it.
/// Every wait is bounded and fails with what the sample printed.
/// </summary>
internal sealed class SampleGateway : IAsyncDisposable
{
    /// <summary>Variables that choose where ASP.NET Core listens: removed from the inherited environment, so only what a test sets counts.</summary>
    private static readonly string[] ListeningVariables =
        ["ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_HTTP_PORTS", "DOTNET_HTTPS_PORTS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT"];

    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private SampleGateway(Process process)
    {
        _process = process;
    }

    /// <summary>Everything the sample printed so far (stdout and stderr), one line each.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>The sample's assembly, as the build recorded it (see the test project file).</summary>
    public static string AssemblyPath => typeof(SampleGateway).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SampleGatewayAssembly").Value!;

    /// <summary>A free TCP port on 127.0.0.1 (free when asked; the sample binds it a moment later).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the sample with <paramref name="args"/> and the extra <paramref name="environment"/> variables.</summary>
    public static SampleGateway Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        string assembly = AssemblyPath;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!, // the content root: appsettings.json is copied next to the assembly
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (string variable in ListeningVariables)
        {
            start.Environment.Remove(variable);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var sample = new SampleGateway(process);
        process.OutputDataReceived += (_, e) => sample.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => sample.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sample;
    }

    /// <summary>Waits until the sample has printed <paramref name="count"/> lines matching <paramref name="match"/>; fails if it exits first.</summary>
    public async Task WaitForLinesAsync(Func<string, bool> match, string what, int count = 1)
    {
        try
        {
            await Eventually.Until(() => _process.HasExited || _lines.Count(match) >= count, what, StartLimit);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} The sample printed:\n{string.Join('\n', _lines)}", ex);
        }

        if (_lines.Count(match) < count)
        {
            throw new InvalidOperationException($"The sample exited ({_process.ExitCode}) before {what}. It printed:\n{string.Join('\n', _lines)}");
        }
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
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }
}
