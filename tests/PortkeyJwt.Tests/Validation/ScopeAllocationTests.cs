using PortkeyJwt.Tests.Hardening;
using static PortkeyJwt.Tests.Support.RuleKit;

namespace PortkeyJwt.Tests.Validation;

/// <summary>
/// The per-call scope check allocates nothing. Runs alone: a meter or activity listener that another test attaches
/// (they are process-wide) would make validations on this thread allocate.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class ScopeAllocationTests
{
    [Fact]
    public void RequiredScopes_PerCallOnACachedValidToken_AllocateNothing()
    {
        var validator = Tokens.Validator();
        string token = Tokens.Mint(Tokens.Claims().With(("scope", "completions.write logs.view")));
        string[] scopes = ["completions.write", "portkey.logs.view"];
        AssertValid(validator.ValidateNow(token, scopes)); // fills the validated-token cache

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            _ = validator.ValidateNow(token, scopes);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
