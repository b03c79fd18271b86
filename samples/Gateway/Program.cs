// A minimal gateway: every chat completion needs a valid Portkey JWT granting completions.write.
// Configure the "PortkeyJwt" section of appsettings.json (the JWKS URL is a placeholder), then:
//   dotnet run --project samples/Gateway
//   curl -X POST http://localhost:5080/v1/chat/completions -H "x-portkey-api-key: <jwt>"
// Port 5080 comes from the launch profile (Properties/launchSettings.json), which dotnet run applies; --urls overrides
// it, and ASPNETCORE_URLS does without the profile (as for any ASP.NET Core app; http://localhost:5000 when neither is set):
//   dotnet run --project samples/Gateway -- --urls http://127.0.0.1:8080
//   ASPNETCORE_URLS=http://127.0.0.1:8080 dotnet run --project samples/Gateway --no-launch-profile
using PortkeyJwt;
using PortkeyJwt.AspNetCore;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

// With --environment TwoOrganisations, appsettings.TwoOrganisations.json trusts two organisations' identity providers
// (PortkeyJwt:Issuers) from its own section: configuration files merge, so it could not unset appsettings.json's single issuer.
string section = builder.Environment.IsEnvironment("TwoOrganisations") ? "TwoOrganisations:PortkeyJwt" : "PortkeyJwt";
builder.Services.AddPortkeyJwt(builder.Configuration.GetSection(section));
builder.Services.AddAuthentication(PortkeyJwtDefaults.AuthenticationScheme).AddPortkeyJwt();
builder.Services.AddAuthorization();
builder.Services.AddHealthChecks().AddPortkeyJwt();

WebApplication app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();

app.MapPost("/v1/chat/completions", (HttpContext context) =>
{
    PortkeyPrincipal caller = context.GetPortkeyPrincipal()!;
    return Results.Json(new Caller(caller.OrganisationId, caller.WorkspaceSlug, caller.UserId), CallerJson.Default.Caller);
}).RequirePortkeyScope("completions.write");

app.MapHealthChecks("/healthz");

app.Run();

/// <summary>Who called: what the gateway would forward upstream.</summary>
internal sealed record Caller(string Organisation, string Workspace, string? User);

/// <summary>Source-generated JSON for <see cref="Caller"/> (no reflection).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(Caller))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class CallerJson : System.Text.Json.Serialization.JsonSerializerContext;
