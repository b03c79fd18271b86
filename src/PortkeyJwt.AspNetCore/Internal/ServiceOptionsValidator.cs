using Microsoft.Extensions.Options;
using PortkeyJwt.Internal;

namespace PortkeyJwt.AspNetCore.Internal;

/// <summary>
/// Checks <see cref="PortkeyJwtServiceOptions"/> when the host starts (<c>ValidateOnStart</c>): exactly one JWKS source,
/// HTTPS JWKS URLs (loopback excepted), and every range the core constructors enforce, reported with the option's name.
/// </summary>
internal sealed class ServiceOptionsValidator : IValidateOptions<PortkeyJwtServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, PortkeyJwtServiceOptions options)
    {
        var failures = new List<string>();
        CheckSource(options, failures);
        CheckProviderOptions(options, failures);
        CheckValidatorOptions(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

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
