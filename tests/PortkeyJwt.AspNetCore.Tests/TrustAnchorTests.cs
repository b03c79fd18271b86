using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary>
/// <c>PortkeyJwt:Issuers</c>: two organisations' identity providers (trust anchors), each a real Kestrel JWKS server, in
/// front of a gateway on Kestrel. Both providers publish the same <c>kid</c>, so only routing by <c>iss</c> keeps their
/// keys apart; request counts show which provider was (not) contacted.
/// </summary>
public sealed class TrustAnchorTests
{
    private const string IssuerA = "https://login.acme.example.com";
    private const string IssuerB = "https://sts.globex.example.net/tenant-7";
    private const string DiscoveryPath = "/.well-known/openid-configuration";

    private readonly TestKey _keyA = new("key-1");
    private readonly TestKey _keyB = new("key-1");

    [Fact]
    public async Task TwoIssuers_EachProvidersToken_AuthenticatesThroughTheScheme_FetchingOnlyItsOwnKeys()
    {
        await using JwksServer jwksA = await JwksServer.StartAsync(TestKey.Jwks(_keyA));
        await using JwksServer jwksB = await JwksServer.StartAsync(TestKey.Jwks(_keyB));
        await using Gateway gateway = await Gateway.StartFromConfigurationAsync(Settings(jwksA, jwksB));
        Assert.Equal((0, 0), (jwksA.RequestCount, jwksB.RequestCount)); // nothing is fetched before a token names an issuer

        using HttpResponseMessage fromA = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "Authorization", Token(_keyA, IssuerA, "org-acme")));
        Assert.Equal(HttpStatusCode.OK, fromA.StatusCode);
        Assert.StartsWith("org-acme/ws-default/", await fromA.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((1, 0), (jwksA.RequestCount, jwksB.RequestCount));

        using HttpResponseMessage fromB = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "Authorization", Token(_keyB, IssuerB, "org-globex")));
        Assert.Equal(HttpStatusCode.OK, fromB.StatusCode);
        Assert.StartsWith("org-globex/ws-default/", await fromB.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((1, 1), (jwksA.RequestCount, jwksB.RequestCount));
        Assert.Same(gateway.Services.GetRequiredService<TrustAnchorSet>().Validator, gateway.Services.GetRequiredService<PortkeyJwtValidator>());
        Assert.Contains("TrustAnchorSet", Assert.Throws<InvalidOperationException>(() => gateway.Services.GetRequiredService<JwksKeyProvider>()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoIssuers_BsKeyClaimingAsIssuer_IsRejected_WithoutAskingB()
    {
        await using JwksServer jwksA = await JwksServer.StartAsync(TestKey.Jwks(_keyA));
        await using JwksServer jwksB = await JwksServer.StartAsync(TestKey.Jwks(_keyB));
        await using Gateway gateway = await Gateway.StartFromConfigurationAsync(Settings(jwksA, jwksB));

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "Authorization", Token(_keyB, IssuerA, "org-acme")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).ToString(), StringComparison.Ordinal);
        Assert.Equal(0, jwksB.RequestCount);
    }

    [Fact]
    public async Task TwoIssuers_AnOrganisationTheIssuerMayNotAssert_IsOrganisationNotAllowed()
    {
        await using JwksServer jwksA = await JwksServer.StartAsync(TestKey.Jwks(_keyA));
        await using JwksServer jwksB = await JwksServer.StartAsync(TestKey.Jwks(_keyB));
        await using Gateway gateway = await Gateway.StartFromConfigurationAsync(Settings(jwksA, jwksB));

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "Authorization", Token(_keyA, IssuerA, "org-globex")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error_description=\"OrganisationNotAllowed: ", Assert.Single(response.Headers.WwwAuthenticate).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoIssuers_AnUnknownIssuer_IsUnknownIssuer_AndNoJwksServerIsAsked()
    {
        await using JwksServer jwksA = await JwksServer.StartAsync(TestKey.Jwks(_keyA));
        await using JwksServer jwksB = await JwksServer.StartAsync(TestKey.Jwks(_keyB));
        await using Gateway gateway = await Gateway.StartFromConfigurationAsync(Settings(jwksA, jwksB));

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "Authorization", Token(_keyA, "https://idp.attacker.example", "org-acme")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error_description=\"UnknownIssuer: ", Assert.Single(response.Headers.WwwAuthenticate).ToString(), StringComparison.Ordinal);
        Assert.Equal((0, 0), (jwksA.RequestCount, jwksB.RequestCount));
    }

    [Fact]
    public async Task Issuers_Authority_DiscoversTheJwks_AndAuthenticates_FetchingTheDocumentOnce()
    {
        // A's keys come through its discovery document; B's from a JWKS URL. Both publish kid key-1.
        await using JwksServer idpA = await JwksServer.StartAsync(TestKey.Jwks(_keyA));
        idpA.Serve($$"""{"issuer":"{{IssuerA}}","jwks_uri":"{{idpA.Url}}"}""", DiscoveryPath);
        await using JwksServer jwksB = await JwksServer.StartAsync(TestKey.Jwks(_keyB));
        await using Gateway gateway = await Gateway.StartFromConfigurationAsync(Section(
            new JsonObject { ["Issuer"] = IssuerA, ["Authority"] = new Uri(idpA.Url, "/").ToString(), ["Organisations"] = new JsonArray("org-acme") },
            new JsonObject { ["Issuer"] = IssuerB, ["JwksUrls"] = new JsonArray(jwksB.Url.ToString()), ["Organisations"] = new JsonArray("org-globex") }));
        Assert.Equal(0, idpA.RequestCount);

        using HttpResponseMessage fromA = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "Authorization", Token(_keyA, IssuerA, "org-acme")));
        using HttpResponseMessage again = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "Authorization", Token(_keyA, IssuerA, "org-acme")));
        using HttpResponseMessage bAsA = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "Authorization", Token(_keyB, IssuerA, "org-acme")));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Unauthorized), (fromA.StatusCode, again.StatusCode, bAsA.StatusCode));
        Assert.Equal((1, 1), (idpA.RequestsTo(DiscoveryPath), idpA.RequestsTo(JwksServer.JwksPath)));
        Assert.Equal(0, jwksB.RequestCount);
    }

    [Fact]
    public async Task Issuers_Authority_WhoseDocumentNamesAnotherIssuer_Is401_AndItsJwksIsNeverFetched()
    {
        await using JwksServer idpA = await JwksServer.StartAsync(TestKey.Jwks(_keyA));
        idpA.Serve($$"""{"issuer":"{{IssuerB}}","jwks_uri":"{{idpA.Url}}"}""", DiscoveryPath);
        await using Gateway gateway = await Gateway.StartFromConfigurationAsync(Section(
            new JsonObject { ["Issuer"] = IssuerA, ["Authority"] = new Uri(idpA.Url, "/").ToString(), ["Organisations"] = new JsonArray("org-acme") }));

        using HttpResponseMessage response = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "Authorization", Token(_keyA, IssuerA, "org-acme")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("KeysUnavailable", Assert.Single(response.Headers.WwwAuthenticate).ToString(), StringComparison.Ordinal);
        Assert.Equal((1, 0), (idpA.RequestsTo(DiscoveryPath), idpA.RequestsTo(JwksServer.JwksPath)));
    }

    [Fact]
    public async Task Issuers_JwksFile_IsReadFromTheContentRoot()
    {
        string root = Directory.CreateTempSubdirectory("portkeyjwt-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(root, "acme-jwks.json"), TestKey.Jwks(_keyA));
            var issuer = new JsonObject { ["Issuer"] = IssuerA, ["JwksFile"] = "acme-jwks.json", ["Organisations"] = new JsonArray("*") };
            using IHost host = BuildHost(Section(issuer), root);
            await host.StartAsync();

            PortkeyJwtResult result = await host.Services.GetRequiredService<PortkeyJwtValidator>().ValidateAsync(Token(_keyA, IssuerA, "org-any"));

            Assert.True(result.IsValid, result.ToString());
            await host.StopAsync();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Issuers_BindEveryField_AndMapOntoTheCoreAnchor()
    {
        string jwks = TestKey.Jwks(_keyB);
        string json = $$"""
            { "PortkeyJwt": { "Issuers": [ {
                "Issuer": "https://login.acme.example.com",
                "JwksUrls": [ "https://login.acme.example.com/jwks.json", "https://backup.acme.example.com/jwks.json" ],
                "Organisations": [ "org-acme", "org-acme-eu" ],
                "Workspaces": [ "ws-prod" ],
                "DefaultOrganisation": "org-acme",
                "DefaultWorkspace": "ws-prod",
                "Audiences": [ "gateway" ],
                "AllowedAlgorithms": [ "ES256" ],
                "RequiredScopes": [ "completions.write" ],
                "ScopeClaims": [ "scp" ]
              }, {
                "Issuer": "https://sts.globex.example.net",
                "Jwks": {{JsonValue.Create(jwks).ToJsonString()}},
                "Organisations": [ "*" ]
              }, {
                "Issuer": "https://login.initech.example/tenant/v2.0",
                "Authority": "https://login.initech.example/tenant/v2.0",
                "Organisations": [ "org-initech" ]
              } ] } }
            """;
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddPortkeyJwt(configuration.GetSection("PortkeyJwt"));
        using ServiceProvider provider = services.BuildServiceProvider();

        List<TrustAnchor> anchors = provider.GetRequiredService<IOptions<PortkeyJwtServiceOptions>>().Value.ToAnchors(Directory.GetCurrentDirectory());

        TrustAnchor full = anchors[0];
        Assert.Equal("https://login.acme.example.com", full.Issuer);
        Assert.Equal([new Uri("https://login.acme.example.com/jwks.json"), new Uri("https://backup.acme.example.com/jwks.json")], full.JwksUrls);
        Assert.Null(full.Jwks);
        Assert.Equal(["org-acme", "org-acme-eu"], full.Organisations);
        Assert.Equal(["ws-prod"], full.Workspaces!);
        Assert.Equal(("org-acme", "ws-prod"), (full.DefaultOrganisation, full.DefaultWorkspace));
        Assert.Equal(["gateway"], full.Audiences!);
        Assert.Equal(["ES256"], full.AllowedAlgorithms!);
        Assert.Equal(["completions.write"], full.RequiredScopes);
        Assert.Equal(["scp"], full.ScopeClaims);

        // Empty lists and absent strings keep the core's defaults (configuration cannot express null).
        TrustAnchor minimal = anchors[1];
        TrustAnchor defaults = new();
        Assert.Equal(jwks, minimal.Jwks);
        Assert.Empty(minimal.JwksUrls);
        Assert.Equal(["*"], minimal.Organisations);
        Assert.Equal((defaults.Workspaces, defaults.Audiences, defaults.AllowedAlgorithms, defaults.DefaultOrganisation, defaults.DefaultWorkspace), (minimal.Workspaces, minimal.Audiences, minimal.AllowedAlgorithms, minimal.DefaultOrganisation, minimal.DefaultWorkspace));
        Assert.Equal(defaults.ScopeClaims, minimal.ScopeClaims);
        Assert.Empty(minimal.RequiredScopes);
        Assert.Null(minimal.Authority);

        TrustAnchor discovered = anchors[2];
        Assert.Equal(new Uri("https://login.initech.example/tenant/v2.0"), discovered.Authority);
        Assert.Empty(discovered.JwksUrls);
        Assert.Null(discovered.Jwks);
    }

    [Fact]
    public async Task Issuers_TheAnchorSetIsDisposedWithTheContainer()
    {
        await using JwksServer jwksA = await JwksServer.StartAsync(TestKey.Jwks(_keyA));
        await using JwksServer jwksB = await JwksServer.StartAsync(TestKey.Jwks(_keyB));
        IHost host = BuildHost(Settings(jwksA, jwksB), Directory.GetCurrentDirectory());
        await host.StartAsync();
        PortkeyJwtValidator validator = host.Services.GetRequiredService<PortkeyJwtValidator>();
        Assert.True((await validator.ValidateAsync(Token(_keyA, IssuerA, "org-acme"))).IsValid);

        await host.StopAsync();
        host.Dispose();

        Assert.Equal(PortkeyJwtError.KeysUnavailable, (await validator.ValidateAsync(Token(_keyB, IssuerB, "org-globex"))).Error);
        Assert.Equal(0, jwksB.RequestCount);
    }

    public static TheoryData<string, string> BadSettings => new()
    {
        { """{ "JwksUrls": [ "https://auth.example.com/jwks.json" ], "ValidIssuers": [ "https://auth.example.com" ], "Issuers": [ { "Issuer": "https://a.example.com", "Jwks": "{}", "Organisations": [ "*" ] } ] }""", "PortkeyJwt: Issuers cannot be combined with JwksUrls, ValidIssuers: " },
        { """{ "JwksJson": "{}", "Issuers": [ { "Issuer": "https://a.example.com", "Jwks": "{}", "Organisations": [ "*" ] } ] }""", "PortkeyJwt: Issuers cannot be combined with JwksJson: " },
        { """{ "Issuers": [ { "Issuer": "https://a.example.com", "JwksUrls": [ "https://a.example.com/jwks" ], "Organisations": [ "*" ] }, { "Issuer": "https://b.example.com", "JwksUrls": [ "https://b.example.com/jwks" ] } ] }""", "PortkeyJwt:Issuers:1:Organisations: " },
        { """{ "Issuers": [ { "Issuer": "https://a.example.com", "JwksUrls": [ "https://a.example.com/jwks" ], "Organisations": [ "*" ] }, { "Issuer": "https://a.example.com", "JwksUrls": [ "https://b.example.com/jwks" ], "Organisations": [ "*" ] } ] }""", "PortkeyJwt:Issuers:1:Issuer: " },
        { """{ "Issuers": [ { "Issuer": "https://a.example.com", "JwksUrls": [ "http://a.example.com/jwks" ], "Organisations": [ "*" ] } ] }""", "PortkeyJwt:Issuers:0:JwksUrls: " },
        { """{ "Issuers": [ { "Issuer": "https://a.example.com", "Organisations": [ "*" ] } ] }""", "PortkeyJwt:Issuers:0:JwksUrls: " },
        { """{ "Issuers": [ { "Issuer": "https://a.example.com", "Authority": "http://a.example.com", "Organisations": [ "*" ] } ] }""", "PortkeyJwt:Issuers:0:Authority: Authority must use HTTPS" },
        { """{ "Issuers": [ { "Issuer": "https://a.example.com", "Authority": "https://a.example.com/?tenant=a", "Organisations": [ "*" ] } ] }""", "PortkeyJwt:Issuers:0:Authority: Authority must have no query" },
        { """{ "Issuers": [ { "Issuer": "https://a.example.com", "Authority": "ftp://a.example.com", "Organisations": [ "*" ] } ] }""", "PortkeyJwt:Issuers:0:Authority: Authority must be an absolute http(s) URL" },
        { """{ "Issuers": [ { "Issuer": "https://a.example.com", "Authority": "https://a.example.com", "JwksUrls": [ "https://a.example.com/jwks" ], "Organisations": [ "*" ] } ] }""", "PortkeyJwt:Issuers:0:JwksUrls: Exactly one key source is required: JwksUrls, Authority or Jwks." },
        { """{ "Issuers": [ { "Issuer": "https://a.example.com", "Authority": "https://a.example.com", "Organisations": [ "*" ] } ], "DiscoveryRefreshInterval": "00:00:30" }""", "PortkeyJwt: DiscoveryRefreshInterval: DiscoveryRefreshInterval must be from" },
        { """{ "Issuers": [ { "Issuer": "https://a.example.com", "Jwks": "{\"keys\":[]}", "Organisations": [ "*" ] } ] }""", "PortkeyJwt:Issuers:0:Jwks: " },
        { """{ "Issuers": [ { "Issuer": "https://a.example.com", "JwksFile": "no-such-file.json", "Organisations": [ "*" ] } ] }""", "PortkeyJwt:Issuers:0:JwksFile: " },
        { """{ "Issuers": [ { "Issuer": "https://a.example.com", "Jwks": "{}", "JwksFile": "keys.json", "Organisations": [ "*" ] } ] }""", "PortkeyJwt:Issuers:0:JwksFile: both Jwks and JwksFile are set" },
        { """{ "Issuers": [ { "Issuer": "https://a.example.com", "JwksUrls": [ "https://a.example.com/jwks" ], "Organisations": [ "org-a" ], "DefaultOrganisation": "org-b" } ] }""", "PortkeyJwt:Issuers:0:DefaultOrganisation: " },
        { """{ "Issuers": [ { "Issuer": "https://a.example.com", "JwksUrls": [ "https://a.example.com/jwks" ], "Organisations": [ "*" ], "AllowedAlgorithms": [ "HS256" ] } ] }""", "PortkeyJwt:Issuers:0:AllowedAlgorithms: " },
        { """{ "Issuers": [ { "Issuer": "https://a.example.com", "JwksUrls": [ "https://a.example.com/jwks" ], "Organisations": [ "*" ] } ], "FetchTimeout": "00:05:00" }""", "PortkeyJwt: FetchTimeout: FetchTimeout must be from" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task HostStart_WithBadIssuers_FailsNamingTheSetting(string section, string expected)
    {
        using IHost host = BuildHost($$"""{ "PortkeyJwt": {{section}} }""", Directory.GetCurrentDirectory());

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_JudgesOnlyIssuersInUse_AndNamesTheOneAtFault()
    {
        await using JwksServer jwksA = await JwksServer.StartAsync(TestKey.Jwks(_keyA));
        await using JwksServer jwksB = await JwksServer.StartAsync(TestKey.Jwks(_keyB));
        jwksB.FailWith(500);
        await using Gateway gateway = await Gateway.StartFromConfigurationAsync(Settings(jwksA, jwksB), services => services.AddHealthChecks().AddPortkeyJwt());
        HealthCheckService health = gateway.Services.GetRequiredService<HealthCheckService>();

        HealthReportEntry unused = (await health.CheckHealthAsync()).Entries[PortkeyJwtDefaults.HealthCheckName];
        Assert.Equal(HealthStatus.Healthy, unused.Status); // B's server is failing, but no token has named B
        Assert.Equal((2, 0), ((int)unused.Data["anchors"], (int)unused.Data["anchorsInUse"]));
        Assert.False(unused.Data.ContainsKey(IssuerA));

        using HttpResponseMessage fromA = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "Authorization", Token(_keyA, IssuerA, "org-acme")));
        using HttpResponseMessage fromB = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/me", "Authorization", Token(_keyB, IssuerB, "org-globex")));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Unauthorized), (fromA.StatusCode, fromB.StatusCode));

        HealthReportEntry used = (await health.CheckHealthAsync()).Entries[PortkeyJwtDefaults.HealthCheckName];
        Assert.Equal(HealthStatus.Unhealthy, used.Status);
        Assert.Contains(IssuerB, used.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(IssuerA, used.Description, StringComparison.Ordinal);
        Assert.Equal(2, (int)used.Data["anchorsInUse"]);
        var a = (IReadOnlyDictionary<string, object>)used.Data[IssuerA];
        var b = (IReadOnlyDictionary<string, object>)used.Data[IssuerB];
        Assert.Equal(("Healthy", 1, 1), ((string)a["status"], (int)a["keys"], (int)a["usableKeys"]));
        Assert.Equal("Unhealthy", (string)b["status"]);
    }

    [Fact]
    public async Task HealthCheck_IsDegradedNamingTheIssuerWhoseRefreshFails()
    {
        await using JwksServer jwksA = await JwksServer.StartAsync(TestKey.Jwks(_keyA));
        await using JwksServer jwksB = await JwksServer.StartAsync(TestKey.Jwks(_keyB));
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using IHost host = BuildHost(Settings(jwksA, jwksB), Directory.GetCurrentDirectory(), services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddHealthChecks().AddPortkeyJwt();
        });
        await host.StartAsync();
        PortkeyJwtValidator validator = host.Services.GetRequiredService<PortkeyJwtValidator>();
        Assert.True((await validator.ValidateAsync(Token(_keyA, IssuerA, "org-acme"))).IsValid);
        Assert.True((await validator.ValidateAsync(Token(_keyB, IssuerB, "org-globex"))).IsValid);
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);

        jwksB.FailWith(503);
        clock.Advance(TimeSpan.FromMinutes(15) * 1.1); // past the jittered default refresh interval (±5%)
        HealthReportEntry degraded = (await health.CheckHealthAsync()).Entries[PortkeyJwtDefaults.HealthCheckName];
        for (var limit = System.Diagnostics.Stopwatch.StartNew(); degraded.Status != HealthStatus.Degraded && limit.Elapsed < TimeSpan.FromSeconds(30);)
        {
            await Task.Delay(20); // B's scheduled refresh runs in the background: a bounded poll, not a sleep to wait it out
            degraded = (await health.CheckHealthAsync()).Entries[PortkeyJwtDefaults.HealthCheckName];
        }

        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains(IssuerB, degraded.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(IssuerA, degraded.Description, StringComparison.Ordinal);
        Assert.Equal("Degraded", ((IReadOnlyDictionary<string, object>)degraded.Data[IssuerB])["status"]);
        Assert.Equal("Healthy", ((IReadOnlyDictionary<string, object>)degraded.Data[IssuerA])["status"]);
        string later = Tokens.Mint(Tokens.Claims(clock.GetUtcNow()).With(("iss", IssuerB), ("portkey_oid", "org-globex")), _keyB);
        PortkeyJwtResult stillServed = await validator.ValidateAsync(later); // the last good set is still served
        Assert.True(stillServed.IsValid, stillServed.ToString());
        await host.StopAsync();
    }

    /// <summary>The two providers: A (<c>org-acme</c>) and B (<c>org-globex</c>), each with its own JWKS server.</summary>
    private static string Settings(JwksServer jwksA, JwksServer jwksB) => Section(
        new JsonObject { ["Issuer"] = IssuerA, ["JwksUrls"] = new JsonArray(jwksA.Url.ToString()), ["Organisations"] = new JsonArray("org-acme") },
        new JsonObject { ["Issuer"] = IssuerB, ["JwksUrls"] = new JsonArray(jwksB.Url.ToString()), ["Organisations"] = new JsonArray("org-globex") });

    private static string Section(params JsonObject[] issuers) => new JsonObject
    {
        ["PortkeyJwt"] = new JsonObject { ["AllowedAlgorithms"] = new JsonArray("ES256"), ["Issuers"] = new JsonArray([.. issuers]) },
    }.ToJsonString();

    private static string Token(TestKey key, string issuer, string organisation) =>
        Tokens.Mint(Tokens.Claims().With(("iss", issuer), ("portkey_oid", organisation)), key);

    private static IHost BuildHost(string json, string contentRoot, Action<IServiceCollection>? services = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = contentRoot });
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        services?.Invoke(builder.Services);
        builder.Services.AddPortkeyJwt(builder.Configuration.GetSection("PortkeyJwt"));
        return builder.Build();
    }
}
