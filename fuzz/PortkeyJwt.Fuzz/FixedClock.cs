namespace PortkeyJwt.Fuzz;

/// <summary>A clock that never moves, so a token's lifetime checks give the same answer on every run.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    /// <summary>The instant the seed tokens were minted for: 2026-06-01T12:00:00Z, as in the library's tests.</summary>
    public static readonly DateTimeOffset SeedTime = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static FixedClock AtSeedTime { get; } = new(SeedTime);

    public override DateTimeOffset GetUtcNow() => now;
}
