using Microsoft.Extensions.Time.Testing;
using PortkeyJwt.Internal;
using PortkeyJwt.Tests.Remote;

namespace PortkeyJwt.Tests.Caching;

/// <summary>
/// The validated-token cache under threads that validate (hits, misses, adds, evictions in a cache four times too small)
/// while another rotates a key away and back: the bound holds throughout, every answer is one the key set allowed at some
/// point during the call, and once the key is gone for good no validation it made is served again.
/// </summary>
public sealed class CacheConcurrencyTests
{
    private const int Capacity = 16;

    [Fact]
    public async Task ManyThreadsValidating_WhileAKeyRotatesAwayAndBack_NeverExceedTheBound_NorServeARemovedKey()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.Remote.A, Remote.Remote.B));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Remote.Provider(server, clock);
        var validator = new PortkeyJwtValidator(provider, new PortkeyJwtOptions { AllowedAlgorithms = ["ES256", "RS256"], ValidationCacheSize = Capacity }, clock);
        Assert.True(await provider.WarmUpAsync());
        string[] a = Distinct(Remote.Remote.A, 2 * Capacity, "a");
        string[] b = Distinct(Remote.Remote.B, 2 * Capacity, "b");
        ValidationCache cache = validator.Cache!;

        using var stop = new CancellationTokenSource();
        int maxCount = 0;
        int validations = 0;
        // Dedicated threads, so the provider's refreshes never wait for a thread-pool thread behind them.
        Exception? failure = null;
        Thread[] workers = [.. Enumerable.Range(0, 4).Select(w => new Thread(() =>
        {
            try
            {
                var random = new Random(w);
                while (!stop.IsCancellationRequested)
                {
                    bool fromA = random.Next(2) == 0;
                    string token = fromA ? a[random.Next(a.Length)] : b[random.Next(b.Length)];
                    PortkeyJwtResult result = validator.ValidateAsync(token).AsTask().GetAwaiter().GetResult();
                    // B is always served; A is served, or removed, or changing, during the call.
                    Assert.True(result.IsValid || (fromA && result.Error == PortkeyJwtError.UnknownKey), $"{(fromA ? "A" : "B")}: {result.Error}");
                    InterlockedMax(ref maxCount, cache.Count);
                    Interlocked.Increment(ref validations);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        }))];
        foreach (Thread worker in workers)
        {
            worker.Start();
        }

        for (int rotation = 0; rotation < 20; rotation++)
        {
            server.Serve(rotation % 2 == 0 ? TestKey.Jwks(Remote.Remote.B) : TestKey.Jwks(Remote.Remote.A, Remote.Remote.B));
            Assert.True(await provider.RefreshAsync());
            await Task.Delay(5); // let the workers run against each key set
        }

        server.Serve(TestKey.Jwks(Remote.Remote.B)); // A gone for good
        Assert.True(await provider.RefreshAsync());
        await Task.Delay(20);
        stop.Cancel();
        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        Assert.Null(failure);

        Assert.True(validations > 100, $"only {validations} validations ran");
        Assert.InRange(maxCount, 1, Capacity);
        Assert.DoesNotContain(a, cache.Contains);
        foreach (string token in a)
        {
            RuleKit.AssertRejected(PortkeyJwtError.UnknownKey, await validator.ValidateAsync(token));
        }

        foreach (string token in b)
        {
            RuleKit.AssertValid(await validator.ValidateAsync(token));
        }

        Assert.InRange(cache.Count, 1, Capacity);
    }

    [Fact]
    public void ManyThreadsAddingTheSameTokens_KeepOneEntryEach_AndTheBound()
    {
        PortkeyJwtValidator validator = Tokens.Validator(new PortkeyJwtOptions { ValidationCacheSize = 64 });
        string[] tokens = [.. Enumerable.Range(0, 8).Select(i => Tokens.Mint(Tokens.Claims().With(("jti", $"same-{i}"))))];

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (int round = 0; round < 50; round++)
            {
                foreach (string token in tokens)
                {
                    RuleKit.AssertValid(validator.ValidateNow(token));
                }
            }
        });

        Assert.All(tokens, token => Assert.True(validator.Cache!.Contains(token)));
        Assert.InRange(validator.Cache!.Count, tokens.Length, tokens.Length);
    }

    private static string[] Distinct(TestKey key, int count, string prefix) =>
        [.. Enumerable.Range(0, count).Select(i => Tokens.Mint(Tokens.Claims().With(("exp", Tokens.NowSeconds + 2_592_000), ("jti", $"{prefix}-{i}")), key: key))];

    private static void InterlockedMax(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value > seen)
        {
            int previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
