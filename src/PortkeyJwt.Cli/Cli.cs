using System.CommandLine;
using System.CommandLine.Invocation;

namespace PortkeyJwt.Cli;

/// <summary>The <c>portkey-jwt</c> command tree, built over a <see cref="CliIo"/> so tests can run it in-process.</summary>
internal static class Cli
{
    /// <summary>The tool's name, as typed and as shown in messages.</summary>
    public const string RootName = "portkey-jwt";

    public static RootCommand Build(CliIo io)
    {
        ArgumentNullException.ThrowIfNull(io);
        return new RootCommand("portkey-jwt: try PortkeyJwt locally, validate and inspect Portkey JWTs, mint test tokens, serve a JWKS and manage fleet revocations in Redis.")
        {
            DemoCommand.Create(io),
            ValidateCommand.Create(io),
            InspectCommand.Create(io),
            KeygenCommand.Create(io),
            SignCommand.Create(io),
            ServeJwksCommand.Create(io),
            RevokeCommand.Create(io),
            RevocationsCommand.Create(io),
        };
    }

    /// <summary>
    /// Parses <paramref name="args"/> and runs the chosen command with help and version written to <paramref name="io"/>.
    /// A parse failure (unknown command or option, a missing, extra or invalid value) goes to stderr only, as one
    /// <c>error:</c> line chosen by <see cref="UsageErrors.Describe"/> and a pointer to <c>--help</c>, with anything that
    /// looks like a token redacted (<see cref="TokenRedaction"/>), so stdout stays clean for pipelines and a typo next to
    /// <c>"$TOKEN"</c> never prints it; it exits with <see cref="ExitCodes.Usage"/>.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="io">Streams and clock.</param>
    /// <param name="handleTermination">Whether Ctrl-C/SIGTERM cancel the action's token (true for the real process).</param>
    /// <param name="cancellationToken">Cancels the action, as Ctrl-C does.</param>
    public static async Task<int> InvokeAsync(string[] args, CliIo io, bool handleTermination = false, CancellationToken cancellationToken = default)
    {
        ParseResult parsed = Build(io).Parse(args);
        string? problem = UsageErrors.Describe(parsed) ?? (parsed.Action is ParseErrorAction ? "invalid command line" : null);
        if (problem is not null)
        {
            await io.Error.WriteLineAsync(TokenRedaction.Redact($"error: {problem}"));
            await io.Error.WriteLineAsync($"Run '{HelpCommandLine(parsed)} --help' for usage.");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration { Output = io.Out, Error = io.Error };
        if (!handleTermination)
        {
            configuration.ProcessTerminationTimeout = null;
        }

        return await parsed.InvokeAsync(configuration, cancellationToken);
    }

    /// <summary>"portkey-jwt validate" for an error in validate's arguments, "portkey-jwt" at the root.</summary>
    private static string HelpCommandLine(ParseResult parsed) =>
        parsed.CommandResult.Command is RootCommand ? RootName : $"{RootName} {parsed.CommandResult.Command.Name}";
}
