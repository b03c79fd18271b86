namespace GatewayBench;

/// <summary>What the servers and the tokens share with the sample gateway's appsettings.json.</summary>
internal static class Bench
{
    public const string Issuer = "https://auth.example.com";
    public const string Audience = "portkey-gateway";
    public const string Scope = "completions.write";
    public const string KeyId = "bench-1";
    public const string Path = "/benchmark";
    public const string Response = "ok";

    /// <summary>The value of <paramref name="name"/> (<c>--name value</c>), or <paramref name="fallback"/>.</summary>
    public static string? Option(string[] args, string name, string? fallback = null)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }
}
