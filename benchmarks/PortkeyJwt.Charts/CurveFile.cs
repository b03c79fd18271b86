using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PortkeyJwt.Curves;

/// <summary>
/// One cost curve as data: what was measured, by which run, and one row of numbers per measured size. Written by the
/// benchmark project's <c>--curves</c> mode and read by <c>PortkeyJwt.Charts</c>; the format is described in
/// <c>docs/curves/README.md</c>. This file is compiled into both projects (the benchmark project links it), so it uses
/// nothing but the base library.
/// </summary>
/// <param name="Name">The file name without extension, e.g. <c>trust-anchors</c>.</param>
/// <param name="Description">What the curve measures, one or two sentences.</param>
/// <param name="Method">How it was measured (interleaving, blocks, which statistic).</param>
/// <param name="Run">The run that produced the numbers.</param>
/// <param name="Fields">Each column's name and meaning with its unit, in column order.</param>
/// <param name="Points">One row per measured size, keyed by the names in <paramref name="Fields"/>.</param>
internal sealed record CurveFile(
    string Name,
    string Description,
    string Method,
    RunInfo Run,
    IReadOnlyList<KeyValuePair<string, string>> Fields,
    IReadOnlyList<IReadOnlyDictionary<string, double>> Points)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes <c>{Name}.json</c> and <c>{Name}.csv</c> into <paramref name="dir"/>; returns the JSON path.</summary>
    public string Write(string dir)
    {
        Directory.CreateDirectory(dir);
        var json = new JsonObject
        {
            ["curve"] = Name,
            ["description"] = Description,
            ["method"] = Method,
            ["date"] = Run.Date,
            ["commit"] = Run.Commit,
            ["machine"] = Run.Machine,
            ["cores"] = Run.Cores,
            ["cpu"] = Run.Cpu,
            ["fields"] = new JsonObject([.. Fields.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value))]),
            ["points"] = new JsonArray([.. Points.Select(p => (JsonNode)new JsonObject([.. Fields.Where(f => p.ContainsKey(f.Key)).Select(f => KeyValuePair.Create(f.Key, (JsonNode?)JsonValue.Create(p[f.Key])))]))]),
        };
        string jsonPath = Path.Combine(dir, Name + ".json");
        File.WriteAllText(jsonPath, json.ToJsonString(Indented) + "\n");

        // CSV: '#' lines carry the run (most CSV readers take a comment character), then a header row and one row per point.
        var csv = new StringBuilder();
        csv.Append(CultureInfo.InvariantCulture, $"# {Name}: {Description}\n");
        csv.Append(CultureInfo.InvariantCulture, $"# method: {Method}\n");
        csv.Append(CultureInfo.InvariantCulture, $"# date: {Run.Date}; commit: {Run.Commit}; machine: {Run.Machine}\n");
        csv.AppendJoin(',', Fields.Select(f => f.Key)).Append('\n');
        foreach (IReadOnlyDictionary<string, double> p in Points)
        {
            csv.AppendJoin(',', Fields.Select(f => p.TryGetValue(f.Key, out double v) ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty)).Append('\n');
        }

        File.WriteAllText(Path.Combine(dir, Name + ".csv"), csv.ToString());
        return jsonPath;
    }

    /// <summary>
    /// Reads a curve's JSON. Also reads files that carry only <c>description</c>, <c>fields</c>, <c>machine</c>,
    /// <c>date</c> and <c>points</c> (the distinct-tokens curve's first format): what is missing reads as "unknown".
    /// Non-numeric point values are skipped.
    /// </summary>
    public static CurveFile Read(string path)
    {
        JsonNode root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path}: not JSON");
        string Text(string name) => root[name] is JsonValue v && v.TryGetValue(out string? s) ? s : "unknown";
        int? cores = root["cores"] is JsonValue c && c.TryGetValue(out int n) ? n : null;
        var fields = root["fields"] is JsonObject f
            ? f.Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.ToString() ?? string.Empty)).ToList()
            : [];
        var points = new List<IReadOnlyDictionary<string, double>>();
        foreach (JsonNode? point in root["points"]?.AsArray() ?? [])
        {
            var row = new Dictionary<string, double>();
            foreach ((string key, JsonNode? value) in point?.AsObject() ?? [])
            {
                if (value is JsonValue number && number.GetValueKind() == JsonValueKind.Number)
                {
                    row[key] = number.GetValue<double>();
                }
            }

            points.Add(row);
        }

        string name = root["curve"] is JsonValue nameValue && nameValue.TryGetValue(out string? curve) ? curve : Path.GetFileNameWithoutExtension(path);
        return new CurveFile(name, Text("description"), root["method"] is null ? Text("description") : Text("method"),
            new RunInfo(Text("date"), Text("commit"), Text("machine"), cores, Text("cpu")), fields, points);
    }
}

/// <summary>The run behind a curve.</summary>
/// <param name="Date">When it ran, UTC, <c>yyyy-MM-dd HH:mm:ssZ</c>.</param>
/// <param name="Commit">The commit measured (<c>git rev-parse --short HEAD</c>, with <c>+changes</c> when the tree was not clean).</param>
/// <param name="Machine">Cores, CPU model, OS and runtime in one line.</param>
/// <param name="Cores">Logical processors the runtime saw.</param>
/// <param name="Cpu">The CPU model (<c>model name</c> in <c>/proc/cpuinfo</c>).</param>
internal sealed record RunInfo(string Date, string Commit, string Machine, int? Cores, string Cpu)
{
    /// <summary>Two lines naming the run, for a chart's caption.</summary>
    public string Caption => $"run {Date}, commit {Commit}\n{Machine}";
}
