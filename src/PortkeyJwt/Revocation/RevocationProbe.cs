namespace PortkeyJwt.Internal;

/// <summary>
/// The keys of every revocation entry that could apply to one principal, under one list's seed: its <c>jti</c>, its
/// organisation, workspace and user, each for any issuer and for its own. Computed once per principal (the
/// validated-token cache keeps it with the principal), so checking a cached token hashes nothing.
/// </summary>
internal sealed class RevocationProbe
{
    private readonly ulong[] _keys = new ulong[8];

    private RevocationProbe(long seed, PortkeyPrincipal principal)
    {
        Seed = seed;
        Present = 0;
        string? issuer = principal.Issuer;
        Set(RevocationKind.Token, principal.JwtId, null);
        Set(RevocationKind.Organisation, principal.OrganisationId, null);
        Set(RevocationKind.Workspace, principal.OrganisationId, principal.WorkspaceSlug);
        Set(RevocationKind.User, principal.OrganisationId, principal.UserId);
        IssuedAtMilliseconds = principal.IssuedAt?.ToUnixTimeMilliseconds() ?? -1;

        void Set(RevocationKind kind, string? first, string? second)
        {
            bool applies = kind switch
            {
                RevocationKind.Token => first is not null,
                RevocationKind.Organisation => true,
                _ => second is not null,
            };
            if (!applies)
            {
                return;
            }

            _keys[(int)kind * 2] = RevocationKeys.Key(seed, kind, null, first!, second);
            Present |= RevocationKeys.Bit(kind, issuerScoped: false);
            if (issuer is not null)
            {
                _keys[((int)kind * 2) + 1] = RevocationKeys.Key(seed, kind, issuer, first!, second);
                Present |= RevocationKeys.Bit(kind, issuerScoped: true);
            }
        }
    }

    public long Seed { get; }

    /// <summary>Which of the eight keys exist (a principal without <c>jti</c>, user or issuer lacks some).</summary>
    public byte Present { get; private set; }

    /// <summary>The principal's <c>iat</c> in Unix milliseconds; -1 when the token has none.</summary>
    public long IssuedAtMilliseconds { get; }

    public static RevocationProbe For(PortkeyPrincipal principal, long seed)
    {
        RevocationProbe? probe = principal.RevocationProbe;
        if (probe is null || probe.Seed != seed)
        {
            probe = new RevocationProbe(seed, principal);
            principal.RevocationProbe = probe; // a benign race: two threads compute the same keys
        }

        return probe;
    }

    /// <summary>The key for entry slot <paramref name="index"/> (kind × 2 + issuer-scoped).</summary>
    public ulong this[int index] => _keys[index];
}
