using System.Diagnostics;
using System.Reflection;

namespace PortkeyJwt.AspNetCore.Tests.Support;

/// <summary>
/// The real <c>portkey-jwt</c> command line, run as its own process (<c>dotnet portkey-jwt.dll</c>, from its build output,
/// as the installed tool runs). Each line it prints is kept with the moment it arrived.
/// </summary>
internal static class PortkeyCli
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>The CLI's assembly, as the build recorded it (see the test project file).</summary>
    public static string AssemblyPath => typeof(PortkeyCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "PortkeyCliAssembly").Value!;

    /// <summary>Runs <c>portkey-jwt <paramref name="args"/></c> to its end; its exit code and its lines, each with when it arrived.</summary>
    public static async Task<(int ExitCode, IReadOnlyList<(string Line, long At)> Lines)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AssemblyPath);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var lines = new List<(string, long)>();
        using var process = new Process { StartInfo = start };
        DataReceivedEventHandler keep = (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (lines)
                {
                    lines.Add((e.Data, Stopwatch.GetTimestamp()));
                }
            }
        };
        process.OutputDataReceived += keep;
        process.ErrorDataReceived += keep;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(Limit);
        await process.WaitForExitAsync(limit.Token);
        process.WaitForExit(); // the output's end
        lock (lines)
        {
            return (process.ExitCode, [.. lines]);
        }
    }
}
