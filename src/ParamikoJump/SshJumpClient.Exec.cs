using System;
using System.Threading;
using System.Threading.Tasks;
using ParamikoJump.Execution;
using ParamikoJump.SshNet;
using Renci.SshNet;

namespace ParamikoJump;

public partial class SshJumpClient
{
    /// <summary>
    /// Runs a command, paramiko style: the result deconstructs into stdin, stdout and stderr, which stream as
    /// data arrives.
    /// </summary>
    /// <param name="command">The command line.</param>
    /// <param name="timeout">How long the command may run before it is cancelled; no limit by default.</param>
    /// <returns>The running command.</returns>
    /// <exception cref="Renci.SshNet.Common.SshException">The client is not connected (a <see cref="JumpNotConnectedException"/> when its jump was lost), or the channel could not be opened.</exception>
#pragma warning disable RS0026, RS0027 // paramiko's exec_command(cmd, timeout) beside an options overload without optional parameters: a call with only the command binds to the first, as before.
    public RemoteProcess ExecCommand(string command, TimeSpan? timeout = null)
    {
        Validate(command, timeout);
        return Start(command, timeout, null, _hop.Commands.Slots.Take(CancellationToken.None), CancellationToken.None);
    }

    /// <summary>
    /// Runs a command with environment variables, a pseudo-terminal or a timeout (paramiko's
    /// <c>exec_command(cmd, environment=..., get_pty=True, timeout=...)</c>); see <see cref="ExecCommand(string, TimeSpan?)"/>.
    /// </summary>
    /// <param name="command">The command line.</param>
    /// <param name="options">Variables, terminal and timeout.</param>
    /// <returns>The running command.</returns>
    /// <exception cref="CommandRequestRefusedException">The server refused a variable or the terminal; the command was not started.</exception>
    /// <exception cref="NotSupportedException">Variables or a terminal were asked for on the netstandard2.0 build.</exception>
    public RemoteProcess ExecCommand(string command, CommandOptions options)
    {
        Validate(command, (options ?? throw new ArgumentNullException(nameof(options))).Timeout);
        return Start(command, options.Timeout, options, _hop.Commands.Slots.Take(CancellationToken.None), CancellationToken.None);
    }

    /// <summary>
    /// Starts a command; see <see cref="ExecCommand(string, TimeSpan?)"/>. No thread waits meanwhile: not for one of the
    /// session's channel slots (<c>ConnectionInfo.MaxSessions</c>), nor for the server's answers to the channel open,
    /// the requests before exec and the exec request. (On the netstandard2.0 build, or an SSH.NET whose internals
    /// moved, the open and the exec request run on the calling thread, which waits for both answers.)
    /// </summary>
    /// <param name="command">The command line.</param>
    /// <param name="timeout">How long the command may run before it is cancelled; no limit by default.</param>
    /// <param name="cancellationToken">Cancels the command: before it starts, or while it runs (it is sent a signal and its channel closed).</param>
    /// <returns>The running command.</returns>
    public async Task<RemoteProcess> ExecCommandAsync(string command, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validate(command, timeout);
        return await StartAsync(command, timeout, null, await _hop.Commands.Slots.TakeAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a command with variables, a terminal or a timeout without blocking the caller; see <see cref="ExecCommand(string, CommandOptions)"/>.</summary>
    /// <param name="command">The command line.</param>
    /// <param name="options">Variables, terminal and timeout.</param>
    /// <param name="cancellationToken">Cancels the command: before it starts, or while it runs.</param>
    /// <returns>The running command.</returns>
    public async Task<RemoteProcess> ExecCommandAsync(string command, CommandOptions options, CancellationToken cancellationToken = default)
    {
        Validate(command, (options ?? throw new ArgumentNullException(nameof(options))).Timeout);
        return await StartAsync(command, options.Timeout, options, await _hop.Commands.Slots.TakeAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

#pragma warning restore RS0026, RS0027

    private void Validate(string command, TimeSpan? timeout)
    {
        if (string.IsNullOrEmpty(command))
        {
            throw new ArgumentException("The command is empty.", nameof(command));
        }

        if (timeout is { } limit && limit <= TimeSpan.Zero && limit != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), limit, "A command timeout must be positive.");
        }

        if (!IsConnected)
        {
            throw _hop.NotConnected(nameof(ExecCommand));
        }
    }

    private RemoteProcess Start(string command, TimeSpan? timeout, CommandOptions? options, Execution.CommandSlots.Slot slot, CancellationToken cancellationToken)
    {
        var (sshCommand, claim) = Create(command, slot);
        return Start(sshCommand, claim, timeout, options, slot, cancellationToken);
    }

    /// <summary>Starts a created command on the calling thread, which waits for the server's answers to its channel open and exec request.</summary>
    private RemoteProcess Start(SshCommand sshCommand, FlowClaim claim, TimeSpan? timeout, CommandOptions? options, Execution.CommandSlots.Slot slot, CancellationToken cancellationToken)
    {
        var span = _hop.CommandSpan();
        var agentForwarding = _hop.AgentForwarding;
        try
        {
            agentForwarding?.RequestFor(sshCommand);
            Execution.CommandSetup.Attach(sshCommand, _hop.Plan.Settings, _hop.Identity, _hop.Plan.Logger, options);
            var process = RemoteProcess.Start(sshCommand, claim, _hop, slot, timeout, SessionAccess.TryGetSession(this), cancellationToken);
            span.EndWith(process);
            return process;
        }
        catch (Exception ex)
        {
            agentForwarding?.Forget(sshCommand);
            sshCommand.Dispose();
            slot.Release();
            throw span.Failed((ex is OperationCanceledException && cancellationToken.IsCancellationRequested) || ex is NotSupportedException ? ex : _hop.Fail(ex, timeout));
        }
    }

#if NET8_0_OR_GREATER
    /// <summary>Starts a command awaiting the server's answers (<c>SshNet.AwaitedChannel</c>) where SSH.NET allows; else as <c>Start</c>.</summary>
    private async Task<RemoteProcess> StartAsync(string command, TimeSpan? timeout, CommandOptions? options, Execution.CommandSlots.Slot slot, CancellationToken cancellationToken)
    {
        if (!Hops.Tuning.AwaitedCommandStart || !AwaitedChannel.IsAvailable || SessionAccess.TryGetSession(this) is not { } session)
        {
            return Start(command, timeout, options, slot, cancellationToken);
        }

        var (sshCommand, claim) = Create(command, slot);
        if (AwaitedChannel.TryCreate(sshCommand, session, ConnectionInfo) is not { } channel)
        {
            return Start(sshCommand, claim, timeout, options, slot, cancellationToken);
        }

        var span = _hop.CommandSpan();
        var agentForwarding = _hop.AgentForwarding;
        var handedOver = false;
        try
        {
            agentForwarding?.RequestFor(sshCommand);
            var plan = Execution.CommandSetup.PlanFor(command, _hop.Plan.Settings, _hop.Identity, _hop.Plan.Logger, options);
            handedOver = true; // from here the start disposes what it fails with, some of it only once the server answered
            var process = await RemoteProcess.StartAsync(sshCommand, claim, _hop, slot, timeout, plan, channel, session, cancellationToken).ConfigureAwait(false);
            span.EndWith(process);
            return process;
        }
        catch (Exception ex)
        {
            agentForwarding?.Forget(sshCommand);
            if (!handedOver)
            {
                channel.Dispose();
                sshCommand.Dispose();
                slot.Release();
            }

            throw span.Failed((ex is OperationCanceledException && cancellationToken.IsCancellationRequested) || ex is NotSupportedException ? ex : _hop.Fail(ex, timeout));
        }
    }
#else
    /// <summary>This build cannot await the server's answers (no <c>DispatchProxy</c>): as <c>Start</c>, on the calling thread.</summary>
    private Task<RemoteProcess> StartAsync(string command, TimeSpan? timeout, CommandOptions? options, Execution.CommandSlots.Slot slot, CancellationToken cancellationToken) =>
        Task.FromResult(Start(command, timeout, options, slot, cancellationToken));
#endif

    /// <summary>Creates the SSH.NET command with the flow's claim on its channel; gives the slot back if that fails.</summary>
    private (SshCommand Command, FlowClaim Claim) Create(string command, Execution.CommandSlots.Slot slot)
    {
        var claim = new FlowClaim();
        try
        {
            return (FlowClaim.During(claim, () => CreateCommand(command)), claim);
        }
        catch
        {
            slot.Release();
            throw;
        }
    }
}
