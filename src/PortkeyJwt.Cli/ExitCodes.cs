namespace PortkeyJwt.Cli;

/// <summary>The exit codes every command uses.</summary>
internal static class ExitCodes
{
    /// <summary>Success: every token valid, the key written, the token minted, the server stopped by Ctrl-C.</summary>
    public const int Ok = 0;

    /// <summary>A negative verdict: a token was rejected (<c>validate</c>) or could not be decoded (<c>inspect</c>).</summary>
    public const int Rejected = 1;

    /// <summary>Usage or configuration error: bad options, an unreadable or invalid file, an unreachable JWKS, a refused overwrite.</summary>
    public const int Usage = 2;
}
