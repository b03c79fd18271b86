namespace PortkeyJwt.Internal;

/// <summary>
/// The normalised scopes of one scope claim: names without a leading <c>portkey.</c>, duplicates removed, in token order.
/// Immutable, so the principals of every token that carries the same claim bytes share one (see <see cref="ClaimValues"/>).
/// </summary>
internal sealed class ScopeSet
{
    public ScopeSet(string[] names)
    {
        Names = names;
        View = Array.AsReadOnly(names);
    }

    /// <summary>The names, for reading inside the library; never handed out.</summary>
    public string[] Names { get; }

    /// <summary>What <see cref="PortkeyPrincipal.Scopes"/> returns: a read-only view, so no caller can change a set other principals share.</summary>
    public IReadOnlyList<string> View { get; }
}
