using System.Net;
using System.Net.Sockets;

namespace PortkeyJwt.Cli.Tests.Validate;

public sealed class ValidateRemoteJwksTests
{
    [Fact]
    public async Task JwksUrl_ServedLocally_ValidTokenExitsZeroWithPrincipal()
    {
        await using LocalJwksServer server = await LocalJwksServer.StartAsync(TestKeys.Jwks);

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", server.Url.ToString(), TestKeys.Rs256.Sign(TestKeys.Claims())]);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("""{"valid":true,"principal":{"organisationId":"org-7c1e",""", run.Out, StringComparison.Ordinal);
        Assert.True(server.Requests >= 1);
    }

    [Fact]
    public async Task JwksUrl_RejectionsKeepTheirStatus_401And403()
    {
        await using LocalJwksServer server = await LocalJwksServer.StartAsync(TestKeys.Jwks);
        string stdin = TestKeys.Tampered(TestKeys.Rs256.Sign(TestKeys.Claims())) + "\n" + TestKeys.Rs256.Sign(TestKeys.Claims());

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", server.Url.ToString(), "--scope", "admin", "-"], stdin);

        Assert.Equal(1, run.ExitCode);
        ValidateCommandTests.AssertRejection(run.Lines[0], "InvalidSignature", 401);
        ValidateCommandTests.AssertRejection(run.Lines[1], "InsufficientScope", 403);
    }

    [Fact]
    public async Task JwksUrlWithNoUsableKey_ExitsTwo_SayingWhyEachKeyWasSkipped()
    {
        await using LocalJwksServer server = await LocalJwksServer.StartAsync("""{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"}]}""");

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", server.Url.ToString(), "x.y.z"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Equal(
            [
                $"error: could not load the JWKS: {server.Url}: invalid JWKS: no key in the set is usable for signature verification",
                "  JWKS key #0 (kid 'h') skipped: it carries private key material ('k'); a JWKS must publish public keys only",
            ],
            ValidateCommandTests.ErrorLines(run));
    }

    [Fact]
    public async Task JwksUrlWithSomeKeysSkipped_WarnsPerSkippedKey()
    {
        JsonObject oct = new() { ["kty"] = "oct", ["kid"] = "h", ["k"] = "c2VjcmV0" };
        await using LocalJwksServer server = await LocalJwksServer.StartAsync(new JsonObject { ["keys"] = new JsonArray(TestKeys.Rs256.PublicJwk(), oct) }.ToJsonString());

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", server.Url.ToString(), TestKeys.Rs256.Sign(TestKeys.Claims())]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["warning: JWKS key #1 (kid 'h') skipped: it carries private key material ('k'); a JWKS must publish public keys only"], ValidateCommandTests.ErrorLines(run));
    }

    [Fact]
    public async Task UnreachableJwksUrl_ExitsTwoWithOneStderrLine_AndEmptyStdout()
    {
        int port = FreePort();

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", $"http://127.0.0.1:{port}/.well-known/jwks.json", "x.y.z"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.StartsWith("error: could not load the JWKS:", run.Error, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, run.Error.Count(c => c == '\n'));
    }

    [Fact]
    public async Task HttpsToAPlainHttpServer_SaysWhyTheTlsHandshakeFailed()
    {
        await using LocalJwksServer server = await LocalJwksServer.StartAsync(TestKeys.Jwks);
        string url = new UriBuilder(server.Url) { Scheme = "https" }.Uri.ToString();

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", url, "x.y.z"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        string error = Assert.Single(ValidateCommandTests.ErrorLines(run));
        Assert.StartsWith($"error: could not load the JWKS: {url}: network error: The SSL connection could not be established: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("inner exception", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainHttpToANonLoopbackHost_ExitsTwo_NamingOnlyWhatTheCliAllows()
    {
        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", "http://jwks.example/.well-known/jwks.json", "x.y.z"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Equal(["error: --jwks: plain http is allowed only to loopback (localhost, 127.0.0.1, [::1]); use an https URL."], ValidateCommandTests.ErrorLines(run));
    }

    /// <summary>A loopback port nothing listens on: bound, read, released.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
