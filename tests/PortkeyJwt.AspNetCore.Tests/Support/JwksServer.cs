using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PortkeyJwt.AspNetCore.Tests.Support;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (a free port) playing the identity provider's JWKS endpoint; what it answers can be
/// changed at any moment. A trimmed copy of the core tests' server.
/// </summary>
internal sealed class JwksServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile Func<HttpContext, Task> _respond = context =>
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    };

    private int _requests;

    private JwksServer(WebApplication app)
    {
        _app = app;
        _app.Run(context =>
        {
            Interlocked.Increment(ref _requests);
            return _respond(context);
        });
    }

    /// <summary>http://127.0.0.1:port/jwks.json</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Requests received so far.</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    public static async Task<JwksServer> StartAsync(string jwks)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var server = new JwksServer(builder.Build());
        await server._app.StartAsync();
        var root = new Uri(server._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        server.Url = new Uri(root, "/jwks.json");
        server.Serve(jwks);
        return server;
    }

    /// <summary>Answers 200 with <paramref name="body"/> as <c>application/json</c>.</summary>
    public void Serve(string body)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        _respond = async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        };
    }

    /// <summary>Answers <paramref name="status"/> with a short text body.</summary>
    public void FailWith(int status) => _respond = async context =>
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsync($"status {status}", context.RequestAborted);
    };

    /// <summary>Holds each response until <paramref name="release"/> completes, then answers as configured before.</summary>
    public void HoldUntil(Task release)
    {
        Func<HttpContext, Task> answer = _respond;
        _respond = async context =>
        {
            await release.WaitAsync(context.RequestAborted);
            await answer(context);
        };
    }

    /// <summary>Answers 302 to <paramref name="location"/>.</summary>
    public void RedirectTo(Uri location) => _respond = context =>
    {
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = location.ToString();
        return Task.CompletedTask;
    };

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(stopping.Token);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }
}
