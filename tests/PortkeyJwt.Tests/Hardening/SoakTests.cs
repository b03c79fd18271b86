using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PortkeyJwt.Tests.Remote;
using Xunit.Abstractions;
using Idp = PortkeyJwt.Tests.Remote.Remote;

namespace PortkeyJwt.Tests.Hardening;

/// <summary>
/// The soak and thread-pool specs run alone: they load every core (or starve the pool on purpose), which would distort
/// other tests' timing, and other tests' allocations would distort their memory and thread measurements.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Hardening soak (runs alone)";
}

/// <summary>
/// Validations on every core while the identity provider rotates keys every ~200 ms and sometimes answers 500.
/// The verdict rule, per token and key k, from the rotation loop's published state read before and after each validation:
/// <list type="bullet">
/// <item>k definitely served for the whole validation (the last two refreshes after serving a set with k succeeded, and
/// the server has not been switched to a set without k since): the token must be valid.</item>
/// <item>k definitely not served for the whole validation (two successful refreshes of a set without k, and no set with k
/// served since): the token must be rejected with UnknownKey.</item>
/// <item>Otherwise (a swap may be happening): valid or UnknownKey, nothing else. KeysUnavailable is never explainable:
/// a failed fetch keeps the last good set, and MaxStaleness (an hour) is never reached.</item>
/// </list>
/// Why two refreshes: RefreshAsync joins a fetch already in flight, which may have read the server before the switch;
/// the second one starts after that fetch completed, so it and every later fetch read the new set.
/// Why the real clock for the provider: the loop, Kestrel and the HttpClient all run on real time, and the provider's
/// own timers (refresh, cooldown of 1 s for unknown kids) firing at real moments add realistic background fetches.
/// The validator's claim clock stays fake (tokens are minted for <see cref="Tokens.Now"/>).
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class SoakTests(ITestOutputHelper output)
{
    private const int KeyCount = 4;
    private const int TokensPerKey = 4;

    private static readonly TimeSpan SoakDuration = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("PORTKEYJWT_SOAK_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s > 0 ? s : 12);

    private enum Presence
    {
        Served,
        NotServed,
        Changing,
    }

    [Fact]
    public async Task RotatingKeysUnderLoad_NoWrongVerdict_NoLeak_NoUnobservedException()
    {
        FlushFinalizers();
        var unobserved = new ConcurrentQueue<Exception>();
        EventHandler<UnobservedTaskExceptionEventArgs> onUnobserved = (_, e) => unobserved.Enqueue(e.Exception);
        TaskScheduler.UnobservedTaskException += onUnobserved;
        try
        {
            TestKey[] keys = [.. Enumerable.Range(0, KeyCount).Select(k => TestKey.Ec($"soak-{k}"))];
            string[][] tokens = [.. keys.Select(key => Enumerable.Range(0, TokensPerKey)
                .Select(t => Tokens.Mint(Tokens.Claims().With(("exp", JsonValue.Create(Tokens.NowSeconds + 2_592_000)), ("uid", JsonValue.Create($"u{t}"))), key: key)).ToArray())];

            await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(keys[0]));
            using var provider = new JwksKeyProvider(
                new JwksKeyProviderOptions { JwksUrls = [server.Url], UnknownKeyCooldown = TimeSpan.FromSeconds(1), MaxStaleness = TimeSpan.FromHours(1) },
                httpClient: null,
                TimeProvider.System,
                NullLogger.Instance);
            Assert.True(await provider.WarmUpAsync());
            var validator = new PortkeyJwtValidator(provider, new PortkeyJwtOptions { AllowedAlgorithms = ["ES256"] }, Tokens.Clock());

            // The published state: one immutable object per key, replaced (never mutated) on every change.
            var state = new KeyState[KeyCount];
            for (int k = 0; k < KeyCount; k++)
            {
                state[k] = new KeyState(k == 0 ? Presence.Served : Presence.NotServed);
            }

            using var stop = new CancellationTokenSource();
            var violations = new ConcurrentQueue<string>();
            long validations = 0, wrong = 0, rejectedUnknown = 0;

            async Task WorkerAsync(int seed)
            {
                var random = new Random(seed);
                long local = 0;
                while (!stop.IsCancellationRequested)
                {
                    int k = random.Next(KeyCount);
                    string token = tokens[k][random.Next(TokensPerKey)];
                    KeyState before = Volatile.Read(ref state[k]);
                    PortkeyJwtResult result = await validator.ValidateAsync(token);
                    KeyState after = Volatile.Read(ref state[k]);
                    if (++local % 64 == 0)
                    {
                        await Task.Yield(); // most validations complete synchronously: let the loop and the server's work in
                    }

                    Presence presence = ReferenceEquals(before, after) ? before.Presence : Presence.Changing;
                    bool ok = presence switch
                    {
                        Presence.Served => result.IsValid,
                        Presence.NotServed => result.Error == PortkeyJwtError.UnknownKey,
                        _ => result.IsValid || result.Error == PortkeyJwtError.UnknownKey,
                    };
                    if (result.Error == PortkeyJwtError.UnknownKey)
                    {
                        Interlocked.Increment(ref rejectedUnknown);
                    }

                    if (!ok)
                    {
                        Interlocked.Increment(ref wrong);
                        if (violations.Count < 50)
                        {
                            violations.Enqueue($"key {k} ({presence}): {result}");
                        }
                    }
                }

                Interlocked.Add(ref validations, local);
            }

            async Task RotateAsync()
            {
                var random = new Random(1);
                bool[] served = [true, false, false, false];
                int steps = 0, failures = 0;
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(200);
                    steps++;
                    if (random.Next(5) == 0)
                    {
                        // The identity provider fails: the last good set stays published, so nobody's presence changes.
                        server.FailWith(500);
                        Assert.False(await provider.RefreshAsync());
                        failures++;
                        continue;
                    }

                    bool[] next = new bool[KeyCount];
                    while (!next.Contains(true))
                    {
                        for (int k = 0; k < KeyCount; k++)
                        {
                            next[k] = random.Next(2) == 0;
                        }
                    }

                    // Mark every key whose membership changes as changing BEFORE the server can hand the new set out.
                    for (int k = 0; k < KeyCount; k++)
                    {
                        if (next[k] != served[k])
                        {
                            Volatile.Write(ref state[k], new KeyState(Presence.Changing));
                        }
                    }

                    server.Serve(TestKey.Jwks([.. keys.Where((_, k) => next[k])]));
                    bool settled = await provider.RefreshAsync() & await provider.RefreshAsync();
                    Assert.True(settled, provider.Status.LastError);
                    for (int k = 0; k < KeyCount; k++)
                    {
                        if (next[k] != served[k] || state[k].Presence == Presence.Changing)
                        {
                            Volatile.Write(ref state[k], new KeyState(next[k] ? Presence.Served : Presence.NotServed));
                        }
                    }

                    served = next;
                }

                output.WriteLine($"{steps} rotation steps, {failures} of them failed fetches (500).");
            }

            int threadsAtStart = ThreadCount();
            Task rotation = Task.Run(RotateAsync);
            Task[] workers = [.. Enumerable.Range(0, Environment.ProcessorCount).Select(seed => Task.Run(() => WorkerAsync(seed)))];

            // Warm-up, then the middle measurement, then the second half; a sample every eighth for the log.
            var samples = new List<long>();
            long memoryMiddle = 0;
            int threadsMiddle = 0;
            for (int eighth = 1; eighth <= 8; eighth++)
            {
                await Task.Delay(SoakDuration / 8);
                samples.Add(GC.GetTotalMemory(forceFullCollection: true) / 1024);
                if (eighth == 4)
                {
                    memoryMiddle = samples[^1] * 1024;
                    threadsMiddle = ThreadCount();
                }
            }

            output.WriteLine($"Managed memory samples (KiB): {string.Join(", ", samples)}");
            await stop.CancelAsync();
            await Task.WhenAll([rotation, .. workers]).WaitAsync(TimeSpan.FromSeconds(30));
            long memoryEnd = GC.GetTotalMemory(forceFullCollection: true);
            int threadsEnd = ThreadCount();
            FlushFinalizers();

            output.WriteLine($"{validations} validations on {Environment.ProcessorCount} workers, {rejectedUnknown} UnknownKey, {wrong} wrong verdicts.");
            output.WriteLine($"Managed memory {memoryMiddle / 1024} KiB in the middle, {memoryEnd / 1024} KiB at the end; threads {threadsAtStart} / {threadsMiddle} / {threadsEnd}.");
            Assert.True(wrong == 0, $"{wrong} wrong verdicts, e.g.:{Environment.NewLine}{string.Join(Environment.NewLine, violations)}");
            Assert.True(validations > 1000, $"only {validations} validations ran");
            // 10 %, or 16 MiB: each fetch rents a 1 MiB + 1 buffer (a 2 MiB array) from ArrayPool<byte>.Shared, which keeps
            // such arrays per thread and per core, so a few more pool threads can pin a few more of them. That is bounded, not a leak.
            Assert.True(memoryEnd <= Math.Max(memoryMiddle * 1.10, memoryMiddle + (16L << 20)), $"managed memory grew from {memoryMiddle} to {memoryEnd} bytes");
            Assert.True(threadsEnd <= threadsMiddle + 8, $"threads grew from {threadsMiddle} to {threadsEnd}");
            Assert.True(unobserved.IsEmpty, $"unobserved task exceptions: {string.Join("; ", unobserved)}");
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= onUnobserved;
        }
    }

    /// <summary>
    /// With the thread pool capped at two worker threads beyond those the test host holds (the Kestrel server shares them), validations that wait for
    /// remote fetches (unknown kids) still complete: the library never blocks a pool thread on async work.
    /// The scenario runs on a dedicated thread that waits with a bound, so a deadlock fails the test instead of hanging it.
    /// </summary>
    [Fact]
    public async Task TwoWorkerThreads_ValidationsNeedingFetches_Complete()
    {
        const int Rounds = 5;
        TestKey[] keys = [.. Enumerable.Range(0, Rounds + 1).Select(k => TestKey.Ec($"pool-{k}"))];
        string[] tokens = [.. keys.Select(Idp.Token)];
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(keys[0]));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Idp.Provider(server, clock);
        Assert.True(await provider.WarmUpAsync());
        PortkeyJwtValidator validator = Idp.Validator(provider, clock);

        Exception? failure = null;
        int hostBusy = 0;
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scenario = new Thread(() =>
        {
            ThreadPool.GetMinThreads(out int minWorkers, out int minIo);
            ThreadPool.GetMaxThreads(out int maxWorkers, out int maxIo);
            try
            {
                // The test host keeps some pool threads blocked while a test runs (busy = max - available); the cap leaves
                // exactly two more for this scenario, Kestrel and the HttpClient together.
                ThreadPool.GetAvailableThreads(out int availableWorkers, out _);
                hostBusy = maxWorkers - availableWorkers;
                Assert.True(ThreadPool.SetMinThreads(1, minIo), "SetMinThreads(1)");
                Assert.True(ThreadPool.SetMaxThreads(hostBusy + 2, maxIo), $"SetMaxThreads({hostBusy + 2})");
                for (int round = 1; round <= Rounds; round++)
                {
                    // A new key appears; the provider learns of it only by fetching for the unknown kid.
                    server.Serve(TestKey.Jwks(keys[..(round + 1)]));
                    clock.Advance(TimeSpan.FromSeconds(31)); // past the unknown-kid cooldown
                    string fresh = tokens[round], known = tokens[round - 1];
                    Task<PortkeyJwtResult>[] pending = [.. Enumerable.Range(0, 40).Select(k => Task.Run(() => validator.ValidateAsync(k % 2 == 0 ? fresh : known).AsTask()))];
                    Assert.True(Task.WhenAll(pending).Wait(TimeSpan.FromSeconds(20)), $"round {round}: {pending.Count(p => !p.IsCompleted)} of {pending.Length} validations did not complete with two worker threads; the server saw {server.RequestCount} requests; fetch error: {provider.Status.LastError}; pool threads {ThreadPool.ThreadCount}, queued {ThreadPool.PendingWorkItemCount}");
                    Assert.All(pending, p => RuleKit.AssertValid(p.Result));
                }
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                ThreadPool.SetMaxThreads(maxWorkers, maxIo);
                ThreadPool.SetMinThreads(minWorkers, minIo);
                finished.SetResult();
            }
        })
        { IsBackground = true, Name = "thread-pool-starvation scenario" };

        // Awaited, not joined: the test's own thread goes back to the pool instead of taking one of the two.
        scenario.Start();
        await finished.Task.WaitAsync(TimeSpan.FromSeconds(60));
        if (failure is not null)
        {
            throw new Xunit.Sdk.XunitException($"The scenario failed: {failure}");
        }

        output.WriteLine($"Pool capped at {hostBusy} host-held + 2 worker threads; {Rounds} rounds of 40 validations completed; the server saw {server.RequestCount} requests.");
        Assert.True(server.RequestCount >= Rounds + 1, $"expected a fetch per round, the server saw {server.RequestCount} requests");
    }

    private static int ThreadCount()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }

    private static void FlushFinalizers()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>One key's presence, valid until the loop replaces the object.</summary>
    private sealed record KeyState(Presence Presence);
}
