namespace PortkeyJwt.Testing;

/// <summary>A bounded poll for a condition another thread makes true: fails with what it waited for, never hangs.</summary>
internal static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> holds (10 s unless <paramref name="limit"/> says otherwise), running <paramref name="each"/> between checks; returns how long that took.</summary>
    public static async Task<TimeSpan> Until(Func<bool> condition, string what, TimeSpan? limit = null, Action? each = null)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > (limit ?? TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException($"Timed out after {watch.Elapsed.TotalSeconds:0.#} s waiting for {what}.");
            }

            each?.Invoke();
            await Task.Delay(2);
        }

        return watch.Elapsed;
    }
}
