using System.Collections.Frozen;
using System.Text;

namespace PortkeyJwt.Internal;

/// <summary>
/// The checked, immutable claim policy of one <see cref="TrustAnchor"/>: which organisations and workspaces its tokens may
/// assert, the defaults for tokens that assert none, and the claims that hold scopes. Null on the settings of a
/// single-provider validator, whose rules are unchanged.
/// </summary>
internal sealed class AnchorPolicy
{
    /// <summary>Longest <see cref="TrustAnchor.ScopeClaims"/> name, in characters.</summary>
    public const int MaxScopeClaimLength = 32;

    /// <summary>Longest issuer, organisation or workspace, in UTF-8 bytes: the longest identifier a token may carry.</summary>
    public const int MaxIdentifierBytes = 1024;

    private static readonly string[] DefaultScopeClaims = ["scope", "scopes"];

    private static readonly string[] ReservedClaims =
        ["exp", "nbf", "iat", "iss", "aud", "portkey_oid", "organisation_id", "portkey_workspace", "workspace_slug", "email_id", "sub", "uid"];

    private readonly FrozenSet<string>? _organisations;
    private readonly FrozenSet<string>? _workspaces;

    /// <summary>Checks <paramref name="anchor"/>'s claim policy; a bad value throws naming <paramref name="prefix"/> and the option.</summary>
    public AnchorPolicy(TrustAnchor anchor, string prefix)
    {
        IList<string> organisations = anchor.Organisations ?? [];
        if (organisations.Count == 0)
        {
            throw new ArgumentOutOfRangeException(prefix + nameof(TrustAnchor.Organisations), "At least one organisation is required; [\"*\"] allows any.");
        }

        if (organisations.Contains("*"))
        {
            if (organisations.Count != 1)
            {
                throw new ArgumentOutOfRangeException(prefix + nameof(TrustAnchor.Organisations), "The wildcard \"*\" must be the only organisation.");
            }
        }
        else
        {
            _organisations = Identifiers(organisations, prefix + nameof(TrustAnchor.Organisations));
        }

        if (anchor.Workspaces is { } workspaces)
        {
            if (workspaces.Count == 0)
            {
                throw new ArgumentOutOfRangeException(prefix + nameof(TrustAnchor.Workspaces), "An empty list would refuse every workspace; leave it null to allow any.");
            }

            _workspaces = Identifiers(workspaces, prefix + nameof(TrustAnchor.Workspaces));
        }

        if (anchor.DefaultOrganisation is { } organisation)
        {
            CheckIdentifier(organisation, prefix + nameof(TrustAnchor.DefaultOrganisation));
            if (!AllowsOrganisation(organisation))
            {
                throw new ArgumentOutOfRangeException(prefix + nameof(TrustAnchor.DefaultOrganisation), organisation, "The default organisation must be one of Organisations.");
            }
        }

        if (anchor.DefaultWorkspace is { } workspace)
        {
            CheckIdentifier(workspace, prefix + nameof(TrustAnchor.DefaultWorkspace));
            if (!AllowsWorkspace(workspace))
            {
                throw new ArgumentOutOfRangeException(prefix + nameof(TrustAnchor.DefaultWorkspace), workspace, "The default workspace must be one of Workspaces.");
            }
        }

        DefaultOrganisation = anchor.DefaultOrganisation;
        DefaultWorkspace = anchor.DefaultWorkspace;
        ScopeClaimsUtf8 = ScopeClaimNames(anchor.ScopeClaims, prefix + nameof(TrustAnchor.ScopeClaims));
        if (ScopeClaimsUtf8 is not null)
        {
            string names = string.Join(" (or ", anchor.ScopeClaims.Select(n => $"'{n}'")) + (anchor.ScopeClaims.Count == 2 ? ")" : string.Empty);
            MissingScopes = Failures.MissingNamed(names);
            InvalidScopes = Failures.InvalidNamed(names);
        }
    }

    /// <summary>The rejection of a token without any of the anchor's own scope claims; null when they are <c>scope</c> and <c>scopes</c>.</summary>
    public PortkeyJwtResult? MissingScopes { get; }

    /// <summary>The rejection of an invalid value in the anchor's own scope claims; null when they are <c>scope</c> and <c>scopes</c>.</summary>
    public PortkeyJwtResult? InvalidScopes { get; }

    public string? DefaultOrganisation { get; }

    public string? DefaultWorkspace { get; }

    /// <summary>The scope claims when they differ from <c>scope</c> then <c>scopes</c>; null for those (the fixed fast path).</summary>
    public byte[][]? ScopeClaimsUtf8 { get; }

    public bool AllowsOrganisation(string organisation) => _organisations is null || _organisations.Contains(organisation);

    public bool AllowsWorkspace(string workspace) => _workspaces is null || _workspaces.Contains(workspace);

    /// <summary>Throws naming <paramref name="option"/> unless <paramref name="value"/> is something a token could carry.</summary>
    public static void CheckIdentifier(string? value, string option)
    {
        if (string.IsNullOrEmpty(value) || value.Any(char.IsControl) || Encoding.UTF8.GetByteCount(value) > MaxIdentifierBytes)
        {
            throw new ArgumentOutOfRangeException(option, value, $"Values must be non-empty, without control characters, and at most {MaxIdentifierBytes} UTF-8 bytes.");
        }
    }

    private static FrozenSet<string> Identifiers(IList<string> values, string option)
    {
        foreach (string value in values)
        {
            CheckIdentifier(value, option);
        }

        return values.ToFrozenSet(StringComparer.Ordinal);
    }

    private static byte[][]? ScopeClaimNames(IList<string>? names, string option)
    {
        if (names is null || names.Count is 0 or > 2)
        {
            throw new ArgumentOutOfRangeException(option, "One or two scope claims are required.");
        }

        foreach (string name in names)
        {
            if (string.IsNullOrEmpty(name) || name.Length > MaxScopeClaimLength || name.Any(c => c is <= ' ' or > '~' or '"' or '\\'))
            {
                throw new ArgumentOutOfRangeException(option, name, $"A scope claim must be 1 to {MaxScopeClaimLength} printable ASCII characters without spaces, quotes or backslashes.");
            }

            if (ReservedClaims.Contains(name, StringComparer.Ordinal))
            {
                throw new ArgumentOutOfRangeException(option, name, "A scope claim cannot be a claim the validator reads for something else.");
            }
        }

        if (names.Count == 2 && names[0] == names[1])
        {
            throw new ArgumentOutOfRangeException(option, "The scope claims must differ.");
        }

        return names.SequenceEqual(DefaultScopeClaims, StringComparer.Ordinal) ? null : [.. names.Select(Encoding.ASCII.GetBytes)];
    }
}
