using System.CommandLine;

namespace PortkeyJwt.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        var root = new RootCommand("portkey-jwt: try PortkeyJwt locally, validate and inspect Portkey JWTs.")
        {
            DemoCommand.Create(),
        };
        return root.Parse(args).InvokeAsync();
    }
}
