using System.CommandLine;
using System.CommandLine.Parsing;

namespace PortkeyJwt.Cli;

/// <summary>
/// <c>portkey-jwt revoke</c>: records a revocation in Redis for every gateway following it: a token by <c>--jti</c> (until
/// <c>--expires</c>, default 24 hours from now), or every token of an organisation, a workspace or a user issued before
/// <c>--issued-before</c>. Prints <c>revoked: KIND (version N)</c>; never an identifier's secret nor a token.
/// </summary>
internal static class RevokeCommand
{
    /// <summary>How long a <c>--jti</c> entry lasts without <c>--expires</c>: longer than the tokens it is meant for live.</summary>
    public static readonly TimeSpan DefaultTokenEntryLifetime = TimeSpan.FromHours(24);

    public static Command Create(CliIo io)
    {
        var redis = RedisConnection.RedisOption();
        var keyPrefix = RedisConnection.KeyPrefixOption();
        var issuer = new Option<string>("--issuer") { Description = "Limit the entry to tokens of this 'iss'; default every issuer." };
        var jti = new Option<string>("--jti") { Description = "Revoke the token with this 'jti'." };
        var expires = new Option<DateTimeOffset?>("--expires")
        {
            Description = "With --jti: until when the entry lasts (the token's exp, or later): now, Unix seconds, ISO-8601, or a lifetime from now such as 2h or 7d; default 24h.",
            CustomParser = result => ParseTime(result, io, allowLifetime: true),
        };
        var organisation = new Option<string>("--organisation") { Description = "Revoke the organisation's tokens (portkey_oid) issued before --issued-before." };
        var workspace = new Option<string>("--workspace") { Description = "With --organisation: only this workspace's tokens." };
        var user = new Option<string>("--user") { Description = "With --organisation: only this user's tokens (the principal's UserId)." };
        var issuedBefore = new Option<DateTimeOffset?>("--issued-before")
        {
            Description = "With --organisation: tokens issued (iat) before this time are revoked: now, Unix seconds or ISO-8601.",
            CustomParser = result => ParseTime(result, io, allowLifetime: false),
        };
        var command = new Command("revoke", "Revoke a token (--jti) or an organisation's, workspace's or user's tokens issued before a time, on every gateway following the Redis record.")
        {
            redis, keyPrefix, issuer, jti, expires, organisation, workspace, user, issuedBefore,
        };
        command.Validators.Add(result =>
        {
            bool byJti = result.GetResult(jti) is not null, byOrganisation = result.GetResult(organisation) is not null;
            if (byJti == byOrganisation)
            {
                result.AddError(byJti ? "Give --jti or --organisation, not both." : "Give --jti (one token) or --organisation (a watermark).");
            }
            else if (byJti && (result.GetResult(workspace) ?? result.GetResult(user) ?? result.GetResult(issuedBefore)) is { } extra)
            {
                result.AddError($"{((OptionResult)extra).Option.Name} does not apply with --jti.");
            }
            else if (byOrganisation && result.GetResult(expires) is not null)
            {
                result.AddError("--expires applies with --jti only; a watermark takes --issued-before.");
            }
            else if (byOrganisation && result.GetResult(workspace) is not null && result.GetResult(user) is not null)
            {
                result.AddError("Give --workspace or --user, not both.");
            }
            else if (byOrganisation && result.GetResult(issuedBefore) is null)
            {
                result.AddError("Option '--issued-before' is required with --organisation.");
            }
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            Revocation entry;
            try
            {
                string? iss = parseResult.GetValue(issuer);
                if (parseResult.GetValue(jti) is { } id)
                {
                    DateTimeOffset until = parseResult.GetValue(expires) ?? io.Time.GetUtcNow() + DefaultTokenEntryLifetime;
                    if (until <= io.Time.GetUtcNow())
                    {
                        await io.Error.WriteLineAsync("error: --expires is not in the future: an expired token needs no revocation.");
                        return ExitCodes.Usage;
                    }

                    entry = Revocation.Token(id, until, iss);
                }
                else
                {
                    string org = parseResult.GetValue(organisation)!;
                    DateTimeOffset before = parseResult.GetValue(issuedBefore)!.Value;
                    entry = parseResult.GetValue(workspace) is { } ws ? Revocation.WorkspaceIssuedBefore(org, ws, before, iss)
                        : parseResult.GetValue(user) is { } u ? Revocation.UserIssuedBefore(org, u, before, iss)
                        : Revocation.OrganisationIssuedBefore(org, before, iss);
                }
            }
            catch (ArgumentException e)
            {
                await io.Error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.Usage;
            }

            return await RedisConnection.RunAsync(io, parseResult.GetValue(redis)!, parseResult.GetValue(keyPrefix)!, async store =>
            {
                long version = await store.RevokeAsync(entry, cancellationToken);
                await io.Out.WriteLineAsync($"revoked: {RevocationsCommand.KindName(entry.Kind)} (version {version})");
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static DateTimeOffset? ParseTime(ArgumentResult result, CliIo io, bool allowLifetime)
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        DateTimeOffset now = io.Time.GetUtcNow();
        if (TimeText.TryParseInstant(text, now, out DateTimeOffset instant))
        {
            return instant;
        }

        if (allowLifetime && TimeText.TryParseLifetime(text, out TimeSpan lifetime))
        {
            return DateTimeOffset.FromUnixTimeSeconds((now + lifetime).ToUnixTimeSeconds());
        }

        string name = ((OptionResult)result.Parent!).Option.Name;
        result.AddError($"{name} expects now, Unix seconds or an ISO-8601 time{(allowLifetime ? " or a lifetime such as 2h" : "")}, not '{text}'.");
        return null;
    }
}
