namespace PortkeyJwt.Internal;

/// <summary>
/// What the validator keeps of claim values it has read, so the next token carrying the same bytes costs a lookup:
/// identifiers (organisation, workspace, user, issuer, audience), scope sets and one-audience lists by their raw UTF-8,
/// escaped strings and roles by their text. Every entry is a pure function of its key, so one instance can serve every
/// anchor of a <see cref="TrustAnchorSet"/>; each is bounded.
/// </summary>
internal sealed class ClaimValues
{
    /// <summary>Plain (unescaped) identifier strings, by their raw bytes.</summary>
    public Utf8Pool<string> Identifiers { get; } = new(capacity: 8192, maxKeyLength: StringPool.MaxPooledLength);

    /// <summary>Scope sets, by the scope claim's raw value (quotes or brackets included).</summary>
    public Utf8Pool<ScopeSet> ScopeSets { get; } = new(capacity: 1024, maxKeyLength: 1024);

    /// <summary>Strings read through escapes, scopes on their first sight, and roles.</summary>
    public StringPool Strings { get; } = new(capacity: 8192);

    /// <summary>
    /// Read-only one-element audience lists, by the <c>aud</c> claim's raw value (quotes included): audiences of up to 256
    /// bytes, 256 of them.
    /// </summary>
    public Utf8Pool<IReadOnlyList<string>> SingleAudiences { get; } = new(capacity: 256, maxKeyLength: 256 + 2);
}
