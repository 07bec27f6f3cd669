namespace ParamikoJump.Telemetry;

/// <summary>
/// The names to opt in to ParamikoJump's traces and metrics, e.g. with OpenTelemetry:
/// <c>tracing.AddSource(ParamikoJumpTelemetry.Name)</c> and <c>metrics.AddMeter(ParamikoJumpTelemetry.Name)</c>.
/// </summary>
/// <remarks>
/// Spans (<see cref="System.Diagnostics.ActivitySource"/> "ParamikoJump", kind Client): <c>ssh connect</c> per hop
/// connect attempt, with an event per stage reached; <c>ssh exec</c> per command; <c>sftp</c> / <c>scp</c> per
/// transfer operation. A connect's parent is the ambient activity, else the connect of the hop's jump; a command's or
/// transfer's, the ambient activity, else its hop's connect. Attributes: <c>server.address</c>, <c>server.port</c>,
/// <c>paramikojump.hop</c>, <c>paramikojump.jump</c>, <c>paramikojump.hop.depth</c>, and on failure <c>error.type</c>
/// and <c>paramikojump.stage</c>; a transfer's also <c>paramikojump.transfer.direction</c> and
/// <c>paramikojump.transfer.bytes</c>. Never a secret, a command line, a path or unescaped server text.
/// Instruments (<see cref="System.Diagnostics.Metrics.Meter"/> "ParamikoJump"): see the README's "In a service".
/// </remarks>
public static class ParamikoJumpTelemetry
{
    /// <summary>The name of ParamikoJump's <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string Name = "ParamikoJump";
}
