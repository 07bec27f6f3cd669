using System;
using Renci.SshNet;

namespace ParamikoJump.Hops;

/// <summary>
/// SSH.NET has one budget, <see cref="ConnectionInfo.Timeout"/>, which it reads at every wait of a synchronous
/// connect and of a connected session, and which an asynchronous connect reads once, right after
/// <c>OnConnecting</c>, as the deadline of the whole attempt. ParamikoJump gives each stage its own budget, so the
/// value is switched as the stages pass, here and nowhere else. The hop's watchdog enforces the stage budgets
/// on its own clock; these values are SSH.NET's backstop and its budgets once connected.
/// </summary>
internal static class StageBudgets
{
    /// <summary>
    /// Before any wait: long enough for every stage when the value must serve as an async connect's overall deadline
    /// (<paramref name="wholeAttempt"/>), else the budget before the banner, which a synchronous connect's first waits use.
    /// </summary>
    public static void Connecting(ConnectionInfo info, HopTimeouts timeouts, bool throughJump, bool wholeAttempt) =>
        info.Timeout = wholeAttempt
            ? Sum(Sum(timeouts.BeforeBanner(throughJump), timeouts.Connect), timeouts.Auth)
            : timeouts.BeforeBanner(throughJump);

    /// <summary>After the banner: the key exchange waits at most the connect budget.</summary>
    public static void KeyExchange(ConnectionInfo info, HopTimeouts timeouts) => info.Timeout = timeouts.Connect;

    /// <summary>During login: one keyboard-interactive exchange is one SSH.NET wait, so it gets the whole login budget.</summary>
    public static void Authentication(ConnectionInfo info, HopTimeouts timeouts) => info.Timeout = timeouts.Auth;

    /// <summary>Once connected: every channel open and request.</summary>
    public static void Connected(ConnectionInfo info, HopTimeouts timeouts) => info.Timeout = timeouts.Channel;

    private static TimeSpan Sum(TimeSpan a, TimeSpan b) =>
        a == System.Threading.Timeout.InfiniteTimeSpan || b == System.Threading.Timeout.InfiniteTimeSpan ? System.Threading.Timeout.InfiniteTimeSpan : a + b;
}
