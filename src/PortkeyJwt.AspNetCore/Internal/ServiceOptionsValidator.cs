using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PortkeyJwt.Internal;

namespace PortkeyJwt.AspNetCore.Internal;

/// <summary>
/// Checks <see cref="PortkeyJwtServiceOptions"/> when the host starts (<c>ValidateOnStart</c>): exactly one JWKS source,
/// HTTPS JWKS URLs (loopback excepted), and every range the core constructors enforce, reported with the option's name.
/// With <see cref="PortkeyJwtServiceOptions.Issuers"/>, the anchors are built (nothing is fetched) by the core's own
/// <see cref="TrustAnchorSet"/> constructor, whose first complaint is reported as <c>PortkeyJwt:Issuers:N:Setting</c>.
/// </summary>
internal sealed partial class ServiceOptionsValidator(IServiceProvider services) : IValidateOptions<PortkeyJwtServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, PortkeyJwtServiceOptions options)
    {
        var failures = new List<string>();
        if (options.Issuers.Count > 0)
        {
            CheckAnchorMode(options, failures);
        }
        else
        {
            CheckSource(options, failures);
            CheckProviderOptions(options, failures);
        }

        CheckValidatorOptions(options, failures);
        if (failures.Count == 0 && options.Issuers.Count > 0)
        {
            CheckAnchors(options, ContentRoot(services), failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Where <see cref="TrustAnchorOptions.JwksFile"/> paths start: the host's content root, else the current directory.</summary>
    internal static string ContentRoot(IServiceProvider services) =>
        services.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();

    /// <summary>Issuers exclude the single-source settings; the shared fetch settings are range-checked as for one source.</summary>
    private static void CheckAnchorMode(PortkeyJwtServiceOptions options, List<string> failures)
    {
        var combined = new List<string>(3);
        if (options.JwksUrls.Count > 0)
        {
            combined.Add(nameof(PortkeyJwtServiceOptions.JwksUrls));
        }

        if (!string.IsNullOrWhiteSpace(options.JwksJson))
        {
            combined.Add(nameof(PortkeyJwtServiceOptions.JwksJson));
        }

        if (options.ValidIssuers.Count > 0)
        {
            combined.Add(nameof(PortkeyJwtServiceOptions.ValidIssuers));
        }

        if (combined.Count > 0)
        {
            failures.Add($"PortkeyJwt: Issuers cannot be combined with {string.Join(", ", combined)}: with Issuers, each issuer has its own keys (PortkeyJwt:Issuers:N:JwksUrls, Authority, Jwks or JwksFile) and is its own valid issuer.");
        }

        for (int i = 0; i < options.Issuers.Count; i++)
        {
            TrustAnchorOptions? issuer = options.Issuers[i];
            if (issuer is not null && !string.IsNullOrEmpty(issuer.Jwks) && !string.IsNullOrEmpty(issuer.JwksFile))
            {
                failures.Add($"PortkeyJwt:Issuers:{i}:JwksFile: both Jwks and JwksFile are set: configure exactly one key source.");
            }
        }

        try
        {
            JwksKeyProviderOptions shared = options.ToProviderOptions();
            shared.JwksUrls = [new Uri("https://issuer.invalid/jwks.json")]; // the per-issuer URLs are checked with the anchors
            _ = new JwksSettings(shared);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            failures.Add(Describe(ex));
        }
    }

    /// <summary>Builds the anchors as the registration will (reading JWKS files, loading fixed sets) and disposes them.</summary>
    private static void CheckAnchors(PortkeyJwtServiceOptions options, string contentRoot, List<string> failures)
    {
        List<TrustAnchor> anchors = new(options.Issuers.Count);
        for (int i = 0; i < options.Issuers.Count; i++)
        {
            TrustAnchorOptions? issuer = options.Issuers[i];
            if (issuer is null)
            {
                failures.Add($"PortkeyJwt:Issuers:{i}: the entry is empty.");
                continue;
            }

            try
            {
                anchors.Add(issuer.ToAnchor(contentRoot));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                failures.Add($"PortkeyJwt:Issuers:{i}:JwksFile: cannot read '{issuer.JwksFile}': {ex.Message}");
            }
        }

        if (failures.Count > 0)
        {
            return;
        }

        try
        {
            new TrustAnchorSet(anchors, options.ToValidatorOptions(), options.ToProviderOptions()).Dispose();
        }
        catch (ArgumentException ex)
        {
            failures.Add(DescribeAnchor(ex, options));
        }
    }

    /// <summary>"PortkeyJwt:Issuers:1:Organisations: …" for the core's <c>anchors[1].Organisations</c>.</summary>
    internal static string DescribeAnchor(ArgumentException ex, PortkeyJwtServiceOptions options)
    {
        string actual = ex is ArgumentOutOfRangeException { ActualValue: { } value } ? $" (configured: {value})" : string.Empty;
        Match match = AnchorParameter().Match(ex.ParamName ?? string.Empty);
        if (!match.Success)
        {
            return $"PortkeyJwt: {ex.ParamName}: {WithoutParameterNote(ex.Message)}{actual}";
        }

        int index = int.Parse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
        string setting = match.Groups[2].Value;
        if (setting == nameof(TrustAnchor.Jwks) && index < options.Issuers.Count && !string.IsNullOrEmpty(options.Issuers[index].JwksFile))
        {
            setting = nameof(TrustAnchorOptions.JwksFile);
        }

        return $"PortkeyJwt:Issuers:{index}:{setting}: {WithoutParameterNote(ex.Message)}{actual}";
    }

    [GeneratedRegex(@"^anchors\[(\d+)\]\.(\w+)$", RegexOptions.CultureInvariant)]
    private static partial Regex AnchorParameter();

    private static void CheckSource(PortkeyJwtServiceOptions options, List<string> failures)
    {
        const string prefix = "PortkeyJwt: ";
        bool hasUrls = options.JwksUrls.Count > 0;
        bool hasJson = !string.IsNullOrWhiteSpace(options.JwksJson);
        if (!hasUrls && !hasJson)
        {
            failures.Add(prefix + "no JWKS source is configured: set JwksUrls (the identity provider's JWKS endpoints) or JwksJson (a fixed key set).");
            return;
        }

        if (hasUrls && hasJson)
        {
            failures.Add(prefix + "both JwksUrls and JwksJson are set: configure exactly one JWKS source.");
            return;
        }

        if (hasJson)
        {
            try
            {
                JwksKeyProvider.FromJson(options.JwksJson!).Dispose();
            }
            catch (ArgumentException ex)
            {
                failures.Add($"{prefix}JwksJson: {WithoutParameterNote(ex.Message)}");
            }

            return;
        }

        foreach (Uri? url in options.JwksUrls)
        {
            if (url is null || !url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{prefix}JwksUrls: '{url}' is not an absolute http(s) URL.");
            }
            else if (options.RequireHttps && url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback)
            {
                failures.Add($"{prefix}JwksUrls: '{url}' does not use HTTPS. JWKS must be fetched over HTTPS (plain HTTP is allowed only to a loopback host, or with RequireHttps = false on a trusted private network).");
            }
        }
    }

    /// <summary>The provider's range checks (the core's own), when the keys are fetched from URLs.</summary>
    private static void CheckProviderOptions(PortkeyJwtServiceOptions options, List<string> failures)
    {
        if (options.JwksUrls.Count == 0)
        {
            return; // a static set: the provider options are not used
        }

        try
        {
            _ = new JwksSettings(options.ToProviderOptions());
        }
        catch (ArgumentOutOfRangeException ex)
        {
            failures.Add(Describe(ex));
        }
    }

    /// <summary>The validator's range checks (the core's own).</summary>
    private static void CheckValidatorOptions(PortkeyJwtServiceOptions options, List<string> failures)
    {
        try
        {
            _ = new ValidationSettings(options.ToValidatorOptions());
        }
        catch (ArgumentOutOfRangeException ex)
        {
            failures.Add(Describe(ex));
        }
    }

    /// <summary>"PortkeyJwt: ClockSkew: ClockSkew must be from zero to 5 minutes. (actual: 00:10:00)".</summary>
    internal static string Describe(ArgumentOutOfRangeException ex)
    {
        string actual = ex.ActualValue is null ? string.Empty : $" (configured: {ex.ActualValue})";
        return $"PortkeyJwt: {ex.ParamName}: {WithoutParameterNote(ex.Message)}{actual}";
    }

    /// <summary>The message an exception was made with, without the " (Parameter 'x')" and "Actual value was" lines .NET appends.</summary>
    private static string WithoutParameterNote(string message)
    {
        message = message.Split('\n')[0];
        int note = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return (note >= 0 ? message[..note] : message).Trim();
    }
}
