using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ParamikoJump.Telemetry;

/// <summary>
/// ParamikoJump's one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named
/// <see cref="ParamikoJumpTelemetry.Name"/>. Instrument names are stable: dashboards depend on them.
/// </summary>
internal static class Instruments
{
    private static readonly string? Version = typeof(Instruments).Assembly.GetName().Version?.ToString();

    public static readonly ActivitySource Source = new(ParamikoJumpTelemetry.Name, Version);

    public static readonly Meter Meter = new(ParamikoJumpTelemetry.Name, Version);

    public static readonly Histogram<double> ConnectDuration = Meter.CreateHistogram<double>(
        "paramikojump.hop.connect.duration", "s", "Time of one hop connect attempt, by outcome and the stage it ended in.");

    public static readonly UpDownCounter<long> ActiveHops = Meter.CreateUpDownCounter<long>(
        "paramikojump.hop.active", "{hop}", "Hops connected now.");

    public static readonly UpDownCounter<long> ActiveTunnels = Meter.CreateUpDownCounter<long>(
        "paramikojump.tunnel.active", "{tunnel}", "Hops connected now through a jump's forward.");

    public static readonly Counter<long> CommandOutputBytes = Meter.CreateCounter<long>(
        "paramikojump.command.output", "By", "Bytes of command output (stdout and stderr) received by ExecCommand.");

    public static readonly Counter<long> CommandInputBytes = Meter.CreateCounter<long>(
        "paramikojump.command.input", "By", "Bytes written to commands' stdin.");

    public static readonly Counter<long> TransferBytes = Meter.CreateCounter<long>(
        "paramikojump.transfer.bytes", "By", "Bytes of file data SFTP and SCP transfers moved, by protocol and direction.");

    public static readonly Counter<long> KeepAliveMisses = Meter.CreateCounter<long>(
        "paramikojump.keepalive.misses", "{request}", "Keep-alive requests that went unanswered for a whole interval.");

    public static readonly Counter<long> Commands = Meter.CreateCounter<long>(
        "paramikojump.commands", "{command}", "Commands started, by outcome.");

    public static readonly Counter<long> Leases = Meter.CreateCounter<long>(
        "paramikojump.pool.leases", "{lease}", "Leases asked of an SshJumpDataSource, by outcome.");

    public static readonly Histogram<double> LeaseWait = Meter.CreateHistogram<double>(
        "paramikojump.pool.lease.wait.duration", "s", "Time from asking for a lease to getting it (in line, connecting, healing).");

    public static readonly Counter<long> LeaseQueued = Meter.CreateCounter<long>(
        "paramikojump.pool.lease.queued", "{lease}", "Leases that had to wait in line behind a server's session limit.");

    public static readonly UpDownCounter<long> PoolSessions = Meter.CreateUpDownCounter<long>(
        "paramikojump.pool.sessions", "{session}", "Target sessions a source holds open, leased or idle.");

    public static readonly Counter<long> JumpLogins = Meter.CreateCounter<long>(
        "paramikojump.pool.jump.logins", "{login}", "Logins of a source's shared jumps: 1 for the first, more after each loss.");
}
