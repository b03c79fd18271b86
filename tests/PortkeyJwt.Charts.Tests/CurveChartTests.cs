using System.Xml.Linq;
using PortkeyJwt.Curves;

namespace PortkeyJwt.Charts.Tests;

/// <summary>The curves' data format round-trips, reads the distinct-tokens curve's first format, and draws as SVG naming its numbers and run.</summary>
public sealed class CurveChartTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("curves-").FullName;

    private static readonly RunInfo Run = new("2026-12-04 04:00:00Z", "abc1234", "2 cores, AMD EPYC, Debian, .NET 10", 2, "AMD EPYC");

    private static CurveFile Anchors() => new(
        "trust-anchors", "A valid token through n anchors.", "Interleaved blocks.", Run,
        [new("anchors", "trust anchors configured"), new("ns", "ns per validation"), new("ratio", "ns / ns with one anchor")],
        [
            new Dictionary<string, double> { ["anchors"] = 1, ["ns"] = 22130.2, ["ratio"] = 1 },
            new Dictionary<string, double> { ["anchors"] = 10_000, ["ns"] = 22139.3, ["ratio"] = 1.0004 },
        ]);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Write_ThenRead_KeepsRunFieldsAndPoints()
    {
        CurveFile read = CurveFile.Read(Anchors().Write(_dir));

        Assert.Equal(Run, read.Run);
        Assert.Equal("Interleaved blocks.", read.Method);
        Assert.Equal(["anchors", "ns", "ratio"], read.Fields.Select(f => f.Key));
        Assert.Equal(1.0004, read.Points[1]["ratio"]);
        string[] csv = File.ReadAllLines(Path.Combine(_dir, "trust-anchors.csv"));
        Assert.Equal(["anchors,ns,ratio", "1,22130.2,1", "10000,22139.3,1.0004"], csv.Where(l => !l.StartsWith('#')));
        Assert.Contains(csv, l => l == "# date: 2026-12-04 04:00:00Z; commit: abc1234; machine: 2 cores, AMD EPYC, Debian, .NET 10");
    }

    [Fact]
    public void Read_DistinctTokensFirstFormat_RunFieldsItLacksAreUnknown()
    {
        string path = Path.Combine(_dir, "distinct-tokens.json");
        File.WriteAllText(path, """
            {"description":"Distinct tokens cycled.","fields":{"distinctTokens":"tokens","ratio":"cached / off","hitRate":"hits"},
             "machine":"2 cores, Linux, .NET 10","date":"2026-12-04 04:10:00Z",
             "points":[{"distinctTokens":1000,"ratio":0.004,"hitRate":1,"note":"skipped"}]}
            """);

        CurveFile read = CurveFile.Read(path);

        Assert.Equal("distinct-tokens", read.Name);
        Assert.Equal(new RunInfo("2026-12-04 04:10:00Z", "unknown", "2 cores, Linux, .NET 10", null, "unknown"), read.Run);
        Assert.Equal(new Dictionary<string, double> { ["distinctTokens"] = 1000, ["ratio"] = 0.004, ["hitRate"] = 1 }, read.Points[0]);
    }

    [Fact]
    public void Svg_OfACurve_IsSvgShowingEveryRatioAndTheRun()
    {
        string svg = Charts.Svg(Anchors(), Charts.Specs.Single(s => s.Curve == "trust-anchors"));

        XDocument doc = XDocument.Parse(svg);
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        string text = string.Concat(doc.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
        Assert.Contains("1.000×", text);
        Assert.Contains("10,000", text);
        Assert.Contains("abc1234", text);
        Assert.Contains("22.1 µs", text);
    }
}
