using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using ParamikoJump.Execution;
using ParamikoJump.Telemetry;
using Renci.SshNet;

namespace ParamikoJump.Hops;

/// <summary>
/// The hop's spans and metrics (<see cref="ParamikoJumpTelemetry"/>): a span per connect attempt with an event per
/// stage, connect duration by outcome and stage, hops and tunnels connected now. Kept here so the hop's own code
/// carries one call per moment, not the telemetry itself.
/// </summary>
internal sealed partial class Hop
{
    private readonly object _telemetryGate = new();
    private Activity? _connectSpan;
    private long _connectStarted;
    private int _countedActive;

    /// <summary>The span of this hop's last connect: the parent of its commands and transfers, and of the hops behind it.</summary>
    public ActivityContext ConnectContext { get; private set; }

    /// <summary>The span of an operation on this hop (a command, a transfer): parented to the ambient activity, else to this hop's connect.</summary>
    public Activity? StartOperationSpan(string name, string operation)
    {
        var span = HopSpans.Start(name, Activity.Current?.Context ?? ConnectContext, Identity);
        span?.SetTag("paramikojump.operation", operation);
        return span;
    }

    /// <summary>The span of a command on this hop; it ends when the command does.</summary>
    public OperationSpan CommandSpan() => new(StartOperationSpan("ssh exec", "exec"), command: true);

    /// <summary>The span of an SFTP or SCP operation (<see cref="Run"/>) on this hop, with the bytes <paramref name="tally"/> counts.</summary>
    private OperationSpan TransferSpan(string operation, TransferTally? tally)
    {
        var protocol = _client is SftpClient ? "sftp" : _client is ScpClient ? "scp" : "ssh";
        var span = StartOperationSpan(protocol, operation);
        if (tally is not null)
        {
            span?.SetTag("paramikojump.transfer.direction", tally.Direction == TransferDirection.Upload ? "upload" : "download");
        }

        return new(span, command: false, tally, protocol);
    }

    private void TelemetryConnecting()
    {
        lock (_telemetryGate)
        {
            EndConnectSpan("abandoned", null);
            _connectStarted = Stopwatch.GetTimestamp();
            var parent = Activity.Current?.Context ?? JumpHop?.ConnectContext ?? default;
            _connectSpan = HopSpans.Start("ssh connect", parent, Identity);
            ConnectContext = _connectSpan?.Context ?? default;
        }
    }

    private void TelemetryStage(HopStage stage)
    {
        lock (_telemetryGate)
        {
            _connectSpan?.AddEvent(new ActivityEvent(stage.ToString()));
        }
    }

    private void TelemetryConnected()
    {
        lock (_telemetryGate)
        {
            EndConnectSpan("success", null);
        }

        if (Interlocked.Exchange(ref _countedActive, 1) == 0)
        {
            Instruments.ActiveHops.Add(1);
            if (_plan.Tunnel is not null)
            {
                Instruments.ActiveTunnels.Add(1);
            }
        }
    }

    /// <summary>A connect attempt failed (typed) or was cancelled; a failure outside a connect records nothing here.</summary>
    private void TelemetryConnectFailed(Renci.SshNet.Common.SshException? error)
    {
        lock (_telemetryGate)
        {
            EndConnectSpan(error is null ? "cancelled" : "failure", error);
        }
    }

    private void TelemetryClosed()
    {
        lock (_telemetryGate)
        {
            EndConnectSpan("abandoned", null);
        }

        TelemetrySessionEnded();
    }

    private void TelemetrySessionEnded()
    {
        if (Interlocked.Exchange(ref _countedActive, 0) == 1)
        {
            Instruments.ActiveHops.Add(-1);
            if (_plan.Tunnel is not null)
            {
                Instruments.ActiveTunnels.Add(-1);
            }
        }
    }

    private void EndConnectSpan(string outcome, Renci.SshNet.Common.SshException? error)
    {
        if (_connectStarted == 0)
        {
            return;
        }

        var stage = (error as IHopFailure)?.Stage ?? Stage;
        var seconds = (Stopwatch.GetTimestamp() - _connectStarted) / (double)Stopwatch.Frequency;
        _connectStarted = 0;
        var tags = new TagList { { "paramikojump.outcome", outcome }, { "paramikojump.stage", stage.ToString() } };
        if (error is not null)
        {
            tags.Add("error.type", error.GetType().FullName);
        }

        Instruments.ConnectDuration.Record(seconds, tags);
        if (_connectSpan is { } span)
        {
            HopSpans.End(span, outcome, stage, error);
            _connectSpan = null;
        }
    }
}

/// <summary>How ParamikoJump's spans are started, tagged and ended.</summary>
internal static class HopSpans
{
    /// <summary>A client span for <paramref name="hop"/>, started without becoming the ambient activity (it ends on another thread).</summary>
    public static Activity? Start(string name, ActivityContext parent, HopIdentity hop)
    {
        if (!Instruments.Source.HasListeners())
        {
            return null;
        }

        var ambient = Activity.Current;
        var span = Instruments.Source.StartActivity(name, ActivityKind.Client, parent);
        Activity.Current = ambient;
        if (span is null)
        {
            return null;
        }

        span.SetTag("server.address", hop.Host);
        span.SetTag("server.port", hop.Port);
        span.SetTag("paramikojump.hop", hop.ToString());
        span.SetTag("paramikojump.hop.depth", hop.Depth);
        if (hop.Jump is { } jump)
        {
            span.SetTag("paramikojump.jump", jump.ToString());
        }

        return span;
    }

    /// <summary>Ends a span; an error is recorded by its type, stage and escaped message (never a secret: messages hold none).</summary>
    public static void End(Activity span, string outcome, HopStage stage, Exception? error)
    {
        span.SetTag("paramikojump.outcome", outcome);
        if (error is not null)
        {
            span.SetTag("error.type", error.GetType().FullName);
            span.SetTag("paramikojump.stage", stage.ToString());
            span.SetStatus(ActivityStatusCode.Error, ServerText.Escape(error.Message));
        }
        else if (outcome == "success")
        {
            span.SetStatus(ActivityStatusCode.Ok);
        }

        span.Stop();
    }
}

/// <summary>A command's or transfer's span, ended once whichever way the operation ends.</summary>
internal sealed class OperationSpan : IDisposable
{
    private readonly bool _command;
    private readonly string? _protocol;
    private Activity? _span;
    private TransferTally? _tally;

    public OperationSpan(Activity? span, bool command, TransferTally? tally = null, string? protocol = null)
    {
        _span = span;
        _command = command;
        _tally = tally;
        _protocol = protocol;
    }

    public void Succeeded() => End("success", null);

    /// <summary>Records <paramref name="error"/> and hands it back, for <c>throw span.Failed(...)</c>.</summary>
    public TException Failed<TException>(TException error)
        where TException : Exception
    {
        End(error is OperationCanceledException ? "cancelled" : "failure", error is OperationCanceledException ? null : error);
        return error;
    }

    /// <summary>Ends the span when <paramref name="process"/> ends, with its exit status.</summary>
    public void EndWith(RemoteProcess process) =>
        process.Completion.ContinueWith(
            static (task, state) =>
            {
                var (span, process) = ((OperationSpan, RemoteProcess))state!;
                if (process.ExitStatus is { } status)
                {
                    span._span?.SetTag("process.exit.code", status);
                }

                if (task.Exception?.InnerException is { } error)
                {
                    span.Failed(error);
                }
                else
                {
                    span.Succeeded();
                }
            },
            (this, process),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <summary>Ends a span the operation left without a verdict (it was abandoned).</summary>
    public void Dispose()
    {
        if (!_command)
        {
            End("cancelled", null);
        }
    }

    private void End(string outcome, Exception? error)
    {
        if (_command)
        {
            Instruments.Commands.Add(1, new System.Collections.Generic.KeyValuePair<string, object?>("paramikojump.outcome", outcome));
        }

        // The bytes a transfer moved count whichever way it ended: a failed one moved them too.
        if (Interlocked.Exchange(ref _tally, null) is { } tally)
        {
            var direction = tally.Direction == TransferDirection.Upload ? "upload" : "download";
            Instruments.TransferBytes.Add(
                tally.Bytes,
                new System.Collections.Generic.KeyValuePair<string, object?>("paramikojump.transfer.protocol", _protocol),
                new System.Collections.Generic.KeyValuePair<string, object?>("paramikojump.transfer.direction", direction));
            _span?.SetTag("paramikojump.transfer.bytes", tally.Bytes);
        }

        if (Interlocked.Exchange(ref _span, null) is { } span)
        {
            HopSpans.End(span, outcome, (error as IHopFailure)?.Stage ?? HopStage.Session, error);
        }
    }
}
