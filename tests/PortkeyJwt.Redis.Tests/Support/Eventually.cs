using System.Diagnostics;

namespace PortkeyJwt.Redis.Tests.Support;

/// <summary>A bounded poll for a condition another thread makes true: fails with what it waited for, never hangs.</summary>
internal static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> holds; returns how long that took.</summary>
    public static async Task<TimeSpan> Until(Func<bool> condition, string what, TimeSpan limit, Action? each = null)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"Timed out after {watch.Elapsed.TotalSeconds:0.#} s waiting for {what}.");
            }

            each?.Invoke();
            await Task.Delay(5);
        }

        return watch.Elapsed;
    }
}
