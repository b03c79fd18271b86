namespace PortkeyJwt.Internal;

/// <summary>
/// The fetches allowed in flight at once (<see cref="JwksKeyProviderOptions.MaxConcurrentFetches"/>): one instance per
/// provider, or one shared by every anchor of a <see cref="TrustAnchorSet"/>, so a cold start of thousands of anchors
/// opens a bounded number of connections. A fetch waits for a slot within its own timeout.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "SemaphoreSlim holds an unmanaged handle only once AvailableWaitHandle is read, which never happens here.")]
internal sealed class FetchSlots
{
    private readonly SemaphoreSlim _slots;
    private int _waiting;

    public FetchSlots(int limit)
    {
        Limit = limit;
        _slots = new SemaphoreSlim(limit, limit);
    }

    public int Limit { get; }

    /// <summary>Fetches waiting for a slot now; for tests and diagnostics.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Fetches holding a slot now.</summary>
    public int InUse => Limit - _slots.CurrentCount;

    /// <summary>Takes a slot, waiting until one is free or <paramref name="cancellationToken"/> fires; pair with <see cref="Exit"/>.</summary>
    public async ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        if (_slots.Wait(0, CancellationToken.None))
        {
            return;
        }

        Interlocked.Increment(ref _waiting);
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Exit() => _slots.Release();

    /// <summary>Why a fetch failed that found no free slot within <paramref name="timeout"/>: the one wording both fetch kinds report.</summary>
    public string NoSlotWithin(TimeSpan timeout) =>
        $"no fetch slot free within {timeout.TotalSeconds:0.###} s: {Limit} other fetches were in flight (MaxConcurrentFetches)";
}
