using System.Globalization;
using PortkeyJwt.Curves;
using ScottPlot;

namespace PortkeyJwt.Charts;

/// <summary>One bar series of a chart: the point field it draws, its legend, and how its value is labelled over each bar.</summary>
internal sealed record Series(string Field, string Legend, Func<double, string> Format);

/// <summary>
/// How one curve is drawn: a bar per measured size (and per series), the value written over each bar, the size and a
/// second line (e.g. the absolute time) under it, a dashed reference line, and the run in the title.
/// </summary>
internal sealed record ChartSpec(
    string Curve,
    string Title,
    string XField,
    string XLabel,
    string YLabel,
    Series[] Series,
    Func<IReadOnlyDictionary<string, double>, string> Detail,
    double? Reference = null);

/// <summary>Draws <see cref="CurveFile"/>s as SVG with ScottPlot.</summary>
internal static class Charts
{
    public const int Width = 720;

    public const int Height = 440;

    /// <summary>The README's curves, in its order.</summary>
    public static readonly ChartSpec[] Specs =
    [
        new("distinct-tokens", "Distinct live tokens cycled, default cache: time vs cache off", "distinctTokens", "distinct tokens cycled (default cache: 10,000 entries)", "time / cache off",
            [new("ratio", "with the cache", Ratio)],
            p => FormattableString.Invariant($"hits {Get(p, "hitRate") * 100:0}%\n{Get(p, "cacheBytes") / 1e6:0.0} MB"), Reference: 1),
        new("trust-anchors", "Trust anchors: valid token (cache off) vs one anchor", "anchors", "trust anchors configured", "time / time with one anchor",
            [new("ratio", "validation", Ratio)], p => Micros(Get(p, "ns")), Reference: 1),
        new("revocation-entries", "Revocation entries: the check a valid token pays", "entries", "revocation entries in force", "ns per check",
            [new("ns", "revocation check", v => v.ToString("0.0", CultureInfo.InvariantCulture) + " ns")], p => Get(p, "entries") == 0 ? "(no entry: no probe)" : string.Empty),
        new("token-size", "Token size: validation (cache off) vs the RSA floor of the same token", "tokenBytes", "token length (bytes)", "time / the floor's",
            [new("ratio", "validation", Ratio)], p => FormattableString.Invariant($"{Micros(Get(p, "validationNs"))} vs {Micros(Get(p, "floorNs"))}"), Reference: 1),
        new("threads", "Threads: speed-up of one shared validator vs the floor's", "threads", "threads", "speed-up over one thread",
            [new("floorSpeedUp", "the floor (RSA.VerifyData)", Ratio), new("validationSpeedUp", "validation (cache off)", Ratio)],
            p => FormattableString.Invariant($"validation ÷ floor {Get(p, "relative"):0.00}")),
    ];

    /// <summary>Draws <paramref name="curve"/> as <paramref name="spec"/> says and returns the SVG text.</summary>
    public static string Svg(CurveFile curve, ChartSpec spec) =>
        // Skia measured the text in DejaVu Sans; a browser without it falls back to a font of similar width.
        Build(curve, spec).GetSvgXml(Width, Height).Replace("font-family=\"DejaVu Sans\"", "font-family=\"DejaVu Sans, Verdana, sans-serif\"", StringComparison.Ordinal);

    /// <summary>The chart as a ScottPlot plot (also saved as PNG for a preview where no SVG viewer is at hand).</summary>
    public static Plot Build(CurveFile curve, ChartSpec spec)
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        plot.Title(spec.Title + "\n" + curve.Run.Caption, size: 13);
        plot.Axes.Title.Label.FontSize = 14;
        plot.XLabel(spec.XLabel, size: 13);
        plot.YLabel(spec.YLabel, size: 13);

        int groups = curve.Points.Count;
        int perGroup = spec.Series.Length;
        double width = 0.8 / perGroup;
        double top = 0;
        Color[] palette = [Color.FromHex("#4C72B0"), Color.FromHex("#DD8452")];
        for (int s = 0; s < perGroup; s++)
        {
            Series series = spec.Series[s];
            var bars = new List<Bar>();
            for (int g = 0; g < groups; g++)
            {
                double value = Get(curve.Points[g], series.Field);
                top = Math.Max(top, value);
                bars.Add(new Bar
                {
                    Position = g + ((s - ((perGroup - 1) / 2.0)) * width),
                    Value = value,
                    Size = width * 0.9,
                    Label = series.Format(value),
                    FillColor = palette[s % palette.Length],
                });
            }

            var plottable = plot.Add.Bars(bars);
            plottable.ValueLabelStyle.FontSize = 13;
            plottable.ValueLabelStyle.Bold = true;
            plottable.LegendText = perGroup > 1 ? series.Legend : string.Empty;
        }

        if (spec.Reference is double reference)
        {
            var line = plot.Add.HorizontalLine(reference);
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = 1;
            line.Color = Colors.Gray;
        }

        double[] positions = [.. Enumerable.Range(0, groups).Select(g => (double)g)];
        string[] labels = [.. curve.Points.Select(p => Size(Get(p, spec.XField)) + "\n" + spec.Detail(p))];
        plot.Axes.Bottom.SetTicks(positions, labels);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 12;
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.SetLimitsX(-0.6, groups - 0.4);
        plot.Axes.SetLimitsY(0, Math.Max(top, spec.Reference ?? 0) * 1.25);
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        if (perGroup > 1)
        {
            plot.ShowLegend(Alignment.UpperLeft);
        }

        return plot;
    }

    /// <summary>Draws every curve found in <paramref name="dataDirs"/> (the first holding its file wins) into <paramref name="outDir"/>.</summary>
    public static List<string> RenderAll(IReadOnlyList<string> dataDirs, string outDir, string? pngDir = null)
    {
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        foreach (ChartSpec spec in Specs)
        {
            string? data = dataDirs.Select(d => Path.Combine(d, spec.Curve + ".json")).FirstOrDefault(File.Exists);
            if (data is null)
            {
                Console.WriteLine($"{spec.Curve}: no data in {string.Join(", ", dataDirs)}; skipped");
                continue;
            }

            string svg = Path.Combine(outDir, spec.Curve + ".svg");
            CurveFile curve = CurveFile.Read(data);
            File.WriteAllText(svg, Svg(curve, spec));
            if (pngDir is not null)
            {
                Directory.CreateDirectory(pngDir);
                Build(curve, spec).SavePng(Path.Combine(pngDir, spec.Curve + ".png"), Width, Height);
            }

            Console.WriteLine($"{spec.Curve}: {data} -> {svg}");
            written.Add(svg);
        }

        return written;
    }

    private static double Get(IReadOnlyDictionary<string, double> point, string field) =>
        point.TryGetValue(field, out double value) ? value : double.NaN;

    private static string Ratio(double value) => value.ToString("0.000", CultureInfo.InvariantCulture) + "×";

    private static string Micros(double ns) => (ns / 1000).ToString("0.0", CultureInfo.InvariantCulture) + " µs";

    private static string Size(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
