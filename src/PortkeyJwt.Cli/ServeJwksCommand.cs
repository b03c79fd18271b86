using System.CommandLine;
using System.Globalization;

namespace PortkeyJwt.Cli;

/// <summary>
/// <c>portkey-jwt serve-jwks</c>: serves a JWKS file at <c>http://127.0.0.1:PORT/.well-known/jwks.json</c> until Ctrl-C,
/// re-reading it whenever it changes, so a key rotation can be rehearsed against a gateway on this machine.
/// </summary>
internal static class ServeJwksCommand
{
    public static Command Create(CliIo io)
    {
        var jwks = new Option<FileInfo>("--jwks") { Description = "The JWKS file to serve; re-read when its last write time or size changes.", Required = true };
        var port = new Option<int>("--port")
        {
            Description = "The port on 127.0.0.1; 0 (the default) picks a free one.",
            CustomParser = result => // a validator reading GetValueOrDefault would throw on a non-number
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "0";
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value <= 65535)
                {
                    return value;
                }

                result.AddError($"--port must be a whole number from 0 to 65535, not '{text}'.");
                return 0;
            },
        };
        var command = new Command("serve-jwks", "Serve a JWKS file on 127.0.0.1 until Ctrl-C, reloading it when it changes.") { jwks, port };
        command.SetAction((parseResult, cancellationToken) => RunAsync(io, parseResult.GetValue(jwks)!.FullName, parseResult.GetValue(port), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliIo io, string path, int port, CancellationToken cancellationToken)
    {
        ReloadingJwksFile? file = await ReloadingJwksFile.OpenAsync(io, path, cancellationToken);
        if (file is null)
        {
            return ExitCodes.Usage;
        }

        LocalJwksServer server;
        try
        {
            server = await LocalJwksServer.StartAsync(file.Current, port, cancellationToken);
        }
        catch (IOException e)
        {
            await io.Error.WriteLineAsync($"error: cannot listen on 127.0.0.1:{port}: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Ok;
        }

        await using (server)
        {
            await io.Out.WriteLineAsync($"Serving {path} at {server.Url} (re-read when it changes); press Ctrl-C to stop.");
            await io.Out.FlushAsync(CancellationToken.None);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C: the normal way to stop.
            }

            await io.Out.WriteLineAsync($"Stopped after {server.Requests} requests.");
        }

        return ExitCodes.Ok;
    }
}
