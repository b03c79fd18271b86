using System.Text.Json;

namespace PortkeyJwt.Cli;

/// <summary>
/// <c>validate --trust FILE</c>: the trusted issuers as JSON, <c>{"Issuers":[{…}, …]}</c>, each member named as a
/// <see cref="TrustAnchor"/> property (case-insensitive), plus <c>JwksFile</c>: a JWKS file, relative to the trust file's
/// directory, read here and passed as <see cref="TrustAnchor.Jwks"/>. Keys come from exactly one of <c>JwksUrls</c>,
/// <c>Authority</c> (OIDC discovery), <c>Jwks</c> or <c>JwksFile</c>. An unknown member is an error, so a typo cannot
/// silently drop a restriction.
/// </summary>
internal static class TrustFile
{
    /// <summary>Largest trust file read.</summary>
    private const long MaxTrustFileBytes = 1024 * 1024;

    /// <summary>Largest JWKS file an anchor's <c>JwksFile</c> may name, the same as <c>--jwks</c>'s.</summary>
    private const long MaxJwksFileBytes = 1024 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    /// <summary>The anchors in <paramref name="path"/>, or null after writing one <c>error:</c> line naming the file and the anchor.</summary>
    public static async Task<List<TrustAnchor>?> TryLoadAsync(CliIo io, string path, CancellationToken cancellationToken)
    {
        string? text = await JwksFile.TryReadAsync(io, path, MaxTrustFileBytes, cancellationToken);
        if (text is null)
        {
            return null;
        }

        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        List<TrustAnchor> anchors = [];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, DocumentOptions);
        }
        catch (JsonException e)
        {
            await Fail(io, path, $"not JSON: {ValidateCommand.FirstLine(e.Message)}");
            return null;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !TryGet(document.RootElement, "Issuers", out JsonElement issuers) || issuers.ValueKind != JsonValueKind.Array)
            {
                await Fail(io, path, """expected {"Issuers":[{"Issuer":…, "JwksUrls"|"Authority"|"Jwks"|"JwksFile":…, "Organisations":[…]}, …]}""");
                return null;
            }

            int index = 0;
            foreach (JsonElement element in issuers.EnumerateArray())
            {
                string where = Where(index, element);
                if (element.ValueKind != JsonValueKind.Object)
                {
                    await Fail(io, path, $"{where}: expected an object");
                    return null;
                }

                var anchor = new TrustAnchor();
                string? jwksFile = null;
                foreach (JsonProperty member in element.EnumerateObject())
                {
                    string? problem = member.Name.ToUpperInvariant() switch
                    {
                        "ISSUER" => String(member, v => anchor.Issuer = v),
                        "JWKSURLS" => Urls(member, anchor),
                        "AUTHORITY" => Authority(member, anchor),
                        "JWKS" => member.Value.ValueKind == JsonValueKind.Object ? Set(() => anchor.Jwks = member.Value.GetRawText()) : String(member, v => anchor.Jwks = v),
                        "JWKSFILE" => String(member, v => jwksFile = v),
                        "ORGANISATIONS" => Strings(member, v => anchor.Organisations = v),
                        "WORKSPACES" => Strings(member, v => anchor.Workspaces = v),
                        "AUDIENCES" => Strings(member, v => anchor.Audiences = v),
                        "ALLOWEDALGORITHMS" => Strings(member, v => anchor.AllowedAlgorithms = v),
                        "REQUIREDSCOPES" => Strings(member, v => anchor.RequiredScopes = v),
                        "SCOPECLAIMS" => Strings(member, v => anchor.ScopeClaims = v),
                        "DEFAULTORGANISATION" => String(member, v => anchor.DefaultOrganisation = v),
                        "DEFAULTWORKSPACE" => String(member, v => anchor.DefaultWorkspace = v),
                        _ => $"unknown member '{member.Name}'",
                    };
                    if (problem is not null)
                    {
                        await Fail(io, path, $"{where}: {problem}");
                        return null;
                    }
                }

                if (jwksFile is not null)
                {
                    if (anchor.Jwks is not null || anchor.JwksUrls.Count > 0 || anchor.Authority is not null)
                    {
                        await Fail(io, path, $"{where}: give exactly one key source: JwksUrls, Authority, Jwks or JwksFile");
                        return null;
                    }

                    string jwksPath = Path.Combine(directory, jwksFile);
                    if (!File.Exists(jwksPath))
                    {
                        await Fail(io, path, $"{where}: JwksFile: {jwksPath} does not exist (a JwksFile is relative to the trust file's directory)");
                        return null;
                    }

                    anchor.Jwks = await JwksFile.TryReadAsync(io, jwksPath, MaxJwksFileBytes, cancellationToken);
                    if (anchor.Jwks is null)
                    {
                        return null;
                    }
                }

                anchors.Add(anchor);
                index++;
            }
        }

        if (anchors.Count == 0)
        {
            await Fail(io, path, "Issuers is empty; at least one trust anchor is required");
            return null;
        }

        return anchors;
    }

    /// <summary>
    /// The library's <see cref="TrustAnchorSet"/> error in the file's terms: <c>anchors[1].Organisations</c> becomes
    /// <c>Issuers[1] (https://idp-b.example): Organisations: …</c>; null when the error is not an anchor's.
    /// </summary>
    public static string? Describe(ArgumentException e, string path, IReadOnlyList<TrustAnchor> anchors)
    {
        const string Prefix = "anchors[";
        if (e.ParamName is not { } name || !name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        int close = name.IndexOf(']', StringComparison.Ordinal);
        if (close < 0 || !int.TryParse(name.AsSpan(Prefix.Length, close - Prefix.Length), System.Globalization.CultureInfo.InvariantCulture, out int index))
        {
            return null;
        }

        string issuer = index >= 0 && index < anchors.Count && anchors[index] is { Issuer: { Length: > 0 } i } ? $" ({i})" : "";
        string option = close + 1 < name.Length && name[close + 1] == '.' ? name[(close + 2)..] + ": " : "";
        return $"{path}: Issuers[{index}]{issuer}: {option}{ValidateCommand.FirstLine(e.Message)}";
    }

    private static Task Fail(CliIo io, string path, string message) =>
        io.Error.WriteLineAsync(TokenRedaction.Redact($"error: {path}: {message}"));

    private static string Where(int index, JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && TryGet(element, "Issuer", out JsonElement issuer) && issuer.ValueKind == JsonValueKind.String
            ? $"Issuers[{index}] ({issuer.GetString()})"
            : $"Issuers[{index}]";

    private static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static string? Set(Action set)
    {
        set();
        return null;
    }

    private static string? String(JsonProperty member, Action<string> set)
    {
        if (member.Value.ValueKind != JsonValueKind.String)
        {
            return $"{member.Name}: expected a string";
        }

        set(member.Value.GetString()!);
        return null;
    }

    private static string? Strings(JsonProperty member, Action<IList<string>> set)
    {
        if (member.Value.ValueKind != JsonValueKind.Array || member.Value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
        {
            return $"{member.Name}: expected an array of strings";
        }

        set([.. member.Value.EnumerateArray().Select(v => v.GetString()!)]);
        return null;
    }

    private static string? Urls(JsonProperty member, TrustAnchor anchor)
    {
        string? problem = Strings(member, _ => { });
        if (problem is not null)
        {
            return problem;
        }

        foreach (JsonElement value in member.Value.EnumerateArray())
        {
            string? urlProblem = HttpUrl(member, value, out Uri? url);
            if (urlProblem is not null)
            {
                return urlProblem;
            }

            anchor.JwksUrls.Add(url!);
        }

        return null;
    }

    /// <summary>An issuer's OIDC authority: its discovery document names the JWKS (the library checks the rest).</summary>
    private static string? Authority(JsonProperty member, TrustAnchor anchor)
    {
        if (member.Value.ValueKind != JsonValueKind.String)
        {
            return $"{member.Name}: expected a string";
        }

        string? problem = HttpUrl(member, member.Value, out Uri? url);
        anchor.Authority = url;
        return problem;
    }

    /// <summary>An absolute http(s) URL, plain http only to loopback; otherwise why not.</summary>
    private static string? HttpUrl(JsonProperty member, JsonElement value, out Uri? url)
    {
        if (!Uri.TryCreate(value.GetString(), UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            url = null;
            return $"{member.Name}: '{value.GetString()}' is not an http(s) URL";
        }

        if (url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback)
        {
            // Checked here, as for --jwks: the library's message offers RequireHttps = false, which the CLI has no flag for.
            url = null;
            return $"{member.Name}: plain http is allowed only to loopback (localhost, 127.0.0.1, [::1]); use an https URL";
        }

        return null;
    }
}
