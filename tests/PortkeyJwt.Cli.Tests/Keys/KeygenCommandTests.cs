using System.Text.Json;

namespace PortkeyJwt.Cli.Tests.Keys;

public sealed class KeygenCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("RS256", new[] { "kty", "kid", "use", "alg", "n", "e" })]
    [InlineData("PS256", new[] { "kty", "kid", "use", "alg", "n", "e" })]
    [InlineData("ES256", new[] { "kty", "kid", "use", "alg", "crv", "x", "y" })]
    public async Task Keygen_WritesAPublicOnlyJwks(string algorithm, string[] members)
    {
        string output = Path.Combine(_dir.Path, "nested", "keys");

        CliRun run = await CliRunner.RunAsync(["keygen", "--alg", algorithm, "--kid", "my-key", "--out", output]);

        Assert.Equal(0, run.ExitCode);
        using JsonDocument jwks = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "jwks.json")));
        JsonElement key = Assert.Single(jwks.RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal(members, key.EnumerateObject().Select(p => p.Name));
        Assert.False(key.TryGetProperty("d", out _));
        Assert.Equal("my-key", key.GetProperty("kid").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.Equal(algorithm, key.GetProperty("alg").GetString());
        Assert.Equal(algorithm == "ES256" ? "EC" : "RSA", key.GetProperty("kty").GetString());
        using JwksKeyProvider provider = JwksKeyProvider.FromJson(jwks.RootElement.GetRawText());
        Assert.Equal(["my-key"], provider.KeyIds);
    }

    [Fact]
    public async Task PrivateKey_IsPkcs8Pem_WithMode0600()
    {
        CliRun run = await CliRunner.RunAsync(["keygen", "--out", _dir.Path]);

        Assert.Equal(0, run.ExitCode);
        string pem = File.ReadAllText(_dir.File("private.pem"));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        using var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportFromPem(pem);
        Assert.Equal(2048, rsa.KeySize);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir.File("private.pem")));
        }
    }

    [Fact]
    public async Task DefaultKid_IsAShortRandomId()
    {
        using var other = new TempDirectory();

        await CliRunner.RunAsync(["keygen", "--out", _dir.Path]);
        await CliRunner.RunAsync(["keygen", "--out", other.Path]);

        string first = KidOf(_dir.File("jwks.json"));
        Assert.InRange(first.Length, 8, 16);
        Assert.NotEqual(first, KidOf(other.File("jwks.json")));
    }

    [Fact]
    public async Task Bits_SetTheRsaModulusSize()
    {
        CliRun run = await CliRunner.RunAsync(["keygen", "--bits", "3072", "--out", _dir.Path]);

        Assert.Equal(0, run.ExitCode);
        using var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(_dir.File("private.pem")));
        Assert.Equal(3072, rsa.KeySize);
    }

    [Theory]
    [InlineData("2048")]
    [InlineData("3072")]
    [InlineData("4096")] // parsed only: generating a 4096-bit key takes seconds
    public void Bits_AcceptsTheThreeSupportedSizes(string bits)
    {
        var io = new CliIo(TextReader.Null, TextWriter.Null, TextWriter.Null, TimeProvider.System);

        System.CommandLine.ParseResult parsed = Cli.Build(io).Parse(["keygen", "--bits", bits, "--out", _dir.Path]);

        Assert.Empty(parsed.Errors);
    }

    [Fact]
    public async Task Es256_IgnoresBits()
    {
        CliRun run = await CliRunner.RunAsync(["keygen", "--alg", "ES256", "--bits", "4096", "--out", _dir.Path]);

        Assert.Equal(0, run.ExitCode);
        using var ec = System.Security.Cryptography.ECDsa.Create();
        ec.ImportFromPem(File.ReadAllText(_dir.File("private.pem")));
        Assert.Equal(256, ec.KeySize);
    }

    [Theory]
    [InlineData("--bits", "1024")]
    [InlineData("--bits", "2049")]
    [InlineData("--bits", "lots")] // was an unhandled InvalidOperationException from the validator
    [InlineData("--alg", "HS256")]
    [InlineData("--alg", "ES384")]
    public async Task UnsupportedBitsOrAlg_ExitTwo(string option, string value)
    {
        CliRun run = await CliRunner.RunAsync(["keygen", option, value, "--out", _dir.Path]);

        Assert.Equal(2, run.ExitCode);
        Assert.False(File.Exists(_dir.File("private.pem")));
    }

    [Fact]
    public async Task ExistingFiles_AreNotOverwritten_WithoutForce()
    {
        await CliRunner.RunAsync(["keygen", "--kid", "first", "--out", _dir.Path]);
        string pem = File.ReadAllText(_dir.File("private.pem"));

        CliRun refused = await CliRunner.RunAsync(["keygen", "--kid", "second", "--out", _dir.Path]);

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--force", refused.Error, StringComparison.Ordinal);
        Assert.Equal(pem, File.ReadAllText(_dir.File("private.pem")));
        Assert.Equal("first", KidOf(_dir.File("jwks.json")));
    }

    [Fact]
    public async Task AnExistingJwksAlone_AlsoBlocksKeygen()
    {
        _dir.Write("jwks.json", "{}");

        CliRun refused = await CliRunner.RunAsync(["keygen", "--out", _dir.Path]);

        Assert.Equal(2, refused.ExitCode);
        Assert.False(File.Exists(_dir.File("private.pem")));
    }

    [Fact]
    public async Task Force_Overwrites_AndTheNewPrivateKeyIsStill0600()
    {
        await CliRunner.RunAsync(["keygen", "--kid", "first", "--out", _dir.Path]);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_dir.File("private.pem"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        CliRun run = await CliRunner.RunAsync(["keygen", "--kid", "second", "--force", "--out", _dir.Path]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("second", KidOf(_dir.File("jwks.json")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir.File("private.pem")));
        }
    }

    private static string KidOf(string jwksPath)
    {
        using JsonDocument jwks = JsonDocument.Parse(File.ReadAllText(jwksPath));
        return jwks.RootElement.GetProperty("keys")[0].GetProperty("kid").GetString()!;
    }
}
