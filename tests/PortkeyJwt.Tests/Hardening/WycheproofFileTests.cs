using Xunit.Abstractions;

namespace PortkeyJwt.Tests.Hardening;

/// <summary>
/// The checks every Project Wycheproof JWS-shaped file gets (see Vectors/data/wycheproof/README.md): each case through
/// the JWS-level entry point <see cref="PortkeyJwtValidator.VerifyJws"/> gives its label's verdict or the one its row in
/// <see cref="Wycheproof.Overrides"/> gives; every "invalid" case through the full validator is still rejected, never with a
/// claim error; and every override row names real cases with the label the file gives them.
/// </summary>
/// <param name="output">Receives each run's summary.</param>
/// <param name="file">The file under Vectors/data/wycheproof.</param>
/// <param name="cases">How many cases the file holds.</param>
/// <param name="labelledValid">How many of them the file labels "valid".</param>
public abstract class WycheproofFileTests(ITestOutputHelper output, string file, int cases, int labelledValid)
{
    /// <summary>The file under test.</summary>
    protected string File => file;

    [Fact]
    public void EveryCase_VerifyJws_GivesTheLabelledVerdict_OrItsOverride()
    {
        Wycheproof.Report report = Wycheproof.RunAll(file);

        output.WriteLine(report.Summary);
        Assert.True(report.Failures.Count == 0, $"{report.Failures.Count} failure(s):{Environment.NewLine}{string.Join(Environment.NewLine, report.Failures)}");
        Assert.Equal(report.NumberOfTests, report.Run);
        Assert.Equal(cases, report.Run);
        Assert.Equal((labelledValid, cases - labelledValid), (report.LabelledValid, report.LabelledInvalid));
    }

    [Fact]
    public void InvalidCases_ThroughTheFullValidator_AreRejected_NeverWithAClaimError()
    {
        Wycheproof.Report report = Wycheproof.RunAll(file, fullValidator: true);

        output.WriteLine(report.Summary);
        Assert.True(report.Failures.Count == 0, string.Join(Environment.NewLine, report.Failures));
        Assert.Equal(cases - labelledValid, report.FullValidatorRun);
    }

    [Fact]
    public void OverrideTable_NamesRealCases_WithTheLabelTheFileGives() =>
        Wycheproof.AssertOverridesMatchFile(file);
}
