using System;
using System.Threading;
using System.Threading.Tasks;
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
    public RemoteProcess ExecCommand(string command, TimeSpan? timeout = null) => Start(command, timeout, CancellationToken.None);

    /// <summary>
    /// Starts a command without blocking the caller while SSH.NET opens its channel (a blocking call of SSH.NET's,
    /// run on the thread pool); see <see cref="ExecCommand"/>.
    /// </summary>
    /// <param name="command">The command line.</param>
    /// <param name="timeout">How long the command may run before it is cancelled; no limit by default.</param>
    /// <param name="cancellationToken">Cancels the command: before it starts, or while it runs (it is sent a signal and its channel closed).</param>
    /// <returns>The running command.</returns>
    public Task<RemoteProcess> ExecCommandAsync(string command, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Start(command, timeout, cancellationToken), cancellationToken);

    private RemoteProcess Start(string command, TimeSpan? timeout, CancellationToken cancellationToken)
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
        try
        {
            var process = RemoteProcess.Start(sshCommand, claim, _hop, timeout, cancellationToken);
            span.EndWith(process);
            return process;
        }
        catch (Exception ex)
        {
            sshCommand.Dispose();
            throw span.Failed(ex is OperationCanceledException && cancellationToken.IsCancellationRequested ? ex : _hop.Fail(ex, timeout));
        }
    }
}
