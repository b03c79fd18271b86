using Microsoft.Extensions.Time.Testing;

namespace PortkeyJwt.Tests.Remote;

/// <summary>Warm-up, disposal, cancellation of a waiting validation, and the status a health check reads.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task WarmUpAsync_WhenTheFirstFetchSucceeds_ReturnsTrue()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        using JwksKeyProvider provider = Remote.Provider(server, Tokens.Clock());

        Assert.True(await provider.WarmUpAsync());

        Assert.True(provider.Status.IsHealthy);
        Assert.Null(provider.Status.LastError);
    }

    [Fact]
    public async Task WarmUpAsync_WhenTheFetchFails_ReturnsFalse_AndStatusSaysWhy()
    {
        await using JwksServer server = await JwksServer.StartAsync();
        server.FailWith(502);
        using JwksKeyProvider provider = Remote.Provider(server, Tokens.Clock());

        Assert.False(await provider.WarmUpAsync());

        Assert.Contains("HTTP 502", provider.Status.LastError, StringComparison.Ordinal);
        Assert.False(provider.Status.IsAvailable);
    }

    [Fact]
    public async Task WarmUpAsync_AfterASetIsLoaded_ReturnsTrueWithoutFetching()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        using JwksKeyProvider provider = Remote.Provider(server, Tokens.Clock());
        Assert.True(await provider.WarmUpAsync());

        Assert.True(await provider.WarmUpAsync());
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Dispose_StopsBackgroundRefresh_NoRequestForHoursOfFakeTime()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        JwksKeyProvider provider = Remote.Provider(server, clock);
        Assert.True(await provider.WarmUpAsync());

        // The refresh timer runs: a refresh interval (15 minutes ±5 %) later there is a request.
        clock.Advance(TimeSpan.FromMinutes(16));
        await server.WaitForRequestsAsync(2);
        await Remote.WaitForAttemptAsync(provider, clock);

        provider.Dispose();
        for (int hour = 0; hour < 48; hour++)
        {
            clock.Advance(TimeSpan.FromHours(1));
        }

        Assert.False(provider.ShouldFetchFor([]));
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task Validation_AfterDispose_FailsWithKeysUnavailable_WithoutARequest()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());

        provider.Dispose();
        clock.Advance(TimeSpan.FromMinutes(1));

        RuleKit.AssertRejected(PortkeyJwtError.KeysUnavailable, Remote.ValidateNow(validator, Remote.Token(Remote.A)));
        RuleKit.AssertRejected(PortkeyJwtError.KeysUnavailable, Remote.ValidateNow(validator, Remote.Token(Remote.B)));
        Assert.False(provider.Status.IsAvailable);
        Assert.Equal(0, provider.KeyCount);
        Assert.Empty(provider.KeyIds);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Dispose_Twice_IsSafe_AndRefreshOrWarmUpAfterwardsThrowObjectDisposed()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        JwksKeyProvider provider = Remote.Provider(server, Tokens.Clock());
        Assert.True(await provider.WarmUpAsync());

        provider.Dispose();
        provider.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => provider.RefreshAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => provider.WarmUpAsync());
    }

    [Fact]
    public async Task DisposeAsync_DisposesLikeDispose()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());

        await provider.DisposeAsync();
        await provider.DisposeAsync();
        clock.Advance(TimeSpan.FromDays(1));

        RuleKit.AssertRejected(PortkeyJwtError.KeysUnavailable, Remote.ValidateNow(validator, Remote.Token(Remote.A)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => provider.RefreshAsync());
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Dispose_DuringAFetch_CancelsIt_AndEndsWaitingValidationsWithKeysUnavailable()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        clock.Advance(TimeSpan.FromMinutes(1));
        server.Hold();
        Task<PortkeyJwtResult> waiting = validator.ValidateAsync(Remote.Token(Remote.B)).AsTask();
        await server.WaitForRequestsAsync(2);

        provider.Dispose();

        RuleKit.AssertRejected(PortkeyJwtError.KeysUnavailable, await waiting);
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task CancelledValidation_WaitingOnAHungFetch_EndsCancelled_WhileTheSharedFetchCompletesForOthers()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());
        clock.Advance(TimeSpan.FromMinutes(1));

        TaskCompletionSource hold = server.Hold();
        server.Serve(TestKey.Jwks(Remote.A, Remote.B));
        using var cancellation = new CancellationTokenSource();
        Task<PortkeyJwtResult> cancelled = validator.ValidateAsync(Remote.Token(Remote.B), cancellation.Token).AsTask();
        Task<PortkeyJwtResult> patient = validator.ValidateAsync(Remote.Token(Remote.B)).AsTask();
        await server.WaitForRequestsAsync(2);

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(patient.IsCompleted);

        hold.SetResult();
        RuleKit.AssertValid(await patient);
        Assert.Equal(2, server.RequestCount);
        Assert.True(provider.Status.IsHealthy);
    }

    [Fact]
    public async Task Validation_WithAnAlreadyCancelledToken_EndsCancelled()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        PortkeyJwtValidator validator = Remote.Validator(provider, clock);
        Assert.True(await provider.WarmUpAsync());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => validator.ValidateAsync(Remote.Token(Remote.A), new CancellationToken(canceled: true)).AsTask());
    }

    [Fact]
    public async Task Status_BeforeTheFirstLoad_IsUnavailable_WithNothingKnown()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        server.Hold();
        using JwksKeyProvider provider = Remote.Provider(server, Tokens.Clock());
        await server.WaitForRequestsAsync(1);

        JwksKeyProviderStatus status = provider.Status;

        Assert.False(status.IsAvailable);
        Assert.False(status.IsHealthy);
        Assert.Equal(0, status.KeyCount);
        Assert.Null(status.LastSuccessAt);
        Assert.Null(status.LastAttemptAt);
        Assert.Null(status.LastError);
        Assert.Null(status.Staleness);
        Assert.Equal(0, status.ConsecutiveFailures);
    }

    [Fact]
    public async Task Status_CountsKeys_AndComputesStalenessFromTheClock()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A, Remote.B, Remote.C));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        Assert.True(await provider.WarmUpAsync());

        JwksKeyProviderStatus loaded = provider.Status;
        Assert.True(loaded.IsHealthy);
        Assert.Equal(3, loaded.KeyCount);
        Assert.Equal(Tokens.Now, loaded.LastSuccessAt);
        Assert.Equal(Tokens.Now, loaded.LastAttemptAt);
        Assert.Equal(TimeSpan.Zero, loaded.Staleness);

        clock.Advance(TimeSpan.FromMinutes(7));
        JwksKeyProviderStatus later = provider.Status;
        Assert.Equal(TimeSpan.FromMinutes(7), later.Staleness);
        Assert.Equal(Tokens.Now, later.LastSuccessAt);
        Assert.Equal(3, later.KeyCount);

        Assert.True(await provider.RefreshAsync());
        Assert.Equal(TimeSpan.Zero, provider.Status.Staleness);
        Assert.Equal(Tokens.Now + TimeSpan.FromMinutes(7), provider.Status.LastSuccessAt);
    }

    [Fact]
    public async Task Status_CountsConsecutiveFailures_AndClearsThemOnSuccess()
    {
        await using JwksServer server = await JwksServer.StartAsync(TestKey.Jwks(Remote.A));
        FakeTimeProvider clock = Tokens.Clock();
        using JwksKeyProvider provider = Remote.Provider(server, clock);
        Assert.True(await provider.WarmUpAsync());

        server.FailWith(500);
        Assert.False(await provider.RefreshAsync());
        Assert.False(await provider.RefreshAsync());
        Assert.Equal(2, provider.Status.ConsecutiveFailures);

        server.Serve(TestKey.Jwks(Remote.A));
        Assert.True(await provider.RefreshAsync());
        Assert.Equal(0, provider.Status.ConsecutiveFailures);
        Assert.Null(provider.Status.LastError);
    }
}
