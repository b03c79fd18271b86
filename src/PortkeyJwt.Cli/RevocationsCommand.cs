using System.CommandLine;
using System.Text.Json;

namespace PortkeyJwt.Cli;

/// <summary>
/// <c>portkey-jwt revocations</c>: lists the revocations in force in Redis as JSON Lines, one object per entry:
/// <c>{"kind":"token","issuer":null,"jti":"…","at":"2026-06-02T12:00:00Z","atUnix":1780401600}</c>, or for a watermark
/// <c>organisation</c> and <c>workspace</c> or <c>user</c> instead of <c>jti</c>. Token entries first, then watermarks.
/// </summary>
internal static class RevocationsCommand
{
    public static Command Create(CliIo io)
    {
        var redis = RedisConnection.RedisOption();
        var keyPrefix = RedisConnection.KeyPrefixOption();
        var command = new Command("revocations", "List the revocations in force in Redis, one JSON object per line.") { redis, keyPrefix };
        command.SetAction((parseResult, cancellationToken) => RedisConnection.RunAsync(io, parseResult.GetValue(redis)!, parseResult.GetValue(keyPrefix)!, async store =>
        {
            (IReadOnlyList<Revocation> entries, _) = await store.ListAsync(cancellationToken);
            foreach (Revocation entry in entries)
            {
                await io.Out.WriteLineAsync(Line(entry));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The kind as the JSON and the messages write it (as the Redis record does): token, organisation, workspace, user.</summary>
    internal static string KindName(RevocationKind kind) => kind switch
    {
        RevocationKind.Token => "token",
        RevocationKind.Organisation => "organisation",
        RevocationKind.Workspace => "workspace",
        _ => "user",
    };

    internal static string Line(Revocation entry)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", RevocationsCommand.KindName(entry.Kind));
            writer.WriteString("issuer", entry.Issuer);
            if (entry.Kind == RevocationKind.Token)
            {
                writer.WriteString("jti", entry.JwtId);
            }
            else
            {
                writer.WriteString("organisation", entry.Organisation);
                if (entry.Workspace is not null)
                {
                    writer.WriteString("workspace", entry.Workspace);
                }

                if (entry.User is not null)
                {
                    writer.WriteString("user", entry.User);
                }
            }

            writer.WriteString("at", TimeText.Instant(entry.At));
            writer.WriteNumber("atUnix", entry.At.ToUnixTimeSeconds());
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
