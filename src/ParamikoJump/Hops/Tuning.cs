using System;
using ParamikoJump.SshNet;
using Renci.SshNet;

namespace ParamikoJump.Hops;

/// <summary>
/// Escape hatches for the data-path tuning, as AppContext switches (read when a hop is created; runtimeconfig or
/// <see cref="AppContext.SetSwitch"/>). Off by default: the tuning is on. They exist for the benchmark's in-run A/B
/// and for an application that meets a case the tuning hurts (a bounded window on a long, fat link).
/// </summary>
internal static class Tuning
{
    /// <summary>SSH.NET's own unbounded channel window instead of <see cref="ChannelWindows.Default"/>.</summary>
    public const string UnboundedChannelWindowSwitch = "ParamikoJump.UnboundedChannelWindow";

    /// <summary>Socket readiness events of a session go through the thread pool again, as SSH.NET leaves them.</summary>
    public const string PooledSocketEventsSwitch = "ParamikoJump.PooledSocketEvents";

    /// <summary>Every open tunnel is served by a pool thread of its own again (SSH.NET's <c>Bind()</c>), never by the pump.</summary>
    public const string ThreadPerTunnelSwitch = "ParamikoJump.ThreadPerTunnel";

    /// <summary>
    /// Channels re-open their window as data arrives, as SSH.NET does, and forwards write into their local socket on
    /// the session's receive thread again: no <c>SshNet.ChannelFlow</c> (a command's output is then capped at
    /// <see cref="HopSettings.FallbackCommandOutputBuffer"/> unless it has a cap of its own).
    /// </summary>
    public const string ReceiptDrivenWindowsSwitch = "ParamikoJump.ReceiptDrivenWindows";

    /// <summary>Whether a client's channels re-open their window only as their reader takes the data.</summary>
    public static bool ConsumerDrivenWindows => !IsOn(ReceiptDrivenWindowsSwitch);

    /// <summary>Whether a hop's forward pumps its connection asynchronously (<c>SshNet.TunnelPump</c>) instead of pinning a pool thread.</summary>
    public static bool AsyncTunnelPump => !IsOn(ThreadPerTunnelSwitch);

    /// <summary>
    /// <c>ExecCommandAsync</c> opens its command's channel and sends the exec request on the calling thread again, which
    /// waits for both answers of the server, instead of awaiting them (<c>SshNet.AwaitedChannel</c>). Read at each call.
    /// </summary>
    public const string BlockingCommandStartSwitch = "ParamikoJump.BlockingCommandStart";

    /// <summary>Whether <c>ExecCommandAsync</c> awaits the server's answers to its channel open and exec request.</summary>
    public static bool AwaitedCommandStart => !IsOn(BlockingCommandStartSwitch);

    /// <summary>
    /// Hops behind a jump ride the loopback TCP forward (checked as on .NET Framework) instead of a private socket pair;
    /// for the tests of that fallback, and for a platform whose Unix domain sockets misbehave.
    /// </summary>
    public const string TcpTunnelSwitch = "ParamikoJump.TcpTunnel";

    /// <summary>Whether new hops ride the TCP forward (<see cref="TcpTunnelSwitch"/>).</summary>
    public static bool TcpTunnel => IsOn(TcpTunnelSwitch);

    /// <summary>A window size in bytes (AppContext data, a number) instead of <see cref="ChannelWindows.Default"/>.</summary>
    public const string ChannelWindowSizeData = "ParamikoJump.ChannelWindowSize";

    /// <summary>The window each channel of a new hop advertises; null for SSH.NET's own.</summary>
    public static uint? ChannelWindow => IsOn(UnboundedChannelWindowSwitch)
        ? null
        : uint.TryParse(Convert.ToString(AppContext.GetData(ChannelWindowSizeData), System.Globalization.CultureInfo.InvariantCulture), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size) && size >= MinimumWindow
            ? size
            : ChannelWindows.Default;

    /// <summary>
    /// The window for the channels of <paramref name="client"/>'s own session. An SFTP client's channel gets it only where
    /// <c>SshNet.ChannelFlow</c> re-opens it a fraction at a time as the packets are parsed: with SSH.NET's adjust, which
    /// waits until less than a packet is left, a bounded window added a stall per window for the adjust to cross every
    /// hop (benchmarks/README.md, section 3). Without the flow an SFTP client keeps SSH.NET's own window, as before.
    /// </summary>
    public static uint? ChannelWindowOf(BaseClient client) => client is SftpClient && !(ConsumerDrivenWindows && ChannelWindows.CanFlow) ? null : ChannelWindow;

    /// <summary>Below two packets' worth SSH.NET would send a window adjust for every packet.</summary>
    private const uint MinimumWindow = 128 * 1024;

    /// <summary>Whether a connected hop's socket events are handled inline (<see cref="Transport.TryHandleReadinessInline"/>).</summary>
    public static bool InlineSocketEvents => !IsOn(PooledSocketEventsSwitch);

    private static bool IsOn(string name) => AppContext.TryGetSwitch(name, out var on) && on;
}
