// The upstream behind samples/Gateway, for trying the gateway out: it answers every request with the identity headers
// it received, and whether any token reached it. A real upstream trusts these headers only because the gateway is
// the one way in (it removes any a client sends): never expose such an upstream directly.
//   dotnet run --project samples/EchoUpstream -- --urls http://127.0.0.1:5082
// Answers, for a token of org-1/ws-1/ada@example.com granting completions.write:
//   {"organisation":"org-1","workspace":"ws-1","user":"ada@example.com","scopes":"completions.write","tokenReceived":false}
using System.Text.Json.Serialization;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
WebApplication app = builder.Build();

app.Run(context =>
{
    IHeaderDictionary headers = context.Request.Headers;
    var received = new Received(
        Organisation: headers["x-portkey-organisation"],
        Workspace: headers["x-portkey-workspace"],
        User: headers["x-portkey-user"],
        Scopes: headers["x-portkey-scopes"],
        TokenReceived: headers.ContainsKey("x-portkey-api-key") || headers.ContainsKey("Authorization"));
    return context.Response.WriteAsJsonAsync(received, ReceivedJson.Default.Received);
});

app.Run();

/// <summary>What the upstream was told about the caller: a header is null when it did not arrive.</summary>
internal sealed record Received(string? Organisation, string? Workspace, string? User, string? Scopes, bool TokenReceived);

/// <summary>Source-generated JSON for <see cref="Received"/> (no reflection).</summary>
[JsonSerializable(typeof(Received))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class ReceivedJson : JsonSerializerContext;
