using System.Security.Claims;
using System.Text;
using static PortkeyJwt.Fuzz.Checks;

namespace PortkeyJwt.Fuzz;

/// <summary>
/// Validates one token under the strict (default) and the broad option sets over one key set and checks what the
/// library promises for any token: no exception (not even a caught one), synchronous completion for a static key set,
/// a result that is either a well-formed principal or an error with a detail that does not echo the token, the same
/// answer from the validation cache, and each call within <see cref="Checks.TimeLimit"/>.
/// </summary>
internal sealed class TokenOracle
{
    private const int MaxIdentifierBytes = 1024;
    private const int MaxScopes = 512;

    private readonly JwksKeyProvider _strictKeys;
    private readonly JwksKeyProvider _broadKeys;
    private readonly PortkeyJwtOptions _strictOptions;
    private readonly PortkeyJwtOptions _broadOptions;
    private readonly TimeSpan _strictSkew;
    private readonly TimeSpan _broadSkew;
    private readonly HashSet<string> _kids;
    private readonly TimeProvider _clock;

    /// <param name="jwks">The key set both validators use.</param>
    /// <param name="clock">Their clock.</param>
    /// <param name="strict">The strict validator's options; the library's defaults when null.</param>
    public TokenOracle(string jwks, TimeProvider clock, PortkeyJwtOptions? strict = null)
    {
        _clock = clock;
        _strictOptions = strict ?? HarnessData.StrictOptions();
        _broadOptions = HarnessData.BroadOptions();
        _strictSkew = _strictOptions.ClockSkew;
        _broadSkew = _broadOptions.ClockSkew;
        _strictKeys = JwksKeyProvider.FromJson(jwks);
        _broadKeys = JwksKeyProvider.FromJson(jwks);
        _kids = [.. _broadKeys.KeyIds];
    }

    /// <summary>Checks <paramref name="token"/>; returns each validator's result.</summary>
    /// <remarks>
    /// The validators are built per input (the key sets are shared): a validator's cache and string pool remember valid
    /// tokens, and an input must take the same path every time it runs, or afl-fuzz counts its edges as unstable.
    /// </remarks>
    public (PortkeyJwtResult Strict, PortkeyJwtResult Broad) Check(string token)
    {
        var strictValidator = new PortkeyJwtValidator(_strictKeys, _strictOptions, _clock);
        PortkeyJwtResult strict = Validate(strictValidator, token, null, _strictSkew, "strict validator");
        if (strict.IsValid)
        {
            // The second call is served by the validation cache and must give the same answer.
            PortkeyJwtResult cached = Validate(strictValidator, token, null, _strictSkew, "strict validator (cached)");
            Require(
                cached.IsValid && cached.Principal.ToString() == strict.Principal.ToString() && cached.Principal.KeyId == strict.Principal.KeyId,
                $"the cached validation differs from the first: {cached} vs {strict}");
        }

        var broadValidator = new PortkeyJwtValidator(_broadKeys, _broadOptions, _clock);
        PortkeyJwtResult broad = Validate(broadValidator, token, HarnessData.CallScopes, _broadSkew, "broad validator");
        return (strict, broad);
    }

    /// <summary>A one-line summary of <see cref="Check"/>'s answer.</summary>
    public static string Describe((PortkeyJwtResult Strict, PortkeyJwtResult Broad) results) =>
        $"strict: {Describe(results.Strict)}; broad: {Describe(results.Broad)}";

    private static string Describe(PortkeyJwtResult result) => result.IsValid ? "valid" : result.Error.ToString();

    private PortkeyJwtResult Validate(PortkeyJwtValidator validator, string token, IReadOnlyList<string>? scopes, TimeSpan skew, string which)
    {
        PortkeyJwtResult? completed = Timed(which, () => NoExceptionRaised(which, () => Synchronous(validator.ValidateAsync(token, scopes))));
        Require(completed is not null, $"{which}: ValidateAsync did not complete synchronously over a fixed key set");
        PortkeyJwtResult result = completed!;
        if (result.IsValid)
        {
            Require(result.Error == PortkeyJwtError.None && result.StatusCode == 200, $"{which}: a valid result carries error {result.Error}");
            PortkeyPrincipal principal = result.Principal;
            NoExceptionRaised($"{which}: principal checks", () => CheckPrincipal(principal, skew, which));
        }
        else
        {
            Require(result.Error != PortkeyJwtError.None, $"{which}: an invalid result has no error");
            Require(result.StatusCode is 401 or 403, $"{which}: status {result.StatusCode} for {result.Error}");
            Require(!string.IsNullOrEmpty(result.Detail), $"{which}: {result.Error} has no detail");
            Require(token.Length < 12 || !result.Detail.Contains(token, StringComparison.Ordinal), $"{which}: the detail echoes the token");
        }

        return result;
    }

    /// <summary>The result of a call that completed (rethrowing its exception, if any); null when it is still pending.</summary>
    public static PortkeyJwtResult? Synchronous(ValueTask<PortkeyJwtResult> pending) =>
        pending.IsCompleted ? pending.GetAwaiter().GetResult() : null;

    private bool CheckPrincipal(PortkeyPrincipal principal, TimeSpan skew, string which)
    {
        Require(IsIdentifier(principal.OrganisationId), $"{which}: organisation '{principal.OrganisationId}' is not a valid identifier");
        Require(IsIdentifier(principal.WorkspaceSlug), $"{which}: workspace '{principal.WorkspaceSlug}' is not a valid identifier");
        Require(principal.Email is null || IsIdentifier(principal.Email), $"{which}: email is not a valid identifier");
        Require(principal.Subject is null || IsIdentifier(principal.Subject), $"{which}: subject is not a valid identifier");
        Require(principal.Uid is null || IsIdentifier(principal.Uid), $"{which}: uid is not a valid identifier");
        Require(principal.Issuer is null || IsIdentifier(principal.Issuer), $"{which}: issuer is not a valid identifier");
        Require(_kids.Contains(principal.KeyId), $"{which}: verified by unknown kid '{principal.KeyId}'");

        IReadOnlyList<string> scopes = principal.Scopes;
        Require(scopes.Count is >= 1 and <= MaxScopes, $"{which}: {scopes.Count} scopes");
        Require(scopes.Distinct(StringComparer.Ordinal).Count() == scopes.Count, $"{which}: duplicate scopes");
        foreach (string scope in scopes)
        {
            Require(scope.Length > 0 && scope.All(c => c is > ' ' and <= '~' and not '"' and not '\\'), $"{which}: scope '{scope}' is not a scope-token");
            // Scopes are stored normalised and HasScope normalises its argument, so the prefixed form always names this scope
            // (the bare form need not: a token granting "portkey.portkey.x" holds "portkey.x", which HasScope reads as "x").
            Require(principal.HasScope("portkey." + scope), $"{which}: HasScope('portkey.{scope}') is false for granted scope '{scope}'");
        }

        DateTimeOffset now = _clock.GetUtcNow();
        Require(principal.ExpiresAt > now - skew, $"{which}: accepted although expired at {principal.ExpiresAt:O}");
        Require(principal.NotBefore is null || principal.NotBefore <= now + skew, $"{which}: accepted before nbf {principal.NotBefore:O}");
        Require(principal.IssuedAt is null || principal.IssuedAt <= now + skew, $"{which}: accepted with iat in the future {principal.IssuedAt:O}");

        ClaimsPrincipal claims = principal.ToClaimsPrincipal();
        Require(claims.Identity is { IsAuthenticated: true }, $"{which}: the claims principal is not authenticated");
        Require(principal.ToString().Length > 0, $"{which}: empty principal text");
        return true;
    }

    /// <summary>What the library documents for identity values: non-empty, at most 1024 UTF-8 bytes, no control characters.</summary>
    private static bool IsIdentifier(string value) =>
        value.Length > 0
        && Encoding.UTF8.GetByteCount(value) <= MaxIdentifierBytes
        && !value.AsSpan().ContainsAnyInRange('\u0000', '\u001F')
        && !value.Contains('\u007F', StringComparison.Ordinal);
}
