namespace PortkeyJwt.Testing;

/// <summary>A bounded poll for a condition another thread makes true: fails with what it waited for, never hangs.</summary>
internal static class Eventually
{
    public static async Task Until(Func<bool> condition, string what, TimeSpan? limit = null)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > (limit ?? TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException($"Timed out after {watch.Elapsed.TotalSeconds:0.#} s waiting for {what}.");
            }

            await Task.Delay(2);
        }
    }
}
