using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PortkeyJwt.Cli;
using PortkeyJwt.Testing;

namespace PortkeyJwt.Redis.Tests;

/// <summary><c>portkey-jwt revoke</c> and <c>revocations</c>, run in-process against the real server.</summary>
public sealed class RevocationCliTests(RedisServer server) : IClassFixture<RedisServer>
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    [Fact]
    public async Task Revoke_EveryKind_ThenRevocations_ListsThemAsJsonLines()
    {
        string prefix = RedisServer.NewPrefix();
        string[] common = ["--redis", server.ConnectionString, "--key-prefix", prefix];

        (int code, string stdout, string stderr) = await RunAsync([.. "revoke".Split(), .. common, "--jti", "jti-1", "--issuer", "https://a.example"]);
        Assert.Equal((0, "revoked: token (version 1)\n", ""), (code, stdout, stderr));
        Assert.Equal(0, (await RunAsync(["revoke", .. common, "--organisation", "org-1", "--issued-before", "now"])).Code);
        Assert.Equal(0, (await RunAsync(["revoke", .. common, "--organisation", "org-1", "--workspace", "ws-1", "--issued-before", Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)])).Code);
        (code, stdout, _) = await RunAsync(["revoke", .. common, "--organisation", "org-1", "--user", "ada@example.com", "--issued-before", "2026-01-01T00:00:00Z"]);
        Assert.Equal((0, "revoked: user (version 4)\n"), (code, stdout));

        (code, stdout, stderr) = await RunAsync(["revocations", .. common]);

        Assert.Equal((0, ""), (code, stderr));
        JsonObject[] lines = [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject())];
        Assert.Equal(4, lines.Length);
        JsonObject token = lines.Single(l => (string?)l["kind"] == "token");
        Assert.Equal("jti-1", (string?)token["jti"]);
        Assert.Equal("https://a.example", (string?)token["issuer"]);
        Assert.Equal(Now.AddHours(24).ToUnixTimeSeconds(), (long)token["atUnix"]!); // the default entry lifetime
        JsonObject user = lines.Single(l => (string?)l["kind"] == "user");
        Assert.Equal(("org-1", "ada@example.com", "2026-01-01T00:00:00Z", 1767225600L), ((string?)user["organisation"], (string?)user["user"], (string?)user["at"], (long)user["atUnix"]!));
        Assert.Null(user["issuer"]?.GetValue<string>());
        Assert.Equal("ws-1", (string?)lines.Single(l => (string?)l["kind"] == "workspace")["workspace"]);
        Assert.Equal(Now.ToUnixTimeSeconds(), (long)lines.Single(l => (string?)l["kind"] == "organisation")["atUnix"]!);
    }

    [Fact]
    public async Task Revoke_ExpiresAsALifetime_SetsTheEntryTime()
    {
        string prefix = RedisServer.NewPrefix();
        await RunAsync(["revoke", "--redis", server.ConnectionString, "--key-prefix", prefix, "--jti", "j", "--expires", "2h"]);
        (_, string stdout, _) = await RunAsync(["revocations", "--redis", server.ConnectionString, "--key-prefix", prefix]);
        Assert.Equal(Now.AddHours(2).ToUnixTimeSeconds(), (long)JsonNode.Parse(stdout)!["atUnix"]!);
    }

    [Theory]
    [InlineData("--jti j --organisation o --issued-before now", "not both")]
    [InlineData("--issued-before now", "Give --jti")]
    [InlineData("--organisation o --workspace w --user u --issued-before now", "--workspace or --user, not both")]
    [InlineData("--organisation o", "--issued-before")]
    [InlineData("--organisation o --issued-before soon", "--issued-before expects")]
    [InlineData("--organisation o --issued-before 2h", "--issued-before expects")]
    [InlineData("--jti j --expires yesterday", "--expires expects")]
    [InlineData("--jti j --expires 1700000000", "not in the future")]
    [InlineData("--jti j --workspace w", "--workspace does not apply with --jti")]
    [InlineData("--organisation o --issued-before now --expires 1h", "--expires applies with --jti only")]
    public async Task Revoke_UsageError_Exits2_WithOneErrorLine_AndNothingOnStdout(string arguments, string expected)
    {
        (int code, string stdout, string stderr) = await RunAsync(["revoke", "--redis", server.ConnectionString, "--key-prefix", RedisServer.NewPrefix(), .. arguments.Split(' ')]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("revoke", "--jti", "j")]
    [InlineData("revocations")]
    public async Task UnreachableRedis_Exits2_NamingTheEndpointOnly(params string[] arguments)
    {
        (int code, string stdout, string stderr) = await RunAsync([.. arguments, "--redis", "127.0.0.1:1,password=hunter2,connectTimeout=500,abortConnect=true"]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: Redis at 127.0.0.1:1 failed", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Out, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var io = new CliIo(new StringReader(""), output, error, new FakeTimeProvider(Now));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int code = await Cli.Cli.InvokeAsync(args, io, cancellationToken: timeout.Token);
        return (code, output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal), error.ToString());
    }
}
