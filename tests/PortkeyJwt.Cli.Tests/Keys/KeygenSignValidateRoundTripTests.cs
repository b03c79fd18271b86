using System.Text.Json;

namespace PortkeyJwt.Cli.Tests.Keys;

public sealed class KeygenSignValidateRoundTripTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("RS256", "RS256")]
    [InlineData("PS256", "PS256")]
    [InlineData("ES256", "ES256")]
    public async Task KeygenThenSignThenValidate_IsValid(string keyAlgorithm, string validateAlg)
    {
        Assert.Equal(0, (await CliRunner.RunAsync(["keygen", "--alg", keyAlgorithm, "--kid", "rt", "--out", _dir.Path])).ExitCode);
        string[] signAlg = keyAlgorithm == "PS256" ? ["--alg", "PS256"] : [];

        CliRun signed = await CliRunner.RunAsync(["sign", "--key", _dir.File("private.pem"), "--kid", "rt", .. signAlg,
            "--org", "org-1", "--workspace", "ws-1", "--scope", "completions.write", "--uid", "u-9", "--issuer", TestKeys.Issuer, "--ttl", "15m"]);
        Assert.Equal(0, signed.ExitCode);
        Assert.Empty(signed.Error);
        string token = Assert.Single(signed.Lines);

        CliRun run = await CliRunner.RunAsync(["validate", "--jwks", _dir.File("jwks.json"), "--alg", validateAlg, "--issuer", TestKeys.Issuer, "--scope", "completions.write", token]);

        Assert.Equal(0, run.ExitCode);
        using JsonDocument verdict = JsonDocument.Parse(run.Out);
        JsonElement principal = verdict.RootElement.GetProperty("principal");
        Assert.Equal("org-1", principal.GetProperty("organisationId").GetString());
        Assert.Equal("u-9", principal.GetProperty("userId").GetString());
        Assert.Equal("rt", principal.GetProperty("keyId").GetString());
        Assert.Equal("2026-06-01T12:15:00Z", principal.GetProperty("expiresAt").GetString());
    }

    [Fact]
    public async Task Ps256Key_SignsPs256_WhenAsked_AndTheTokenSaysSo()
    {
        await CliRunner.RunAsync(["keygen", "--alg", "PS256", "--kid", "p", "--out", _dir.Path]);

        CliRun signed = await CliRunner.RunAsync(["sign", "--key", _dir.File("private.pem"), "--kid", "p", "--alg", "PS256", "--org", "o", "--workspace", "w", "--scope", "s"]);
        CliRun inspected = await CliRunner.RunAsync(["inspect", signed.Lines[0]]);

        Assert.Contains("\"alg\": \"PS256\"", inspected.Out, StringComparison.Ordinal);
    }
}
