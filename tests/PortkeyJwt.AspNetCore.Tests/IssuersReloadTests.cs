using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary>
/// <c>PortkeyJwt:Issuers</c> follows configuration reloads: a gateway reading a real <c>appsettings.json</c> with
/// <c>reloadOnChange</c> gains and loses issuers when the file is rewritten, keeps the loaded keys of issuers that did not
/// change, and keeps the issuers in force when the new file is invalid. Each identity provider is a real Kestrel JWKS
/// server; request counts show which one was (not) contacted.
/// </summary>
public sealed class IssuersReloadTests : IDisposable
{
    private const string IssuerA = "https://login.acme.example.com";
    private const string IssuerB = "https://sts.globex.example.net/tenant-7";

    private static readonly TimeSpan ReloadBound = TimeSpan.FromSeconds(30);

    private readonly TestKey _keyA = new("key-1");
    private readonly TestKey _keyB = new("key-1");
    private readonly string _directory = Directory.CreateTempSubdirectory("portkeyjwt-reload-").FullName;

    private string SettingsFile => Path.Combine(_directory, "appsettings.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task RewrittenFile_AddsAndRemovesIssuers_KeepsAnUnchangedIssuersKeys_AndTheHealthCheckFollows()
    {
        await using JwksServer jwksA = await JwksServer.StartAsync(TestKey.Jwks(_keyA));
        await using JwksServer jwksB = await JwksServer.StartAsync(TestKey.Jwks(_keyB));
        await WriteSettingsAsync(Settings(Acme(jwksA)));
        await using Gateway gateway = await Gateway.StartFromFileAsync(SettingsFile, services => services.AddHealthChecks().AddPortkeyJwt());
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, Token(_keyA, IssuerA, "org-acme")));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(gateway, Token(_keyB, IssuerB, "org-globex")));

        await WriteSettingsAsync(Settings(Acme(jwksA), Globex(jwksB)));
        await UntilAsync(async () => (int)(await HealthAsync(gateway)).Data["anchors"] == 2);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, Token(_keyB, IssuerB, "org-globex")));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, Token(_keyA, IssuerA, "org-acme", "another-user")));
        Assert.Equal((1, 1), (jwksA.RequestCount, jwksB.RequestCount)); // A was unchanged: its keys were kept, not fetched again
        HealthReportEntry both = await HealthAsync(gateway);
        Assert.Equal((2, 2), ((int)both.Data["anchors"], (int)both.Data["anchorsInUse"]));
        Assert.True(both.Data.ContainsKey(IssuerB));

        await WriteSettingsAsync(Settings(Globex(jwksB)));
        await UntilAsync(async () => (int)(await HealthAsync(gateway)).Data["anchors"] == 1);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(gateway, Token(_keyA, IssuerA, "org-acme", "a-third-user")));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, Token(_keyB, IssuerB, "org-globex", "another-user")));
        HealthReportEntry onlyB = await HealthAsync(gateway);
        Assert.Equal(1, (int)onlyB.Data["anchors"]);
        Assert.False(onlyB.Data.ContainsKey(IssuerA));
        Assert.Contains(gateway.Logs.Messages, m => m.Contains("PortkeyJwt issuers reloaded from configuration: 1 trust anchors", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> RejectedReloads => new()
    {
        { """{ "PortkeyJwt": { "AllowedAlgorithms": [ "ES256" ], "Issuers": [ { "Issuer": "https://login.acme.example.com", "JwksUrls": [ "https://login.acme.example.com/jwks" ] } ] } }""", "PortkeyJwt:Issuers:0:Organisations: " },
        { """{ "PortkeyJwt": { "AllowedAlgorithms": [ "ES256" ], "Issuers": [ { "Issuer": "https://login.acme.example.com", "JwksUrls": [ "http://login.acme.example.com/jwks" ], "Organisations": [ "*" ] } ] } }""", "PortkeyJwt:Issuers:0:JwksUrls: " },
        { """{ "PortkeyJwt": { "AllowedAlgorithms": [ "ES256" ], "JwksUrls": [ "https://login.acme.example.com/jwks" ], "ValidIssuers": [ "https://login.acme.example.com" ] } }""", "PortkeyJwt:Issuers is now empty; switching to a single JWKS source needs a restart" },
        { """{ "PortkeyJwt": { "AllowedAlgorithms": [ "ES256" ], "Issuers": [ { "Issuer": "https://login.acme.example.com", "JwksFile": "gone.json", "Organisations": [ "*" ] } ] } }""", "PortkeyJwt:Issuers:0:JwksFile: " },
    };

    [Theory]
    [MemberData(nameof(RejectedReloads))]
    public async Task RewrittenFile_ThatIsInvalid_IsLoggedNamingTheSetting_AndTheIssuersInForceStay(string rewritten, string logged)
    {
        await using JwksServer jwksA = await JwksServer.StartAsync(TestKey.Jwks(_keyA));
        await WriteSettingsAsync(Settings(Acme(jwksA)));
        await using Gateway gateway = await Gateway.StartFromFileAsync(SettingsFile, services => services.AddHealthChecks().AddPortkeyJwt());
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, Token(_keyA, IssuerA, "org-acme")));

        await WriteSettingsAsync(rewritten);
        await UntilAsync(() => Task.FromResult(gateway.Logs.Messages.Any(m => m.Contains("reload rejected", StringComparison.Ordinal))));

        string rejection = gateway.Logs.Messages.First(m => m.Contains("reload rejected", StringComparison.Ordinal));
        Assert.StartsWith("Error PortkeyJwt: PortkeyJwt issuers reload rejected, the previous trust anchors stay in force: ", rejection, StringComparison.Ordinal);
        Assert.Contains(logged, rejection, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, Token(_keyA, IssuerA, "org-acme", "another-user")));
        Assert.Equal(1, jwksA.RequestCount); // the same anchor, with its keys: nothing was rebuilt
        HealthReportEntry health = await HealthAsync(gateway);
        Assert.Equal((HealthStatus.Healthy, 1), (health.Status, (int)health.Data["anchors"]));
    }

    [Fact]
    public async Task AfterTheHostStops_ARewrittenFileChangesNothing_AndNothingThrows()
    {
        await using JwksServer jwksA = await JwksServer.StartAsync(TestKey.Jwks(_keyA));
        await using JwksServer jwksB = await JwksServer.StartAsync(TestKey.Jwks(_keyB));
        await WriteSettingsAsync(Settings(Acme(jwksA)));
        Gateway gateway = await Gateway.StartFromFileAsync(SettingsFile);
        PortkeyJwtValidator validator = gateway.Services.GetRequiredService<PortkeyJwtValidator>();
        var configuration = (Microsoft.Extensions.Configuration.IConfigurationRoot)gateway.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>();
        await gateway.DisposeAsync();

        await WriteSettingsAsync(Settings(Acme(jwksA), Globex(jwksB)));
        configuration.Reload(); // what the file watcher would do, now on the test's thread: it must not throw

        Assert.Equal(PortkeyJwtError.UnknownIssuer, (await validator.ValidateAsync(Token(_keyB, IssuerB, "org-globex"))).Error); // B never arrived
        Assert.DoesNotContain(gateway.Logs.Messages, m => m.Contains("reload", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(0, jwksB.RequestCount);
    }

    /// <summary>Replaces the settings file in one step, as a deployment would (a partly written file is never read).</summary>
    private async Task WriteSettingsAsync(string json)
    {
        string next = SettingsFile + ".next";
        await File.WriteAllTextAsync(next, json);
        File.Move(next, SettingsFile, overwrite: true);
    }

    private static JsonObject Acme(JwksServer jwks) =>
        new() { ["Issuer"] = IssuerA, ["JwksUrls"] = new JsonArray(jwks.Url.ToString()), ["Organisations"] = new JsonArray("org-acme") };

    private static JsonObject Globex(JwksServer jwks) =>
        new() { ["Issuer"] = IssuerB, ["JwksUrls"] = new JsonArray(jwks.Url.ToString()), ["Organisations"] = new JsonArray("org-globex") };

    private static string Settings(params JsonObject[] issuers) => new JsonObject
    {
        ["PortkeyJwt"] = new JsonObject { ["AllowedAlgorithms"] = new JsonArray("ES256"), ["Issuers"] = new JsonArray([.. issuers]) },
    }.ToJsonString();

    private static string Token(TestKey key, string issuer, string organisation, string subject = "user-1") =>
        Tokens.Mint(Tokens.Claims().With(("iss", issuer), ("portkey_oid", organisation), ("sub", subject)), key);

    private static async Task<HttpStatusCode> StatusAsync(Gateway gateway, string token)
    {
        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "Authorization", token));
        return response.StatusCode;
    }

    private static async Task<HealthReportEntry> HealthAsync(Gateway gateway) =>
        (await gateway.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries[PortkeyJwtDefaults.HealthCheckName];

    /// <summary>Waits for the file watcher's reload: a bounded poll, since the watcher's callback runs on its own thread.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        for (var limit = Stopwatch.StartNew(); !await condition(); await Task.Delay(20))
        {
            Assert.True(limit.Elapsed < ReloadBound, "the configuration reload did not arrive in time");
        }
    }
}
