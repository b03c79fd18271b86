using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using PortkeyJwt.Internal;

namespace PortkeyJwt.AspNetCore.Internal;

/// <summary>
/// Requires every one of <see cref="Scopes"/> of the caller's <see cref="PortkeyPrincipal"/>. Its own handler (run by
/// ASP.NET Core's pass-through handler, so nothing needs registering). A miss is recorded on the request so the scheme's
/// 403 challenge can name the scope.
/// </summary>
internal sealed class PortkeyScopeRequirement : AuthorizationHandler<PortkeyScopeRequirement>, IAuthorizationRequirement
{
    /// <summary>What <see cref="IsScopeName"/> requires, for error messages.</summary>
    public const string ScopeNameRule = "printable ASCII without spaces, quotes or backslashes, not empty after a leading 'portkey.'";

    public PortkeyScopeRequirement(IEnumerable<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        Scopes = [.. scopes];
        if (Scopes.Length == 0)
        {
            throw new ArgumentException("At least one scope is required.", nameof(scopes));
        }

        foreach (string scope in Scopes)
        {
            if (!IsScopeName(scope))
            {
                throw new ArgumentException($"'{scope}' is not a scope name ({ScopeNameRule}).", nameof(scopes));
            }
        }
    }

    public string[] Scopes { get; }

    /// <summary>
    /// The core's scope-name rule (the one <see cref="PortkeyJwtOptions.RequiredScopes"/> and per-call scopes are held
    /// to): a name no token could grant is refused when the policy is built, not answered 403 on every request.
    /// </summary>
    public static bool IsScopeName(string? scope) => scope is not null && ScopeNames.IsValidToken(ScopeNames.Normalise(scope));

    /// <inheritdoc />
    public override string ToString() => $"PortkeyScopeRequirement: requires the scope(s) {string.Join(' ', Scopes)}";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PortkeyScopeRequirement requirement)
    {
        HttpContext? http = context.Resource as HttpContext;
        PortkeyPrincipal? principal = http?.GetPortkeyPrincipal();
        bool allGranted = true;
        foreach (string scope in requirement.Scopes)
        {
            bool granted = principal is not null ? principal.HasScope(scope) : HasScopeClaim(context.User, scope);
            if (!granted)
            {
                allGranted = false;
                RecordMissing(http, scope);
            }
        }

        if (allGranted)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, "The caller's Portkey token lacks a required scope."));
        }

        return Task.CompletedTask;
    }

    /// <summary>When the resource is not the request (MVC filters, custom callers): the Portkey identity's scope claims.</summary>
    private static bool HasScopeClaim(ClaimsPrincipal user, string scope)
    {
        string wanted = scope.StartsWith("portkey.", StringComparison.Ordinal) ? scope["portkey.".Length..] : scope;
        return user.Identities.Any(identity =>
            identity.IsAuthenticated
            && identity.AuthenticationType == PortkeyPrincipal.AuthenticationType
            && identity.HasClaim(c => c.Type == PortkeyPrincipal.ScopeClaimType && string.Equals(c.Value, wanted, StringComparison.Ordinal)));
    }

    private static void RecordMissing(HttpContext? http, string scope)
    {
        if (http is null)
        {
            return;
        }

        PortkeyRequestFeature? feature = http.Features.Get<PortkeyRequestFeature>();
        if (feature is null)
        {
            feature = new PortkeyRequestFeature();
            http.Features.Set(feature);
        }

        feature.AddMissing(scope);
    }
}
