using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace PortkeyJwt.Tests.Remote;

/// <summary>One fetch in flight per source: every caller that needs keys meanwhile joins it.</summary>
public sealed class SingleFlightTests
{
    [Fact]
    public async Task TenThousandConcurrentValidations_OfANewKid_ShareOneFetch_AndAllSucceed()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        clock.Advance(TimeSpan.FromMinutes(1));

        TaskCompletionSource hold = server.Hold();
        server.Serve(TestKey.Jwks(Remote.A, Remote.Rsa));
        string[] tokens = [.. Enumerable.Range(0, 16).Select(i => Tokens.Mint(Tokens.Claims().With(("sub", $"user-{i}")), key: Remote.Rsa))];
        var validations = new Task<PortkeyJwtResult>[10_000];
        Parallel.For(0, validations.Length, i => validations[i] = validator.ValidateAsync(tokens[i % tokens.Length]).AsTask());

        await server.WaitForRequestsAsync(2);
        Assert.DoesNotContain(validations, v => v.IsCompleted);
        hold.SetResult();
        PortkeyJwtResult[] results = await Task.WhenAll(validations);

        Assert.All(results, r => Assert.True(r.IsValid, r.ToString()));
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task RefreshAsync_WhileAFetchIsInFlight_JoinsIt()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());

        TaskCompletionSource hold = server.Hold();
        server.Serve(TestKey.Jwks(Remote.A, Remote.B));
        Task<bool> first = provider.RefreshAsync();
        await server.WaitForRequestsAsync(2);
        Task<bool> second = provider.RefreshAsync();
        Task<PortkeyJwtResult> validation = validator.ValidateAsync(Remote.Token(Remote.B)).AsTask();
        Assert.False(second.IsCompleted);
        Assert.False(validation.IsCompleted, "A new kid joins the fetch in flight, even within the cooldown.");

        hold.SetResult();
        Assert.True(await first);
        Assert.True(await second);
        RuleKit.AssertValid(await validation);
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task WarmUpAsync_CalledManyTimes_JoinsTheFirstFetchTheConstructorStarted()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        TaskCompletionSource hold = server.Hold();
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);

        await server.WaitForRequestsAsync(1);
        Task<bool>[] warmUps = [provider.WarmUpAsync(), provider.WarmUpAsync(), provider.WarmUpAsync()];
        Assert.DoesNotContain(warmUps, w => w.IsCompleted);
        hold.SetResult();

        Assert.All(await Task.WhenAll(warmUps), Assert.True);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task WarmUpAsync_WhileTheFirstFetchIsStillFinishing_WaitsForIt_SoTheNextRefreshFetchesAnew()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        using var finishing = new PausingFirstResponse();
        using var client = new HttpClient(finishing);
        using var provider = new JwksKeyProvider(new JwksKeyProviderOptions { JwksUrls = [server.Url] }, client, Tokens.Clock(), NullLogger.Instance);

        await finishing.Paused.WaitAsync(TimeSpan.FromSeconds(5)); // the first response is read; the fetch is disposing it
        Task<bool> warmUp = provider.WarmUpAsync();
        bool returnedEarly = warmUp.IsCompleted;
        finishing.Resume();

        Assert.False(returnedEarly, "WarmUpAsync returned while the first fetch was still in flight.");
        Assert.True(await warmUp);
        server.FailWith(500);
        Assert.False(await provider.RefreshAsync(), "RefreshAsync joined the finished first fetch instead of fetching.");
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task ValidationsWithoutAnyKeySet_WhileTheFirstFetchIsInFlight_WaitForIt_AndValidate()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        TaskCompletionSource hold = server.Hold();
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);

        await server.WaitForRequestsAsync(1);
        Task<PortkeyJwtResult>[] validations = [.. Enumerable.Range(0, 100).Select(_ => validator.ValidateAsync(Remote.Token(Remote.A)).AsTask())];
        Assert.DoesNotContain(validations, v => v.IsCompleted);
        hold.SetResult();

        Assert.All(await Task.WhenAll(validations), r => Assert.True(r.IsValid, r.ToString()));
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task SecondRound_OfTheSameNewKid_AfterTheSharedFetch_NeedsNoFetch()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        clock.Advance(TimeSpan.FromMinutes(1));
        server.Serve(TestKey.Jwks(Remote.A, Remote.B));

        Task<PortkeyJwtResult>[] firstRound = [.. Enumerable.Range(0, 1000).Select(_ => validator.ValidateAsync(Remote.Token(Remote.B)).AsTask())];
        Assert.All(await Task.WhenAll(firstRound), r => Assert.True(r.IsValid, r.ToString()));
        for (int i = 0; i < 1000; i++)
        {
            RuleKit.AssertValid(Remote.ValidateNow(validator, Remote.Token(Remote.B)));
        }

        Assert.Equal(2, server.RequestCount);
    }

    /// <summary>
    /// Lets the first response through, then holds the fetch that read it while it disposes the response: the moment after
    /// the set is parsed and before the fetch completes.
    /// </summary>
    private sealed class PausingFirstResponse() : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _resume = new();
        private int _responses;

        public Task Paused => _paused.Task;

        public void Resume() => _resume.Set();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
            if (Interlocked.Increment(ref _responses) == 1)
            {
                byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                response.Content.Dispose();
                response.Content = new PausingContent(body, this);
            }

            return response;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _resume.Set();
                _resume.Dispose();
            }

            base.Dispose(disposing);
        }

        private sealed class PausingContent(byte[] body, PausingFirstResponse owner) : ByteArrayContent(body)
        {
            protected override void Dispose(bool disposing)
            {
                if (disposing && owner._paused.TrySetResult())
                {
                    owner._resume.Wait(TimeSpan.FromSeconds(5));
                }

                base.Dispose(disposing);
            }
        }
    }
}
