namespace PortkeyJwt.Cli;

/// <summary><c>validate --trust</c>: tokens routed by <c>iss</c> to the trust file's anchors (<see cref="TrustAnchorSet"/>).</summary>
internal static partial class ValidateCommand
{
    private static async Task<int> RunTrustedAsync(CliIo io, string trustFile, PortkeyJwtOptions options, string[] requiredScopes, string tokenArgument, CancellationToken cancellationToken)
    {
        List<TrustAnchor>? anchors = await TrustFile.TryLoadAsync(io, trustFile, cancellationToken);
        if (anchors is null)
        {
            return ExitCodes.Usage;
        }

        // One client for every remote anchor; nothing is fetched until a token names the anchor's issuer.
        using var http = new HttpClient(new FailureRecordingHandler()) { Timeout = Timeout.InfiniteTimeSpan };
        var log = new SkippedKeyLog();
        TrustAnchorSet set;
        try
        {
            set = new TrustAnchorSet(anchors, options, fetchOptions: null, http, io.Time, log);
        }
        catch (ArgumentException e)
        {
            string message = TrustFile.Describe(e, trustFile, anchors)
                ?? (e is ArgumentOutOfRangeException range ? OptionMessage(range) : $"{trustFile}: {FirstLine(e.Message)}");
            await FailAsync(io, message, log);
            return ExitCodes.Usage;
        }

        using (set)
        {
            bool algorithmHint = anchors.TrueForAll(a => a.AllowedAlgorithms is null);
            return await ValidateAllAsync(io, set.Validator, log.Close(), options, algorithmHint, requiredScopes, tokenArgument, cancellationToken);
        }
    }
}
