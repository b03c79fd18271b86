namespace PortkeyJwt;

/// <summary>What a <see cref="Revocation"/> revokes.</summary>
public enum RevocationKind
{
    /// <summary>One token, by its <c>jti</c>.</summary>
    Token,

    /// <summary>Every token of an organisation issued before a time (a watermark).</summary>
    Organisation,

    /// <summary>Every token of one workspace of an organisation issued before a time.</summary>
    Workspace,

    /// <summary>Every token of one user (<see cref="PortkeyPrincipal.UserId"/>) of an organisation issued before a time.</summary>
    User,
}
