namespace PortkeyJwt.Cli;

/// <summary>
/// A <c>sign --ttl</c> value: <c>exp</c> minus now. Written the way <c>--ttl</c> accepts it (<see cref="TimeText.Lifetime"/>),
/// so help shows the default as <c>[default: 1h]</c> rather than <c>01:00:00</c>.
/// </summary>
/// <param name="Value">The lifetime; zero or negative for a token that expires now or has expired.</param>
internal readonly record struct Lifetime(TimeSpan Value)
{
    /// <inheritdoc />
    public override string ToString() => TimeText.Lifetime(Value);
}
