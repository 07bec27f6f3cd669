using System;
using System.Reflection;
using Renci.SshNet;

namespace ParamikoJump.SshNet;

/// <summary>
/// The receive window of every channel a ParamikoJump session opens or accepts (commands, shells, SFTP, forwards,
/// and the direct-tcpip channel each jump opens for the hop behind it). SSH.NET advertises int.MaxValue, a literal in
/// <c>Session</c>'s <c>ISession.CreateChannel*</c>, and adjusts it as data arrives, so nothing ever tells an OpenSSH
/// server to wait: it reads its side as fast as it can and holds what the client has not yet taken in channel
/// buffers, which it grows, frees and grows again: the jump servers spend their CPU page-faulting, not encrypting,
/// and that CPU is shared with the client on the lab and with other users on a real bastion. Bounding the window cuts
/// the servers' CPU and raises throughput (benchmarks/README.md, section 3).
/// </summary>
/// <remarks>
/// How: each channel is created by the session and opened later (its window is sent in SSH_MSG_CHANNEL_OPEN), so a
/// <c>DispatchProxy</c> on SSH.NET's internal <c>ISession</c> passes every call through and sets the window of each
/// channel it hands out (the private <c>Channel._initialWindowSize</c> and <c>LocalWindowSize</c>) before anyone
/// opens it. The proxy stands where SSH.NET keeps the client's session (<c>BaseClient.Session</c>, installed through
/// <see cref="Transport"/>'s service factory) and, for a jump that is a plain SSH.NET client, on the forward alone
/// (<c>ForwardedPort.Session</c>). SSH.NET still adjusts the window on receipt, when fewer than 64 KiB are left.
/// Fallback when an SSH.NET upgrade moves any of this (a row of <see cref="SshNetSeams"/>), and on .NET Framework: SSH.NET's
/// own unbounded window, as before.
/// </remarks>
internal static class ChannelWindows
{
    /// <summary>
    /// The window each channel advertises: SSH.NET adjusts only when less than a packet is left, so a smaller window
    /// makes the server wait for each adjust to cross every hop back, and a larger one brings the servers' buffer
    /// churn back (benchmarks/README.md, section 3, "Which window"). An application can change it (AppContext data
    /// <c>ParamikoJump.ChannelWindowSize</c>).
    /// </summary>
    public const uint Default = 8 * 1024 * 1024;

    private static readonly Type? ChannelType = SshNetSeams.ChannelWindow.Members.Channel;
    private static readonly FieldInfo? InitialWindow = SshNetSeams.ChannelWindow.Members.InitialWindow;
    private static readonly PropertyInfo? LocalWindow = SshNetSeams.ChannelWindow.Members.LocalWindow;
    private static readonly Type? SessionContract = SshNetSeams.ChannelWindow.Members.SessionContract;
    private static readonly PropertyInfo? PortSession = SshNetSeams.ForwardSession.Members;

    /// <summary>Whether a channel's window can be set before it opens.</summary>
    public static bool CanBound => SshNetSeams.ChannelWindow.IsAvailable;

    /// <summary>Whether the session proxy can stand where SSH.NET keeps a client's or a forward's session.</summary>
    public static bool CanWrap =>
#if NET8_0_OR_GREATER
        CanBound && SshNetSeams.ForwardSession.IsAvailable;
#else
        false;
#endif

    /// <summary>Whether channels can re-open their window as their reader takes the data (<c>ChannelFlow</c>, .NET 8+).</summary>
    public static bool CanFlow =>
#if NET8_0_OR_GREATER
        CanBound && ChannelFlow.IsAvailable;
#else
        false;
#endif

    /// <summary>Sets the window of a channel that is not yet open; false if <paramref name="channel"/> is not one.</summary>
    public static bool TryBound(object? channel, uint window)
    {
        if (!CanBound || channel is null || !ChannelType!.IsInstanceOfType(channel))
        {
            return false;
        }

        InitialWindow!.SetValue(channel, window);
        LocalWindow!.SetValue(channel, window);
        return true;
    }

    /// <summary>The current window of a channel (for tests and diagnostics); null if it is not one.</summary>
    public static uint? WindowOf(object? channel) =>
        CanBound && channel is not null && ChannelType!.IsInstanceOfType(channel) ? (uint)LocalWindow!.GetValue(channel)! : null;

    /// <summary>SSH.NET's own session behind <paramref name="session"/>, which may be our proxy.</summary>
    public static object? Unwrap(object? session) =>
#if NET8_0_OR_GREATER
        session is BoundedSession proxy ? proxy.Target : session;
#else
        session;
#endif

#if NET8_0_OR_GREATER
    /// <summary>
    /// Wraps a session SSH.NET just created (the service factory's <c>CreateSession</c>): its commands' and forwards'
    /// channels get <see cref="ChannelFlow"/> too, unless <paramref name="flow"/> is false, with <paramref name="report"/>
    /// making the error of a server that sends past the window. Returns it unchanged when not possible.
    /// </summary>
    public static object Wrap(object session, uint window, bool flow = true, WindowViolationReport? report = null) =>
        !CanBound || session is BoundedSession || !SessionContract!.IsInstanceOfType(session) ? session : BoundedSession.Create(SessionContract, session, window, pump: null, flow, report);

    /// <summary>
    /// Puts a proxy of its own on the session of a hop's forward (added to the jump, not started): the forward's
    /// channel gets <paramref name="window"/> (null: SSH.NET's own, or the jump's if the jump is a ParamikoJump client)
    /// and, with <paramref name="pump"/>, a <see cref="TunnelPump"/> instead of a pool thread. Returns whether the
    /// forward pumps (false: SSH.NET pins a pool thread per connection, as before).
    /// </summary>
    public static bool TryInstallOnForward(ForwardedPort port, uint? window, TunnelPump.Hooks? pump)
    {
        pump = TunnelPump.IsAvailable ? pump : null;
        if (!CanWrap || PortSession!.GetValue(port) is not { } session)
        {
            return false;
        }

        // Always a proxy of its own, also with nothing to change: the client's proxy would give a user's forward's
        // flow control (ChannelFlow) to the hop's tunnel, whose local side is the hop's own session.
        var own = session is BoundedSession bounded ? bounded : null;
        PortSession.SetValue(port, BoundedSession.Create(SessionContract!, own?.Target ?? session, window ?? own?.Window, pump, flow: false, report: null));
        return pump is not null;
    }

    /// <summary>
    /// Passes every call to SSH.NET's session; bounds the window of each channel it creates and, on a hop's forward,
    /// hands out direct-tcpip channels that pump without a thread.
    /// </summary>
    internal class BoundedSession : DispatchProxy
    {
        private TunnelPump.Hooks? _pump;
        private bool _flow;
        private WindowViolationReport? _report;

        public object Target { get; private set; } = null!;

        public uint? Window { get; private set; }

        public static object Create(Type contract, object target, uint? window, TunnelPump.Hooks? pump, bool flow, WindowViolationReport? report)
        {
            var proxy = (BoundedSession)Create(contract, typeof(BoundedSession));
            proxy.Target = target;
            proxy.Window = window;
            proxy._pump = pump;
            proxy._flow = flow;
            proxy._report = report;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            var result = Reflected.Call(targetMethod, Target, args);
            if (targetMethod.Name is "CreateChannelSession" or "CreateChannelDirectTcpip" or "CreateChannelForwardedTcpip" && Window is { } window && TryBound(result, window) && _flow)
            {
                ChannelFlow.TryAttach(targetMethod.Name, result, window, _report);
            }

            return _pump is not null && targetMethod.Name == "CreateChannelDirectTcpip" ? TunnelPump.Wrap(result, _pump) : result;
        }
    }
#endif
}
