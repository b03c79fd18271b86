using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace PortkeyJwt.Tests.Remote;

/// <summary>Keys, documents and factories shared by the remote-provider specs.</summary>
internal static class Remote
{
    private static readonly Lazy<TestKey> LazyA = new(() => TestKey.Ec("key-a"));
    private static readonly Lazy<TestKey> LazyB = new(() => TestKey.Ec("key-b"));
    private static readonly Lazy<TestKey> LazyC = new(() => TestKey.Ec("key-c"));
    private static readonly Lazy<TestKey> LazyOtherC = new(() => TestKey.Ec("key-c"));
    private static readonly Lazy<TestKey> LazyRsa = new(() => TestKey.Rsa("key-rsa"));

    /// <summary>The key the identity provider starts with (EC P-256: fast to make and to verify).</summary>
    public static TestKey A => LazyA.Value;

    /// <summary>The key it rotates to.</summary>
    public static TestKey B => LazyB.Value;

    /// <summary>A third key.</summary>
    public static TestKey C => LazyC.Value;

    /// <summary>Different material under <see cref="C"/>'s kid.</summary>
    public static TestKey OtherC => LazyOtherC.Value;

    /// <summary>An RSA-2048 key (RS256): cheaper to verify than EC, for specs that validate tens of thousands of tokens.</summary>
    public static TestKey Rsa => LazyRsa.Value;

    /// <summary>A JWKS whose only key is unusable (a symmetric key): well-formed, but nothing to verify with.</summary>
    public static string NoUsableKeys => """{"keys":[{"kty":"oct","kid":"hmac","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}]}""";

    /// <summary>A valid token signed by <paramref name="key"/>.</summary>
    /// <remarks>It expires in 30 days, so specs can move the clock by hours.</remarks>
    public static string Token(TestKey key) => Tokens.Mint(Tokens.Claims().With(("exp", JsonValue.Create(Tokens.NowSeconds + 2_592_000))), key: key);

    /// <summary>
    /// A token naming <paramref name="kid"/> with a garbage signature: key lookup comes before the signature check, so it
    /// is enough to exercise the unknown-kid path.
    /// </summary>
    public static string UnsignedToken(string kid) =>
        TestKey.B64($$"""{"alg":"ES256","typ":"JWT","kid":"{{kid}}"}""") + "." + TestKey.B64("{}") + "." + TestKey.B64(new byte[64]);

    /// <summary>The provider under test, as a gateway builds it: no HttpClient (the provider owns one), the fake clock.</summary>
    public static JwksKeyProvider Provider(JwksServer server, FakeTimeProvider clock, Action<JwksKeyProviderOptions>? configure = null)
    {
        var options = new JwksKeyProviderOptions { JwksUrls = [server.Url] };
        configure?.Invoke(options);
        return new JwksKeyProvider(options, httpClient: null, timeProvider: clock, NullLogger.Instance);
    }

    /// <summary>
    /// Validates and requires the result at once: a validation that needs no fetch (known kid, or unknown during the
    /// cooldown) completes synchronously.
    /// </summary>
    public static PortkeyJwtResult ValidateNow(PortkeyJwtValidator validator, string token)
    {
        ValueTask<PortkeyJwtResult> pending = validator.ValidateAsync(token);
        return pending.IsCompletedSuccessfully
            ? pending.Result
            : throw new Xunit.Sdk.XunitException("The validation waited for a fetch; it was expected to complete synchronously, without one.");
    }

    /// <summary>Starts a validation: its result if it completed synchronously; otherwise null, and the task waiting for a fetch.</summary>
    public static PortkeyJwtResult? Start(PortkeyJwtValidator validator, string token, out Task<PortkeyJwtResult>? waiting)
    {
        ValueTask<PortkeyJwtResult> pending = validator.ValidateAsync(token);
        if (pending.IsCompletedSuccessfully)
        {
            waiting = null;
            return pending.Result;
        }

        waiting = pending.AsTask();
        return null;
    }

    /// <summary>A validator over <paramref name="provider"/> that accepts the remote keys' algorithms.</summary>
    public static PortkeyJwtValidator Validator(JwksKeyProvider provider, FakeTimeProvider clock) =>
        new(provider, new PortkeyJwtOptions { AllowedAlgorithms = ["ES256", "RS256"] }, clock);

    /// <summary>
    /// Asserts that no fetch is running and none was sent since <paramref name="requestsBefore"/>. A fetch a timer starts
    /// is in flight from the timer's callback (inside <see cref="FakeTimeProvider.Advance"/>) until after the server has
    /// counted its request, so checking "in flight" and then the count leaves no gap. "In flight" is read through
    /// <see cref="JwksKeyProvider.ShouldFetchFor"/>, which means "fetching, or off cooldown": callers keep the cooldown
    /// long (<see cref="JwksKeyProviderOptions.UnknownKeyCooldown"/> of an hour) so that only a fetch in flight makes it true.
    /// </summary>
    public static void AssertNoFetch(JwksKeyProvider provider, JwksServer server, int requestsBefore)
    {
        Assert.False(provider.ShouldFetchFor([]), "A fetch is in flight (or the cooldown has ended: keep it long in timing tests).");
        Assert.Equal(requestsBefore, server.RequestCount);
    }

    /// <summary>Waits until a fetch that completed at the fake clock's current time is reflected in the status.</summary>
    public static Task WaitForAttemptAsync(JwksKeyProvider provider, FakeTimeProvider clock) =>
        Eventually.Until(() => provider.Status.LastAttemptAt == clock.GetUtcNow(), $"a fetch to complete at {clock.GetUtcNow():O}");

    /// <summary><paramref name="json"/> followed by spaces up to exactly <paramref name="length"/> UTF-8 bytes.</summary>
    public static string PadTo(string json, int length)
    {
        int bytes = Encoding.UTF8.GetByteCount(json);
        Assert.True(bytes <= length, $"The document is already {bytes} bytes.");
        return json + new string(' ', length - bytes);
    }
}

/// <summary>
/// A handler that never touches the network: it records each request URL and answers 503. For specs about construction
/// (URL policy, option ranges) where a successfully built provider would otherwise start a real fetch.
/// </summary>
internal sealed class OfflineHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Uri> _requested = new();

    public IReadOnlyList<Uri> Requested => [.. _requested];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _requested.Enqueue(request.RequestUri!);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request });
    }
}
