using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Renci.SshNet;

namespace ParamikoJump.SshNet;

/// <summary>
/// Three things ParamikoJump needs of an <see cref="SshCommand"/> that SSH.NET keeps private.
/// Its output streams (<c>OutputStream</c> / <c>ExtendedOutputStream</c>, private setters) are replaced before the
/// command starts by ParamikoJump's own bounded, awaitable ones: SSH.NET's <c>PipeStream</c> grows without limit and
/// cannot be awaited. And its stdin (<c>ChannelInputStream</c>) sends end-of-file on close only when something was
/// written, so closing an unused stdin left <c>cat</c> or <c>wc -c</c> waiting forever; ParamikoJump sends the EOF
/// itself (<c>IChannelSession.SendEof</c>, reached through the stream's private <c>_channel</c>). And the local number
/// of the command's channel (<c>SshCommand._channel</c>, <c>IChannel.LocalChannelNumber</c>), which tells the session's
/// messages about that channel (exit status, close) from the others: on servers that must not see a channel open
/// while another command exits (see <c>Execution.CommandStarts</c>) a command counts as running until then.
/// </summary>
/// <remarks>
/// Fallbacks when an SSH.NET upgrade breaks one (rows of <see cref="SshNetSeams"/>): output is read from SSH.NET's
/// own streams, unbounded and without a real <c>ReadAsync</c>; an unused stdin is closed without EOF, as in SSH.NET;
/// without the channel number a command counts as running until its exit status arrives or its channel closes as
/// seen by SSH.NET, so one disposed while still running no longer holds back the next command's start.
/// </remarks>
internal static class CommandChannel
{
    private static readonly PropertyInfo? Output = SshNetSeams.CommandOutput.Members.Output;
    private static readonly PropertyInfo? ExtendedOutput = SshNetSeams.CommandOutput.Members.ExtendedOutput;
    private static readonly Type? InputStreamType = SshNetSeams.CommandEof.Members.InputStream;
    private static readonly FieldInfo? InputChannel = SshNetSeams.CommandEof.Members.Channel;
    private static readonly MethodInfo? SendEofMethod = SshNetSeams.CommandEof.Members.SendEof;
    private static readonly PropertyInfo? IsOpen = SshNetSeams.CommandEof.Members.IsOpen;
    private static readonly FieldInfo? MessagingLock = SshNetSeams.CommandEof.Members.MessagingLock;
    private static readonly FieldInfo? CommandChannelField = SshNetSeams.CommandChannelNumber.Members.Channel;
    private static readonly PropertyInfo? LocalChannelNumber = SshNetSeams.CommandChannelNumber.Members.LocalNumber;

    public static bool CanReplaceOutput => SshNetSeams.CommandOutput.IsAvailable;

    public static bool CanSendEof => SshNetSeams.CommandEof.IsAvailable;

    public static bool CanNumberChannels => SshNetSeams.CommandChannelNumber.IsAvailable;

    /// <summary>Puts our streams where SSH.NET writes the command's output; call before the command starts.</summary>
    public static bool TryReplaceOutput(SshCommand command, Stream stdout, Stream stderr)
    {
        if (!CanReplaceOutput)
        {
            return false;
        }

        var previousOut = command.OutputStream;
        var previousErr = command.ExtendedOutputStream;
        Output!.SetValue(command, stdout);
        ExtendedOutput!.SetValue(command, stderr);
        previousOut.Dispose();
        previousErr.Dispose();
        return true;
    }

    /// <summary>
    /// Closes a command's stdin stream, sending end-of-file first when <paramref name="sendEof"/> (SSH.NET's stream
    /// sends it on close only after a write). Both happen under the channel's messaging lock, the one SSH.NET's
    /// <c>Close</c> holds while it sends CLOSE: SSH.NET checks <c>IsOpen</c> outside that lock, so a close crossing the
    /// check would put the EOF after our CLOSE, on a channel the server has freed, and OpenSSH ends the whole
    /// connection for that ("eof packet referred to nonexistent channel").
    /// </summary>
    public static void CloseInput(Stream sshNetInput, bool sendEof)
    {
        var channel = CanSendEof && InputStreamType!.IsInstanceOfType(sshNetInput) ? InputChannel!.GetValue(sshNetInput) : null;
#if NET8_0_OR_GREATER
        // A command that sent requests before exec talks to its channel through ChannelRequests' proxy.
        var sshNetChannel = channel is ChannelRequests.RequestingChannel proxy ? proxy.Target : channel;
#else
        var sshNetChannel = channel;
#endif
        var gate = sshNetChannel is not null && MessagingLock!.DeclaringType!.IsInstanceOfType(sshNetChannel) ? MessagingLock.GetValue(sshNetChannel) : null;
        if (gate is not null)
        {
            EnterLock(gate);
        }

        try
        {
            if (sendEof && channel is not null && (bool)IsOpen!.GetValue(channel)!)
            {
                try
                {
                    SendEofMethod!.Invoke(channel, null);
                }
                catch (TargetInvocationException)
                {
                    // The channel or session ended meanwhile: there is no command left to tell.
                }
            }

            sshNetInput.Dispose();
        }
        finally
        {
            if (gate is not null)
            {
                ExitLock(gate);
            }
        }
    }

    /// <summary>The local number of the channel a command runs on (the recipient channel of the server's messages about it).</summary>
    public static uint? TryGetLocalChannelNumber(SshCommand command)
    {
        if (!CanNumberChannels || CommandChannelField!.GetValue(command) is not { } channel)
        {
            return null;
        }

        return LocalChannelNumber!.GetValue(channel) as uint?;
    }

#if NET8_0_OR_GREATER
    private static void EnterLock(object gate) => ChannelLock.Enter(gate);

    private static void ExitLock(object gate) => ChannelLock.Exit(gate);
#else
    private static void EnterLock(object gate) => System.Threading.Monitor.Enter(gate);

    private static void ExitLock(object gate) => System.Threading.Monitor.Exit(gate);
#endif
}
