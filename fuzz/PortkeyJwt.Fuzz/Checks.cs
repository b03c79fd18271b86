using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace PortkeyJwt.Fuzz;

/// <summary>An input broke one of the harness's invariants; escaping the fuzz action, it is reported as a crash.</summary>
internal sealed class InvariantViolationException : Exception
{
    public InvariantViolationException()
    {
    }

    public InvariantViolationException(string message)
        : base(message)
    {
    }

    public InvariantViolationException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>The checks every target shares: invariants, the per-call time limit, and exceptions raised even if caught.</summary>
internal static class Checks
{
    /// <summary>One call into the library taking longer than this is reported as a hang.</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(1);

    [ThreadStatic]
    private static bool t_watching;

    [ThreadStatic]
    private static Exception? t_firstChance;

    static Checks() => AppDomain.CurrentDomain.FirstChanceException += OnFirstChance;

    public static void Require(bool condition, string invariant)
    {
        if (!condition)
        {
            throw new InvariantViolationException(invariant);
        }
    }

    /// <summary>
    /// Runs <paramref name="call"/> under the time limit. A call over the limit is run once more: one slow call on a shared
    /// machine may be a scheduling stall, two in a row are the input's doing, and are reported.
    /// </summary>
    public static T Timed<T>(string what, Func<T> call)
    {
        long started = Stopwatch.GetTimestamp();
        T result = call();
        TimeSpan first = Stopwatch.GetElapsedTime(started);
        if (first <= TimeLimit)
        {
            return result;
        }

        started = Stopwatch.GetTimestamp();
        result = call();
        TimeSpan second = Stopwatch.GetElapsedTime(started);
        Require(second <= TimeLimit, $"hang: {what} took {first.TotalMilliseconds:F0} ms, then {second.TotalMilliseconds:F0} ms (limit {TimeLimit.TotalMilliseconds:F0} ms)");
        return result;
    }

    /// <summary>
    /// Runs <paramref name="call"/> and fails when it raised any exception on this thread, even one the library caught:
    /// rejections are values, and the library's own tests hold it to that ("no exception, not even internally").
    /// </summary>
    public static T NoExceptionRaised<T>(string what, Func<T> call)
    {
        t_firstChance = null;
        t_watching = true;
        T result;
        try
        {
            result = call();
        }
        finally
        {
            t_watching = false;
        }

        if (t_firstChance is { } raised)
        {
            t_firstChance = null;
            throw new InvariantViolationException($"{what} raised {raised.GetType().FullName} internally: {raised.Message}", raised);
        }

        return result;
    }

    private static void OnFirstChance(object? sender, FirstChanceExceptionEventArgs e)
    {
        if (t_watching)
        {
            t_firstChance ??= e.Exception;
        }
    }
}
