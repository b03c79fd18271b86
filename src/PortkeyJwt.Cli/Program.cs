namespace PortkeyJwt.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args) => Cli.InvokeAsync(args, CliIo.Console, handleTermination: true);
}
