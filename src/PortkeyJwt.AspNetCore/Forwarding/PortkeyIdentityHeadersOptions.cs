using PortkeyJwt.AspNetCore.Forwarding;

namespace PortkeyJwt.AspNetCore;

/// <summary>
/// Which identity headers the PortkeyJwt YARP transform
/// (<see cref="PortkeyIdentityHeadersExtensions.AddPortkeyIdentityHeaders(Yarp.ReverseProxy.Transforms.Builder.TransformBuilderContext, Action{PortkeyIdentityHeadersOptions}?)"/>)
/// sends upstream, and whether the token goes too. Read once, when the transform is built; later changes do not affect it.
/// </summary>
/// <remarks>
/// <para>
/// Defaults: <c>x-portkey-organisation</c> ← <see cref="PortkeyIdentityValue.Organisation"/>, <c>x-portkey-workspace</c>
/// ← <see cref="PortkeyIdentityValue.Workspace"/>, <c>x-portkey-user</c> ← <see cref="PortkeyIdentityValue.User"/>,
/// <c>x-portkey-scopes</c> ← <see cref="PortkeyIdentityValue.Scopes"/>.
/// </para>
/// <para>
/// Every mapped header is removed from the proxied request whatever the client sent under it, in any letter case, and
/// then set only from the authenticated principal: on an anonymous request, or when the principal lacks the value, the
/// upstream gets no such header at all. Lists (scopes, audiences, roles, arrays of scalars) are joined by
/// <see cref="Separator"/>; a list with an element that is empty or holds a space is not sent, nor is an empty list.
/// A value is sent only as 1 to 4096 characters of printable ASCII (U+0020–U+007E) without a leading or trailing space:
/// a value holding CR, LF, any other control character or any non-ASCII character is omitted, never encoded or trimmed.
/// </para>
/// </remarks>
public sealed class PortkeyIdentityHeadersOptions
{
    /// <summary>What joins the elements of a list value: a single space, as in OAuth's <c>scope</c>.</summary>
    public const string Separator = " ";

    /// <summary>Header names that cannot carry identity: the token's own headers and those that frame or route the request.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", PortkeyJwtDefaults.ApiKeyHeaderName, "Host", "Connection", "Keep-Alive",
        "Proxy-Connection", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Cookie", "Expect",
    };

    private readonly List<IdentityHeaderMapping> _mappings = [];

    /// <summary>Options holding the four default headers.</summary>
    public PortkeyIdentityHeadersOptions()
    {
        Map(PortkeyIdentityValue.Organisation, "x-portkey-organisation");
        Map(PortkeyIdentityValue.Workspace, "x-portkey-workspace");
        Map(PortkeyIdentityValue.User, "x-portkey-user");
        Map(PortkeyIdentityValue.Scopes, "x-portkey-scopes");
    }

    /// <summary>
    /// Keep the token on the proxied request (default false). When false, <c>x-portkey-api-key</c> is removed, and so is
    /// <c>Authorization</c> when it is the header the PortkeyJwt scheme reads the token from (a <c>Bearer</c> credential on
    /// a request without <c>x-portkey-api-key</c>); beside <c>x-portkey-api-key</c>, <c>Authorization</c> carries the
    /// upstream provider's key and is forwarded.
    /// </summary>
    public bool ForwardToken { get; set; }

    /// <summary>The mapped header names, in the order they were mapped.</summary>
    public IReadOnlyList<string> HeaderNames => [.. _mappings.Select(m => m.HeaderName)];

    /// <summary>Sends <paramref name="value"/> of the principal as <paramref name="headerName"/>, replacing any mapping of that name.</summary>
    /// <param name="value">The principal property.</param>
    /// <param name="headerName">The header (RFC 9110 token characters; compared without letter case).</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="headerName"/> is empty, has a character outside RFC 9110's token characters, is a content header
    /// (<c>Content-*</c>, <c>Allow</c>, <c>Expires</c>, <c>Last-Modified</c>), or is reserved (<c>Authorization</c>,
    /// <c>x-portkey-api-key</c>, <c>Host</c>, <c>Connection</c>, <c>Transfer-Encoding</c>, …); or
    /// <paramref name="value"/> is not a defined <see cref="PortkeyIdentityValue"/>.
    /// </exception>
    public PortkeyIdentityHeadersOptions Map(PortkeyIdentityValue value, string headerName)
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentException($"{value} is not a {nameof(PortkeyIdentityValue)}.", nameof(value));
        }

        Add(new IdentityHeaderMapping(CheckHeaderName(headerName), value));
        return this;
    }

    /// <summary>
    /// Sends the captured claim <paramref name="claimName"/> (<see cref="PortkeyPrincipal.TryGetClaim"/>; name it in
    /// <c>PortkeyJwt:CapturedClaims</c>) as <paramref name="headerName"/>, replacing any mapping of that name: a string as it
    /// is, a number as its JSON text, <c>true</c>/<c>false</c>, an array of those joined by <see cref="Separator"/>, any
    /// other array or an object as compact JSON (non-ASCII escaped as <c>\uXXXX</c>); nothing for <c>null</c>.
    /// </summary>
    /// <param name="claimName">The claim's name, case-sensitive.</param>
    /// <param name="headerName">The header, as for <see cref="Map(PortkeyIdentityValue, string)"/>.</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="claimName"/> is empty, or <paramref name="headerName"/> is refused as for <see cref="Map(PortkeyIdentityValue, string)"/>.</exception>
    public PortkeyIdentityHeadersOptions MapClaim(string claimName, string headerName)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimName);
        Add(new IdentityHeaderMapping(CheckHeaderName(headerName), claimName));
        return this;
    }

    /// <summary>
    /// Stops sending <paramref name="headerName"/> (compared without letter case). It is then no longer removed either: a
    /// client's copy of it reaches the upstream as sent, so remove only a header the upstream never trusts.
    /// </summary>
    /// <param name="headerName">The header.</param>
    /// <returns>Whether it was mapped.</returns>
    public bool Remove(string headerName)
    {
        ArgumentNullException.ThrowIfNull(headerName);
        return _mappings.RemoveAll(m => string.Equals(m.HeaderName, headerName, StringComparison.OrdinalIgnoreCase)) > 0;
    }

    /// <summary>The mappings as they stand (a copy).</summary>
    internal IdentityHeaderMapping[] Mappings() => [.. _mappings];

    private void Add(IdentityHeaderMapping mapping)
    {
        Remove(mapping.HeaderName);
        _mappings.Add(mapping);
    }

    private static string CheckHeaderName(string headerName)
    {
        ArgumentNullException.ThrowIfNull(headerName);
        if (headerName.Length == 0)
        {
            throw new ArgumentException("A header name cannot be empty.", nameof(headerName));
        }

        foreach (char c in headerName)
        {
            if (!IsTokenChar(c))
            {
                throw new ArgumentException($"'{headerName}' is not a header name: {Describe(c)} is not an RFC 9110 token character (letters, digits and !#$%&'*+-.^_`|~).", nameof(headerName));
            }
        }

        if (Reserved.Contains(headerName))
        {
            throw new ArgumentException($"'{headerName}' cannot carry identity: it is reserved for the token or for the request's framing and routing.", nameof(headerName));
        }

        if (!IsRequestHeader(headerName))
        {
            throw new ArgumentException($"'{headerName}' cannot carry identity: it is a content header, which describes the body.", nameof(headerName));
        }

        return headerName;
    }

    /// <summary>RFC 9110 §5.6.2 <c>tchar</c>.</summary>
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    private static string Describe(char c) => c is >= '!' and <= '~' ? $"'{c}'" : $"U+{(int)c:X4}";

    /// <summary>Whether <see cref="System.Net.Http.Headers.HttpRequestHeaders"/> can hold the name (content headers it refuses), so the transform finds every client copy there.</summary>
    private static bool IsRequestHeader(string headerName)
    {
        using var probe = new HttpRequestMessage();
        return probe.Headers.TryAddWithoutValidation(headerName, "probe");
    }
}
