namespace PortkeyJwt.Cli.Tests;

public sealed class DemoAndHelpTests
{
    [Fact]
    public async Task Demo_RunsEndToEnd_AndEveryVerdictIsAsExpected()
    {
        CliRun run = await CliRunner.RunAsync(["demo"]);

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Contains("verdicts as expected", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_TwoOrganisationsAct_ShowsEachRowWithItsExpectedVerdict()
    {
        (string Row, string Verdict)[] expected =
        [
            ("two orgs: A's token", "valid"),
            ("two orgs: B's token (same kid, own key)", "valid"),
            ("two orgs: B's key claiming A's issuer", "InvalidSignature"),
            ("two orgs: A asserting B's organisation", "OrganisationNotAllowed"),
            ("two orgs: unknown issuer (JWKS fetches 2 -> 2)", "UnknownIssuer"), // A and B fetched once each; C never
        ];

        CliRun run = await CliRunner.RunAsync(["demo"]);

        foreach ((string row, string verdict) in expected)
        {
            string line = Assert.Single(run.Lines, l => l.StartsWith(row + " ", StringComparison.Ordinal));
            string[] cells = line[row.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal([verdict, "ok", verdict], cells[..3]);
        }
    }

    [Fact]
    public async Task Version_ExitsZero_AndPrintsAVersion()
    {
        CliRun run = await CliRunner.RunAsync(["--version"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", run.Out);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("demo --help")]
    [InlineData("validate --help")]
    [InlineData("inspect --help")]
    [InlineData("keygen --help")]
    [InlineData("sign --help")]
    [InlineData("serve-jwks --help")]
    public async Task Help_ExitsZero_AndDescribesUsage(string commandLine)
    {
        CliRun run = await CliRunner.RunAsync(commandLine.Split(' '));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Out, StringComparison.Ordinal);
        Assert.Empty(run.Error);
    }
}
