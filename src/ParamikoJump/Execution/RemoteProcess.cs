using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using ParamikoJump.Execution;
using ParamikoJump.Hops;
using ParamikoJump.Logging;
using ParamikoJump.SshNet;
using Renci.SshNet;

namespace ParamikoJump.Execution;

/// <summary>
/// A command started by <see cref="SshJumpClient.ExecCommand(string, System.TimeSpan?)"/>: paramiko's <c>(stdin, stdout, stderr)</c>
/// triple, which it deconstructs into, plus the exit status.
/// </summary>
/// <remarks>
/// Output waits in memory until it is read, at most the channel's window for stdout and stderr together: the window
/// is re-opened as they are read, so a slow reader pauses the command's output instead of losing it. A server that
/// sends past the window fails the command with a <see cref="ChannelWindowException"/>, unless
/// <see cref="HopSettings.MaxCommandOutputBuffer"/> is set (then <see cref="CommandOutputLimitException"/> past it).
/// Once the server has reported the exit status, a channel it never closes is closed by the client after a short grace
/// without output, so reads and <see cref="WaitForExit"/> end.
/// </remarks>
public sealed class RemoteProcess : IDisposable
{
    /// <summary>How long an ended output waits for the command's outcome, which follows at once in every case.</summary>
    private static readonly TimeSpan OutcomeSettles = TimeSpan.FromSeconds(5);

    private readonly SshCommand _command;
    private readonly Hop _hop;
    private readonly OutputBudget _budget;
    private readonly FlowClaim _claim;
    private readonly CommandOutput? _stdout;
    private readonly CommandOutput? _stderr;
    private readonly TaskCompletionSource<int?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource? _timeout;
    private readonly CancellationTokenSource? _stop;
    private readonly ITimer _closeWatch;
    private readonly TimeSpan? _timeoutBudget;
    private readonly CommandSlots.Slot _slot;
    private Stream _stdin = Stream.Null;
    private int _closeWatchStarted;
    private int _disposed;

    private RemoteProcess(SshCommand command, FlowClaim claim, Hop hop, CommandSlots.Slot slot, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        _command = command;
        _slot = slot;
        _claim = claim;
        _hop = hop;
        _timeoutBudget = timeout;
        var settings = hop.Plan.Settings;
        var cap = settings.MaxCommandOutputBuffer ?? HopSettings.FallbackCommandOutputBuffer;
        _budget = new OutputBudget(cap, settings.TimeProvider, OnOutputOverflow, () => new CommandOutputLimitException(hop.Identity, command.CommandText, cap));
        claim.TolerateOverrun = settings.MaxCommandOutputBuffer is not null;
        claim.OnViolation = OnWindowViolation;
        var stdout = new CommandOutput(_budget, Taken);
        var stderr = new CommandOutput(_budget, Taken);
        if (CommandChannel.TryReplaceOutput(command, stdout, stderr))
        {
            _stdout = stdout;
            _stderr = stderr;
            if (claim.Consumed is not null && settings.MaxCommandOutputBuffer is null)
            {
                _budget.Lift(); // the window follows the reader: it bounds what waits
            }
        }

        var encoding = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        Stdout = new RemoteOutputStream(command.OutputStream, encoding, this);
        Stderr = new RemoteOutputStream(command.ExtendedOutputStream, encoding, this);
        if (timeout is { } limit)
        {
            _timeout = Clock.CancelledAfter(settings.TimeProvider, limit);
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timeout.Token);
        }

        _closeWatch = Clock.Timer(settings.TimeProvider, CheckClosed);
    }

    /// <summary>The command line as sent.</summary>
    public string CommandText => _command.CommandText;

    /// <summary>The command's standard input; closing or disposing it sends end-of-file, also when nothing was written.</summary>
    public Stream Stdin => _stdin;

    /// <summary>The command's standard output, streamed as it arrives.</summary>
    public RemoteOutputStream Stdout { get; }

    /// <summary>The command's standard error, streamed as it arrives.</summary>
    public RemoteOutputStream Stderr { get; }

    /// <summary>
    /// Completes when the command has ended and its channel closed; faults with an <see cref="IHopFailure"/>
    /// (a timeout, a lost connection, too much unread output) or is cancelled with the token it was started with.
    /// </summary>
    public Task Completion => _completion.Task;

    /// <summary>The exit status, once the command has ended and the server sent one.</summary>
    public int? ExitStatus => _command.ExitStatus;

    /// <summary>The signal that ended the command, if the server reported one.</summary>
    public string? ExitSignal => _command.ExitSignal;

    /// <summary>Waits for the command to end (paramiko's <c>recv_exit_status()</c>).</summary>
    /// <returns>The exit status, or -1 when the server sent none (the command was killed by a signal).</returns>
    public int WaitForExit() => Completion.IsCompleted
        ? ExitCode()
        : WaitForExitAsync().GetAwaiter().GetResult();

    /// <summary>Waits asynchronously for the command to end.</summary>
    /// <param name="cancellationToken">Stops waiting (the command keeps running).</param>
    /// <returns>The exit status, or -1 when the server sent none.</returns>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        await Waits.For(_completion.Task, cancellationToken).ConfigureAwait(false);
        return ExitCode();
    }

    /// <summary>paramiko's shape: <c>var (stdin, stdout, stderr) = client.ExecCommand("...")</c>.</summary>
    public void Deconstruct(out Stream stdin, out RemoteOutputStream stdout, out RemoteOutputStream stderr)
    {
        stdin = Stdin;
        stdout = Stdout;
        stderr = Stderr;
    }

    /// <summary>Closes the channel; a command still running is abandoned.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _hop.Commands.Remove(this);
        _closeWatch.Dispose();
        _stdin.Dispose();
        _command.Dispose();
        _slot.Release();
        _stop?.Dispose();
        _timeout?.Dispose();
        _stdout?.Discard();
        _stderr?.Discard();
    }

    /// <inheritdoc/>
    public override string ToString() => $"RemoteProcess '{ServerText.Escape(CommandText)}'";

    /// <summary>
    /// Starts <paramref name="command"/>: opens its channel and sends the exec request. <paramref name="claim"/> stood
    /// while the command was created (<see cref="FlowClaim.During{T}"/>): it makes the window follow the reader.
    /// <paramref name="slot"/>, taken from <see cref="CommandSlots"/>, is the process's to give back.
    /// </summary>
    internal static RemoteProcess Start(SshCommand command, FlowClaim claim, Hop hop, CommandSlots.Slot slot, TimeSpan? timeout, Session? session, CancellationToken cancellationToken)
    {
        // Servers that drop a channel opening while another command exits get one command at a time (CommandStarts).
        using var turn = hop.Commands.Starts.Begin(hop.Identity, command.CommandText, hop.Plan.Timeouts.Channel, cancellationToken);
        var process = new RemoteProcess(command, claim, hop, slot, timeout, cancellationToken);
        turn.Starting(command, () => process.HasEnded);
        Task execution;
        try
        {
            execution = command.ExecuteAsync(process._stop?.Token ?? cancellationToken);
        }
        catch
        {
            turn.Failed();
            process.Dispose();
            throw;
        }

        process._stdin = OpenStdin(command, execution, session);
        hop.Commands.Add(process);
        execution.ContinueWith(static (task, state) => ((RemoteProcess)state!).OnExecutionEnded(task), process, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return process;
    }

#if NET8_0_OR_GREATER
    /// <summary>
    /// As <see cref="Start"/>, with every wait for the server awaited: the turn, the channel open, the requests of
    /// <paramref name="plan"/> and the exec request's answer (<see cref="AwaitedChannel"/>). Owns what it is given: on
    /// failure the command is disposed and the slot given back, at once or, for a channel open on its way when
    /// <paramref name="cancellationToken"/> was cancelled, once the server has answered it.
    /// </summary>
    internal static async Task<RemoteProcess> StartAsync(SshCommand command, FlowClaim claim, Hop hop, CommandSlots.Slot slot, TimeSpan? timeout, ChannelRequests.Plan? plan, AwaitedChannel channel, Session session, CancellationToken cancellationToken)
    {
        using var starting = channel;
        CommandStarts.Turn turn;
        try
        {
            turn = await hop.Commands.Starts.BeginAsync(hop.Identity, command.CommandText, hop.Plan.Timeouts.Channel, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            command.Dispose();
            slot.Release();
            throw;
        }

        using var turnHeld = turn;
        var process = new RemoteProcess(command, claim, hop, slot, timeout, cancellationToken);
        var opening = channel.OpenAsync(cancellationToken);
        try
        {
            await opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !opening.IsCompleted)
        {
            // The open is on its way: the channel is closed once the server has answered it (or the wait timed out).
            _ = opening.ContinueWith(static (_, state) => ((RemoteProcess)state!).Dispose(), process, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            throw;
        }
        catch
        {
            process.Dispose();
            throw;
        }

        Task execution;
        try
        {
            if (plan is not null)
            {
                await channel.SendAsync(plan).ConfigureAwait(false);
            }

            turn.Starting(command, () => process.HasEnded);
            execution = await channel.ExecuteAsync(process._stop?.Token ?? cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
        catch
        {
            turn.Failed();
            process.Dispose();
            throw;
        }

        process._stdin = OpenStdin(command, execution, session);
        hop.Commands.Add(process);
        _ = execution.ContinueWith(static (task, state) => ((RemoteProcess)state!).OnExecutionEnded(task), process, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return process;
    }
#endif

    /// <summary>Whether the command's process is known to be gone: it reported its exit, or its channel ended.</summary>
    internal bool HasEnded => _completion.Task.IsCompleted || _command.ExitStatus is not null || _command.ExitSignal is not null || Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Called by the outputs at end of data: a lost connection must not look like a clean end. An output ends only
    /// as the command completes, so its outcome is at most a moment away.
    /// </summary>
    internal void ThrowIfLost()
    {
        if (!Completion.IsCompleted)
        {
            ((IAsyncResult)Completion).AsyncWaitHandle.WaitOne(OutcomeSettles);
        }

        ThrowIfFaulted();
    }

    /// <summary>As <see cref="ThrowIfLost"/>, without blocking a thread.</summary>
    internal async Task ThrowIfLostAsync(CancellationToken cancellationToken)
    {
        if (!Completion.IsCompleted)
        {
            await Task.WhenAny(Completion, Clock.Delay(_hop.Plan.Settings.TimeProvider, OutcomeSettles, cancellationToken)).ConfigureAwait(false);
        }

        ThrowIfFaulted();
    }

    private void ThrowIfFaulted()
    {
        if (Completion.IsFaulted && Completion.Exception?.InnerException is { } error)
        {
            throw error;
        }
    }

    /// <summary>The server reported an exit on this session: if it was ours, its channel must close soon.</summary>
    internal void WatchForClose()
    {
        // Output must arrive through our streams to tell a quiet channel from a busy one.
        if (_stdout is not null && Interlocked.Exchange(ref _closeWatchStarted, 1) == 0)
        {
            _closeWatch.Change(RunningCommands.ExitGrace, Timeout.InfiniteTimeSpan);
        }
    }

    private static RemoteStdin OpenStdin(SshCommand command, Task execution, Session? session)
    {
        try
        {
            var input = command.CreateInputStream();
#if NET8_0_OR_GREATER
            return new RemoteStdin(input, execution, command.CommandText) { Window = RemoteWindow.TryWatch(input, session) };
#else
            _ = session;
            return new RemoteStdin(input, execution, command.CommandText);
#endif
        }
        catch (InvalidOperationException)
        {
            // SSH.NET opens stdin only while the command runs, and a quick command can finish before it is asked for.
            return new RemoteStdin(null, execution, command.CommandText);
        }
    }

    private int ExitCode()
    {
        try
        {
            return _completion.Task.GetAwaiter().GetResult() ?? -1;
        }
        catch (Exception ex) when (ex is not IHopFailure and not OperationCanceledException)
        {
            throw _hop.Fail(ex);
        }
    }

    private void OnExecutionEnded(Task execution)
    {
        if (execution.IsCanceled && _budget.HasOverflowed)
        {
            _completion.TrySetException(_budget.Error());
        }
        else if (execution.IsCanceled && _timeout is { IsCancellationRequested: true })
        {
            _completion.TrySetException(new HopTimeoutException(
                string.Format(System.Globalization.CultureInfo.InvariantCulture, "'{0}' ran past its timeout of {1:0.###} s and was cancelled.", ServerText.Escape(CommandText), _timeoutBudget!.Value.TotalSeconds),
                _hop.Identity,
                HopStage.Session,
                _timeoutBudget.Value));
        }
        else if (execution.IsCanceled)
        {
            _completion.TrySetCanceled();
        }
        else if (execution.Exception?.InnerException is { } error)
        {
            _completion.TrySetException(_hop.Fail(error, _timeoutBudget));
        }
        else
        {
            _completion.TrySetResult(_command.ExitStatus);
        }

        if (!execution.IsCanceled)
        {
            // The channel closed. A cancelled command's channel stays open, and its slot taken, until Dispose (SSH.NET).
            _slot.Release();
        }

        _hop.Commands.Remove(this);
    }

    /// <summary>What the reader took re-opens the window (only where the flow took the channel).</summary>
    private void Taken(int count) => _claim.Consumed?.Invoke(count);

    /// <summary>On the session's receive thread: the server sent past the window (no cap was set to tolerate it).</summary>
    private void OnWindowViolation(WindowViolation violation)
    {
        var error = violation.Error($"'{ServerText.Escape(CommandText)}'", _hop.Identity);
        Log.ChannelWindowExceeded(_hop.Plan.Logger, _hop.Identity.ToString(), ServerText.Escape(CommandText), violation.LocalChannel, violation.Size, violation.Remaining);
        _stdout?.Fail(error);
        _stderr?.Fail(error);
        _completion.TrySetException(error);
        Abandon();
    }

    private void OnOutputOverflow()
    {
        Log.CommandOutputOverflow(_hop.Plan.Logger, _hop.Identity.ToString(), ServerText.Escape(CommandText), _hop.Plan.Settings.MaxCommandOutputBuffer ?? HopSettings.FallbackCommandOutputBuffer);
        _completion.TrySetException(_budget.Error());
        Abandon();
    }

    /// <summary>After the exit was reported: close a channel the server leaves open once no output has come for the grace period.</summary>
    private void CheckClosed()
    {
        if (_completion.Task.IsCompleted || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        if (_command.ExitStatus is null && _command.ExitSignal is null)
        {
            // Another command's exit: watch again when the next one is reported.
            Volatile.Write(ref _closeWatchStarted, 0);
            return;
        }

        var quiet = _budget.SinceLastArrival;
        if (quiet < RunningCommands.ExitGrace)
        {
            _closeWatch.Change(RunningCommands.ExitGrace - quiet, Timeout.InfiniteTimeSpan);
            return;
        }

        Log.CommandChannelForcedClosed(_hop.Plan.Logger, _hop.Identity.ToString(), ServerText.Escape(CommandText), RunningCommands.ExitGrace.TotalSeconds);
        _stdout?.End();
        _stderr?.End();
        _completion.TrySetResult(_command.ExitStatus);
        Abandon();
    }

    /// <summary>Closes the channel off the session's receive thread (SSH.NET waits there for the server's close).</summary>
    private void Abandon()
    {
        _hop.Commands.Remove(this);
        ThreadPool.UnsafeQueueUserWorkItem(
            static state =>
            {
                try
                {
                    ((SshCommand)state!).Dispose();
                }
                catch (Exception ex) when (ex is ObjectDisposedException or Renci.SshNet.Common.SshException or System.Net.Sockets.SocketException)
                {
                    // The session went away meanwhile (its cipher disposed): nothing is left to close, and an exception
                    // here, on a pool thread, would end the process (seen in the unit tests, 1 run in ~15).
                }
            },
            _command);
    }
}
