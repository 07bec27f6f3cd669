using System;
using System.Threading.Tasks;
using ParamikoJump.Execution;
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
    /// <exception cref="ParamikoJumpException">The client is not connected, or the channel could not be opened.</exception>
    public RemoteProcess ExecCommand(string command, TimeSpan? timeout = null)
    {
        if (string.IsNullOrEmpty(command))
        {
            throw new ArgumentException("The command is empty.", nameof(command));
        }

        if (!IsConnected)
        {
            throw new ParamikoJumpException("Not connected; call Connect() before ExecCommand.", Hop, HopStage.Session);
        }

        var sshCommand = CreateCommand(command);
        try
        {
            if (timeout is { } limit)
            {
                sshCommand.CommandTimeout = limit;
            }

            var completion = sshCommand.ExecuteAsync();
            return new RemoteProcess(sshCommand, completion, OpenStdin(sshCommand, completion), SessionFailure);
        }
        catch (Exception ex)
        {
            sshCommand.Dispose();
            throw SessionFailure(ex);
        }
    }

    private static RemoteStdin OpenStdin(SshCommand command, Task completion)
    {
        try
        {
            return new RemoteStdin(command.CreateInputStream(), completion, command.CommandText);
        }
        catch (InvalidOperationException)
        {
            // SSH.NET opens stdin only while the command runs, and a quick command can finish before it is asked for.
            return new RemoteStdin(null, completion, command.CommandText);
        }
    }

    private ParamikoJumpException SessionFailure(Exception error)
    {
        Stage = HopStage.Session;
        return Fail(error);
    }
}
