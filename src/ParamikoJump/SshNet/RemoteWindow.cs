#if NET8_0_OR_GREATER
using System;
using System.IO;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Connection;

namespace ParamikoJump.SshNet;

/// <summary>
/// The server's window on a command's stdin, watched so a write can wait for room without a thread. SSH.NET's
/// <c>ChannelInputStream.Write</c> sends through <c>Channel.SendData</c>, which blocks on a wait handle while the
/// server's window is shut, so an awaited write to a command that does not read held a pool thread until it did.
/// </summary>
/// <remarks>
/// How: the channel behind SSH.NET's stdin stream (its private <c>_channel</c>) tells its window
/// (<c>RemoteWindowSize</c>); the session's public <c>ChannelWindowAdjustReceived</c>, seen after the channel's own
/// handler has added the grant, wakes a waiting write. A write then sends at most what the window holds, which
/// <c>SendData</c> sends at once. Fallback when an SSH.NET upgrade moves any of this (a row of
/// <see cref="SshNetSeams"/>), and on .NET Framework: a write waits for the window on a pool thread (Stream's default
/// <c>WriteAsync</c> over the blocking write).
/// </remarks>
internal sealed class RemoteWindow : IDisposable
{
    private static readonly FieldInfo? InputChannel = SshNetSeams.AwaitedStdin.Members.Channel;
    private static readonly Type? ChannelType = SshNetSeams.AwaitedStdin.Members.SshNetChannel;
    private static readonly PropertyInfo? RemoteWindowSize = SshNetSeams.AwaitedStdin.Members.RemoteWindow;
    private static readonly PropertyInfo? LocalNumber = SshNetSeams.AwaitedStdin.Members.LocalNumber;

    private readonly object _channel;
    private readonly Session _session;
    private readonly uint _localNumber;
    private readonly object _gate = new();
    private TaskCompletionSource<bool> _adjusted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private RemoteWindow(object channel, Session session)
    {
        _channel = channel;
        _session = session;
        _localNumber = (uint)LocalNumber!.GetValue(channel)!;
        session.ChannelWindowAdjustReceived += OnAdjusted;
    }

    /// <summary>Watches the window of the channel behind SSH.NET's stdin stream; null when the seam is missing.</summary>
    public static RemoteWindow? TryWatch(Stream sshNetInput, Session? session)
    {
        if (session is null || !SshNetSeams.AwaitedStdin.IsAvailable || !InputChannel!.DeclaringType!.IsInstanceOfType(sshNetInput))
        {
            return null;
        }

        var channel = InputChannel.GetValue(sshNetInput);

        // A command that sent requests before exec talks to its channel through ChannelRequests' proxy.
        if (channel is ChannelRequests.RequestingChannel proxy)
        {
            channel = proxy.Target;
        }

        return channel is not null && ChannelType!.IsInstanceOfType(channel) ? new RemoteWindow(channel, session) : null;
    }

    /// <summary>
    /// How many bytes the server takes now, once it takes any: waits for its window to open, without a thread.
    /// Zero when <paramref name="ended"/> (the command's execution) completed first.
    /// </summary>
    public async ValueTask<int> RoomAsync(Task ended, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task adjusted;
            lock (_gate)
            {
                adjusted = _adjusted.Task; // taken before the window is read: a grant in between is not missed
            }

            var room = (uint)RemoteWindowSize!.GetValue(_channel)!;
            if (room > 0)
            {
                return (int)Math.Min(room, int.MaxValue);
            }

            if (ended.IsCompleted)
            {
                return 0;
            }

            await Task.WhenAny(adjusted, ended).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _session.ChannelWindowAdjustReceived -= OnAdjusted;
        }
    }

    private void OnAdjusted(object? sender, MessageEventArgs<ChannelWindowAdjustMessage> e)
    {
        if (e.Message.LocalChannelNumber != _localNumber)
        {
            return;
        }

        TaskCompletionSource<bool> adjusted;
        lock (_gate)
        {
            adjusted = _adjusted;
            _adjusted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        adjusted.TrySetResult(true);
    }
}
#endif
