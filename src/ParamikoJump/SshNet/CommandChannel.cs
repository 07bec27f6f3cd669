using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Renci.SshNet;

namespace ParamikoJump.SshNet;

/// <summary>
/// Two things ParamikoJump changes about an <see cref="SshCommand"/> that SSH.NET keeps private.
/// Its output streams (<c>OutputStream</c> / <c>ExtendedOutputStream</c>, private setters) are replaced before the
/// command starts by ParamikoJump's own bounded, awaitable ones: SSH.NET's <c>PipeStream</c> grows without limit and
/// cannot be awaited. And its stdin (<c>ChannelInputStream</c>) sends end-of-file on close only when something was
/// written, so closing an unused stdin left <c>cat</c> or <c>wc -c</c> waiting forever; ParamikoJump sends the EOF
/// itself (<c>IChannelSession.SendEof</c>, reached through the stream's private <c>_channel</c>).
/// </summary>
/// <remarks>
/// Fallbacks when an SSH.NET upgrade breaks either (pinned by SshNetSeamTests): output is read from SSH.NET's own
/// streams, unbounded and without a real <c>ReadAsync</c>; an unused stdin is closed without EOF, as in SSH.NET.
/// </remarks>
internal static class CommandChannel
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    private static readonly PropertyInfo? Output = typeof(SshCommand).GetProperty(nameof(SshCommand.OutputStream), Instance);
    private static readonly PropertyInfo? ExtendedOutput = typeof(SshCommand).GetProperty(nameof(SshCommand.ExtendedOutputStream), Instance);
    private static readonly Type? InputStreamType = typeof(SshCommand).Assembly.GetType("Renci.SshNet.Common.ChannelInputStream");
    private static readonly FieldInfo? InputChannel = InputStreamType?.GetField("_channel", Instance);
    private static readonly MethodInfo? SendEofMethod = FindSendEof(InputChannel?.FieldType);

    private static MethodInfo? FindSendEof(Type? channelType)
    {
        // Declared on IChannel, which the field's IChannelSession extends.
        if (channelType is null)
        {
            return null;
        }

        foreach (var type in new[] { channelType }.Concat(channelType.GetInterfaces()))
        {
            if (type.GetMethod("SendEof", Type.EmptyTypes) is { } method)
            {
                return method;
            }
        }

        return null;
    }

    public static bool CanReplaceOutput => Output?.SetMethod is not null && ExtendedOutput?.SetMethod is not null;

    public static bool CanSendEof => SendEofMethod is not null;

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

    /// <summary>Sends end-of-file on the channel behind a command's stdin stream; false if that is not possible.</summary>
    public static bool TrySendEof(Stream sshNetInput)
    {
        if (!CanSendEof || !InputStreamType!.IsInstanceOfType(sshNetInput) || InputChannel!.GetValue(sshNetInput) is not { } channel)
        {
            return false;
        }

        try
        {
            SendEofMethod!.Invoke(channel, null);
            return true;
        }
        catch (TargetInvocationException)
        {
            // The channel closed meanwhile: the command has its EOF already.
            return false;
        }
    }
}
