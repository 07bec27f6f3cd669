using System;
using System.Threading;
using System.Threading.Tasks;
using ParamikoJump.Execution;
using ParamikoJump.SshNet;

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
    public RemoteProcess ExecCommand(string command, TimeSpan? timeout = null) => Start(command, timeout, null, CancellationToken.None);

    /// <summary>
    /// Runs a command with environment variables, a pseudo-terminal or a timeout (paramiko's
    /// <c>exec_command(cmd, environment=..., get_pty=True, timeout=...)</c>); see <see cref="ExecCommand(string, TimeSpan?)"/>.
    /// </summary>
    /// <param name="command">The command line.</param>
    /// <param name="options">Variables, terminal and timeout.</param>
    /// <returns>The running command.</returns>
    /// <exception cref="CommandRequestRefusedException">The server refused a variable or the terminal; the command was not started.</exception>
    /// <exception cref="NotSupportedException">Variables or a terminal were asked for on the netstandard2.0 build.</exception>
    public RemoteProcess ExecCommand(string command, CommandOptions options) =>
        Start(command, (options ?? throw new ArgumentNullException(nameof(options))).Timeout, options, CancellationToken.None);

    /// <summary>
    /// Starts a command without blocking the caller while SSH.NET opens its channel (a blocking call of SSH.NET's,
    /// run on the thread pool); see <see cref="ExecCommand(string, TimeSpan?)"/>.
    /// </summary>
    /// <param name="command">The command line.</param>
    /// <param name="timeout">How long the command may run before it is cancelled; no limit by default.</param>
    /// <param name="cancellationToken">Cancels the command: before it starts, or while it runs (it is sent a signal and its channel closed).</param>
    /// <returns>The running command.</returns>
    public Task<RemoteProcess> ExecCommandAsync(string command, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Start(command, timeout, null, cancellationToken), cancellationToken);

    /// <summary>Starts a command with variables, a terminal or a timeout without blocking the caller; see <see cref="ExecCommand(string, CommandOptions)"/>.</summary>
    /// <param name="command">The command line.</param>
    /// <param name="options">Variables, terminal and timeout.</param>
    /// <param name="cancellationToken">Cancels the command: before it starts, or while it runs.</param>
    /// <returns>The running command.</returns>
    public Task<RemoteProcess> ExecCommandAsync(string command, CommandOptions options, CancellationToken cancellationToken = default)
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        return Task.Run(() => Start(command, options.Timeout, options, cancellationToken), cancellationToken);
    }

#pragma warning restore RS0026, RS0027

    private RemoteProcess Start(string command, TimeSpan? timeout, CommandOptions? options, CancellationToken cancellationToken)
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

        var claim = new FlowClaim();
        var sshCommand = FlowClaim.During(claim, () => CreateCommand(command));
        var span = _hop.CommandSpan();
        var agentForwarding = _hop.AgentForwarding;
        try
        {
            agentForwarding?.RequestFor(sshCommand);
            Execution.CommandSetup.Attach(sshCommand, _hop.Plan.Settings, _hop.Identity, _hop.Plan.Logger, options);
            var process = RemoteProcess.Start(sshCommand, claim, _hop, timeout, cancellationToken);
            span.EndWith(process);
            return process;
        }
        catch (Exception ex)
        {
            agentForwarding?.Forget(sshCommand);
            sshCommand.Dispose();
            throw span.Failed((ex is OperationCanceledException && cancellationToken.IsCancellationRequested) || ex is NotSupportedException ? ex : _hop.Fail(ex, timeout));
        }
    }
}
