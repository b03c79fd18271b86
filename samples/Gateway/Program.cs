// A minimal gateway in front of an LLM upstream, proxied with YARP: every /v1/* request needs a valid Portkey JWT, and
// chat completions need the scope completions.write. The upstream learns who called from headers the gateway sets
// (x-portkey-organisation, x-portkey-workspace, x-portkey-user, x-portkey-scopes): whatever a client sends under those
// names is removed first, and the token itself is not forwarded.
// Configure the "PortkeyJwt" section of appsettings.json (the JWKS URL is a placeholder) and the upstream in YARP's
// "ReverseProxy" section (ReverseProxy:Clusters:upstream:Destinations:primary:Address, or the environment variable
// ReverseProxy__Clusters__upstream__Destinations__primary__Address; by default http://127.0.0.1:5082/, where
// samples/EchoUpstream listens and answers with the identity it received), then:
//   dotnet run --project samples/EchoUpstream -- --urls http://127.0.0.1:5082 &
//   dotnet run --project samples/Gateway
//   curl -X POST http://localhost:5080/v1/chat/completions -H "x-portkey-api-key: <jwt>"
// Port 5080 comes from the launch profile (Properties/launchSettings.json), which dotnet run applies; --urls overrides
// it, and ASPNETCORE_URLS does without the profile (as for any ASP.NET Core app; http://localhost:5000 when neither is set):
//   dotnet run --project samples/Gateway -- --urls http://127.0.0.1:8080
//   ASPNETCORE_URLS=http://127.0.0.1:8080 dotnet run --project samples/Gateway --no-launch-profile
using PortkeyJwt.AspNetCore;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

// With --environment TwoOrganisations, appsettings.TwoOrganisations.json trusts two organisations' identity providers
// (PortkeyJwt:Issuers) from its own section: configuration files merge, so it could not unset appsettings.json's single issuer.
string section = builder.Environment.IsEnvironment("TwoOrganisations") ? "TwoOrganisations:PortkeyJwt" : "PortkeyJwt";
builder.Services.AddPortkeyJwt(builder.Configuration.GetSection(section));
builder.Services.AddAuthentication(PortkeyJwtDefaults.AuthenticationScheme).AddPortkeyJwt();
IHealthChecksBuilder health = builder.Services.AddHealthChecks().AddPortkeyJwt();

// Revocation across a fleet, when PortkeyJwt:Revocation:Redis names a Redis (or PortkeyJwt__Revocation__Redis=host:6379):
// every gateway enforces the revocations written there (portkey-jwt revoke --redis host:6379 --jti ID) within a second,
// and /healthz reports how current its copy is. Without it, nothing is revoked and nothing connects to Redis.
IConfigurationSection revocation = builder.Configuration.GetSection("PortkeyJwt:Revocation");
if (!string.IsNullOrWhiteSpace(revocation["Redis"]))
{
    builder.Services.AddPortkeyJwtRedisRevocation(revocation);
    health.AddPortkeyJwtRevocation();
}

// The policies the routes in ReverseProxy:Routes name: "completions" (/v1/chat/completions, any method) and "caller"
// (the rest of /v1/*).
builder.Services.AddAuthorization(options =>
{
    options.AddPortkeyScopePolicy("completions", "completions.write");
    options.AddPolicy("caller", policy => policy.AddAuthenticationSchemes(PortkeyJwtDefaults.AuthenticationScheme).RequireAuthenticatedUser());
});

// Routes and the upstream from configuration; on every route, the identity headers replace whatever the client sent.
builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddPortkeyIdentityHeaders();

WebApplication app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();

app.MapReverseProxy(); // a request its route's policy refuses is answered 401/403 here and never reaches the upstream
app.MapHealthChecks("/healthz");

// For the load benchmark only (benchmarks/gateway): with BenchmarkEndpoint=true, GET /benchmark answers "ok" to a caller
// the "completions" policy admits, without proxying, so that authentication is all the request costs. Off by default.
if (builder.Configuration.GetValue<bool>("BenchmarkEndpoint"))
{
    app.MapGet("/benchmark", () => "ok").RequireAuthorization("completions");
}

app.Run();
