using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace PortkeyJwt.AspNetCore.Tests;

/// <summary>The telemetry names every listener shares; these specs run alone so that no other test's validations are counted.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetrySpecs
{
    public const string Name = "Telemetry";
}

/// <summary>
/// Requests through the scheme are counted once each by the core's <c>PortkeyJwt</c> meter and activity source. The meter
/// is process-wide and its instruments name no validator, so the gateway under test marks its own requests (a first
/// middleware sets an <see cref="AsyncLocal{T}"/> that the validation's measurements and spans are recorded under) and
/// only marked measurements count: exact numbers, whatever else runs in the process.
/// </summary>
[Collection(TelemetrySpecs.Name)]
public sealed class TelemetryTests
{
    private static readonly AsyncLocal<object?> Request = new();

    [Fact]
    public async Task EachRequest_CountsOneValidation_EvenWhenThePolicyAuthenticatesTheSchemeAgain()
    {
        object mark = new();
        await using Gateway gateway = await Gateway.StartAsync(
            options =>
            {
                options.JwksJson = TestKey.Jwks(TestKey.Default);
                options.AllowedAlgorithms = ["ES256"];
            },
            services => services.AddSingleton<IStartupFilter>(new MarkRequests(mark)));
        var results = new ConcurrentQueue<string>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "PortkeyJwt" && instrument.Name == "portkeyjwt.validations")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (Request.Value != mark)
            {
                return; // another gateway's, or no request's
            }

            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "result")
                {
                    for (long i = 0; i < value; i++)
                    {
                        results.Enqueue((string)tag.Value!);
                    }
                }
            }
        });
        meters.Start();
        var spans = new ConcurrentQueue<string>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "PortkeyJwt",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (Request.Value == mark)
                {
                    spans.Enqueue(activity.OperationName);
                }
            },
        };
        ActivitySource.AddActivityListener(activities);

        // "/either" names the scheme in its policy: UseAuthentication and the policy both authenticate it.
        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage ok = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/either", "Authorization", Tokens.Mint()));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using HttpResponseMessage expired = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/either", "Authorization", Tokens.Expired()));
        using HttpResponseMessage apiKey = await gateway.Client.SendAsync(Gateway.Request(HttpMethod.Get, "/either", "x-portkey-api-key", ApiKeyScheme.Key));

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(HttpStatusCode.OK, apiKey.StatusCode);
        Assert.Equal(["Expired", "None", "None", "None"], results.Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Repeat("PortkeyJwt.Validate", 4), spans);
    }

    /// <summary>Puts a middleware first in the pipeline that marks each request's flow with <see cref="Request"/>.</summary>
    private sealed class MarkRequests(object mark) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                Request.Value = mark;
                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
