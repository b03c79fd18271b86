namespace PortkeyJwt.Cli;

/// <summary>
/// Where a command reads and writes, and what time it is. <c>Program.Main</c> passes the console and the system clock;
/// tests pass <see cref="StringReader"/>/<see cref="StringWriter"/> and a fake clock to run commands in-process.
/// </summary>
/// <param name="In">Tokens read with <c>-</c>.</param>
/// <param name="Out">Results: JSON Lines, tokens, reports.</param>
/// <param name="Error">One-line error messages and warnings.</param>
/// <param name="Time">The clock for token lifetimes, relative times and minted <c>iat</c>/<c>nbf</c>/<c>exp</c>.</param>
internal sealed record CliIo(TextReader In, TextWriter Out, TextWriter Error, TimeProvider Time)
{
    /// <summary>The console and the system clock.</summary>
    public static CliIo Console => new(System.Console.In, System.Console.Out, System.Console.Error, TimeProvider.System);
}
