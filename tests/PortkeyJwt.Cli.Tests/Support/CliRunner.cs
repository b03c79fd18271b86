using Microsoft.Extensions.Time.Testing;

namespace PortkeyJwt.Cli.Tests.Support;

/// <summary>What one in-process run of <c>portkey-jwt</c> returned and wrote.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    /// <summary>Stdout split into lines, without the trailing empty one.</summary>
    public string[] Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}

/// <summary>Runs the command tree in-process with string streams and a fake clock.</summary>
internal static class CliRunner
{
    /// <summary>The instant every test's clock starts at: 2026-06-01T12:00:00Z.</summary>
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider Clock() => new(Now);

    public static async Task<CliRun> RunAsync(string[] args, string stdin = "", TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var io = new CliIo(new StringReader(stdin), output, error, time ?? Clock());
        int code = await Cli.InvokeAsync(args, io, cancellationToken: cancellationToken);
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
