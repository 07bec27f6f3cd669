#if NET8_0_OR_GREATER
using System;
using System.Buffers;
using System.Collections.Generic;
using System.Net.Sockets;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Renci.SshNet;

namespace ParamikoJump.SshNet;

/// <summary>
/// Consumer-driven flow control for one channel: the window is re-opened only as the reader takes bytes, and nothing
/// the session's receive thread does for this channel can block. SSH.NET re-opens a channel's window as data arrives
/// (<c>Channel.AdjustDataWindow</c>, before any consumer reads it), so a slow reader's output piles up in memory; and
/// it writes a forward's data into the local socket with a blocking send on the session's single receive thread, so
/// one stalled local reader froze every channel of the session and every hop riding it.
/// </summary>
/// <remarks>
/// How: each SSH.NET channel subscribes, in its constructor, to the session's per-message events. The flow takes the
/// channel's own handlers off the events it needs and puts its own in their place (see <see cref="ChannelWindows"/>
/// for where channels are created). Exec channels: the data still reaches SSH.NET's handler, and from it the command's
/// <c>Execution.CommandOutput</c>, which never blocks; only SSH.NET's window arithmetic is kept from ever adjusting
/// (its <c>LocalWindowSize</c> is held at the top before each packet), and the reader's <see cref="Consumed"/> sends
/// the adjusts. Shells (<see cref="ShellStream"/>): the same, with the stream's unread count watched while it is not
/// zero, as SSH.NET says nothing when a shell stream is read; other session channels nobody claimed (SSH.NET's own
/// <c>SshCommand</c>) are given back to SSH.NET at their first data; a subsystem's (SFTP) re-opens its window as
/// each packet is parsed, since what SFTP holds is bounded by the reads it has in flight; SCP's pipe is claimed like a
/// command (<see cref="FlowPipe"/>). Forward channels (direct-tcpip, forwarded-tcpip): data is copied into a queue bounded by the window
/// and written to the local socket asynchronously, in order with the channel's EOF and CLOSE, which wait behind it;
/// the window is re-opened as the socket takes the bytes. Data past the window is a protocol violation: dropped, and
/// reported to the channel's owner (the command, SCP's pipe, the SFTP session's waiting calls, or the forward's
/// <c>Exception</c> event). Adjusts are sent under the channel's own messaging lock, after checking that no CLOSE was
/// sent or received: OpenSSH disconnects a session that names a channel it has already freed. Fallback when an SSH.NET upgrade moves any of this (a row of
/// <see cref="SshNetSeams"/>): no flow, SSH.NET's own behaviour with the bounded window alone.
/// </remarks>
internal sealed class ChannelFlow : IDisposable
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
    private static readonly SshNetSeams.FlowMembers Seam = SshNetSeams.ChannelFlow.Members;
    private static readonly Type? ChannelType = SshNetSeams.ChannelWindow.Members.Channel;
    private static readonly ConstructorInfo? AdjustMessage = Seam.AdjustMessage;
    private static readonly FieldInfo? SessionField = Seam.Session;
    private static readonly FieldInfo? MessagingLockField = Seam.MessagingLock;
    private static readonly FieldInfo? CloseSentField = Seam.CloseSent;
    private static readonly FieldInfo? CloseReceivedField = Seam.CloseReceived;
    private static readonly PropertyInfo? LocalNumber = Seam.LocalNumber;
    private static readonly PropertyInfo? RemoteNumber = Seam.RemoteNumber;
    private static readonly PropertyInfo? LocalWindow = Seam.LocalWindow;
    private static readonly PropertyInfo? IsOpenProperty = Seam.IsOpen;
    private static readonly PropertyInfo? MessageNumber = Seam.MessageNumber;
    private static readonly PropertyInfo? DataArray = Seam.DataArray;
    private static readonly PropertyInfo? DataOffset = Seam.DataOffset;
    private static readonly PropertyInfo? DataSize = Seam.DataSize;
    private static readonly PropertyInfo? ExtendedDataArray = Seam.ExtendedDataArray;
    private static readonly MethodInfo? TrySend = Seam.TrySend;
    private static readonly FieldInfo? DataReceivedField = SshNetSeams.ShellWatch.Members;
    private static readonly MethodInfo? RaiseForwardException = Seam.RaiseForwardException;
    private static readonly MethodInfo? RaiseChannelException = Seam.RaiseChannelException;
    private static readonly Type? SubsystemSessionType = Seam.SubsystemSession;
    private static readonly Type? SftpSessionType = Seam.SftpSession;
    private static readonly MethodInfo OnDataMethod = typeof(ChannelFlow).GetMethod(nameof(OnData), Instance)!;
    private static readonly MethodInfo OnExtendedDataMethod = typeof(ChannelFlow).GetMethod(nameof(OnExtendedData), Instance)!;
    private static readonly MethodInfo OnEofMethod = typeof(ChannelFlow).GetMethod(nameof(OnEof), Instance)!;
    private static readonly MethodInfo OnCloseMethod = typeof(ChannelFlow).GetMethod(nameof(OnClose), Instance)!;

    /// <summary>How often a shell with unread output is looked at: a reader that keeps up re-opens a window per period.</summary>
    private static readonly TimeSpan ShellPoll = TimeSpan.FromMilliseconds(10);

    private const int EofMark = 0;
    private const int CloseMark = -1;

    [ThreadStatic]
    private static FlowClaim? t_claim;

    private readonly object _gate = new();
    private readonly object _channel;
    private readonly object _session;
    private readonly uint _localNumber;
    private readonly long _window;
    private readonly long _adjustAt;
    private readonly FlowClaim? _claim;
    private readonly WindowViolationReport? _report;
    private readonly FieldInfo? _socketField;
    private readonly FieldInfo? _portField;
    private readonly List<(EventInfo Event, Delegate Ours)> _handlers = [];
    private readonly Dictionary<string, Delegate> _theirs = [];
    private readonly Queue<Item> _queue = new();
    private Mode _mode;
    private ShellStream? _shell;
    private Timer? _shellWatch;
    private SftpFrames? _sftpFrames;
    private long _shellDelivered;
    private long _shellReported;
    private long _remaining;
    private long _unreported;
    private bool _draining;
    private bool _violated;
    private bool _detached;

    private ChannelFlow(object channel, object session, uint window, FlowClaim? claim, WindowViolationReport? report)
    {
        _channel = channel;
        _session = session;
        _localNumber = (uint)LocalNumber!.GetValue(channel)!;
        _window = window;
        _remaining = window;
        _adjustAt = Math.Max(window / 8, 1);
        _claim = claim;
        _report = report;
        _socketField = channel.GetType().GetField("_socket", Instance);
        _portField = channel.GetType().GetField("_forwardedPort", Instance);
    }

    /// <summary>Whether SSH.NET has every member the flow needs.</summary>
    public static bool IsAvailable => SshNetSeams.ChannelFlow.IsAvailable;

    /// <summary>Whether a shell's channel can be told from others (its <c>DataReceived</c> subscribers); without it shells keep SSH.NET's flow.</summary>
    public static bool CanWatchShells => SshNetSeams.ShellWatch.IsAvailable;

    /// <summary>
    /// Marks the next session channel this thread creates as a command's, whose output goes where the claim says
    /// (see <see cref="FlowClaim.During{T}"/>).
    /// </summary>
    public static IDisposable ClaimNextCommand(FlowClaim claim)
    {
        t_claim = claim;
        return new ClaimScope();
    }

    /// <summary>
    /// Marks the next session channel this thread creates as read through <paramref name="claim"/>, until a channel takes
    /// it or <see cref="Unclaim"/>: for a <see cref="FlowPipe"/>, which SSH.NET creates just before its channel.
    /// </summary>
    public static void ClaimNextChannel(FlowClaim claim) => t_claim = claim;

    /// <summary>Drops <paramref name="claim"/> if no channel took it on this thread (its transfer failed before it opened one).</summary>
    public static void Unclaim(FlowClaim claim)
    {
        if (ReferenceEquals(t_claim, claim))
        {
            t_claim = null;
        }
    }

    /// <summary>
    /// Takes flow control of a channel SSH.NET just created (not yet open) with <paramref name="window"/>: session
    /// channels only when claimed by a command, forward channels always. A server that sends past the window on a channel
    /// no command claimed (a shell's, SFTP's, a forward's) gets the error <paramref name="report"/> makes, which names
    /// the hop. Returns whether it did.
    /// </summary>
    public static bool TryAttach(string createdBy, object? channel, uint window, WindowViolationReport? report = null)
    {
        if (!IsAvailable || channel is null || !ChannelType!.IsInstanceOfType(channel) || SessionField!.GetValue(channel) is not { } session)
        {
            return false;
        }

        if (createdBy == "CreateChannelSession")
        {
            if (t_claim is not { } claim)
            {
                // A shell's, a subsystem's (SFTP) or SSH.NET's own command's: which one shows when the first data arrives.
                var observed = new ChannelFlow(channel, session, window, claim: null, report) { _mode = Mode.Undecided };
                observed.Replace("ChannelDataReceived", "OnChannelData", OnDataMethod);
                observed.Replace("ChannelExtendedDataReceived", "OnChannelExtendedData", OnExtendedDataMethod);
                observed.Replace("ChannelCloseReceived", "OnChannelClose", OnCloseMethod);
                return true;
            }

            t_claim = null;
            var flow = new ChannelFlow(channel, session, window, claim, report) { _mode = Mode.Command };
            flow.Replace("ChannelDataReceived", "OnChannelData", OnDataMethod);
            flow.Replace("ChannelExtendedDataReceived", "OnChannelExtendedData", OnExtendedDataMethod);
            flow.Replace("ChannelCloseReceived", "OnChannelClose", OnCloseMethod);
            claim.Consumed = flow.Consumed;
            return true;
        }

        if (createdBy is "CreateChannelDirectTcpip" or "CreateChannelForwardedTcpip")
        {
            var flow = new ChannelFlow(channel, session, window, claim: null, report) { _mode = Mode.Forward };
            if (flow._socketField?.FieldType != typeof(Socket))
            {
                return false;
            }

            flow.Replace("ChannelDataReceived", "OnChannelData", OnDataMethod);
            flow.Replace("ChannelEofReceived", "OnChannelEof", OnEofMethod);
            flow.Replace("ChannelCloseReceived", "OnChannelClose", OnCloseMethod);
            return true;
        }

        return false;
    }

    /// <summary>Stops watching a shell (its channel closed).</summary>
    public void Dispose() => _shellWatch?.Dispose();

    /// <summary>The reader took <paramref name="count"/> bytes: once enough are taken, the server may send them again.</summary>
    public void Consumed(int count) => Grant(count);

    /// <summary>As <see cref="Consumed"/>, for a count that may pass int (a whole SFTP packet held at once).</summary>
    private void Grant(long count)
    {
        long grant;
        lock (_gate)
        {
            _unreported += count;
            if (_unreported < _adjustAt || _violated || _detached)
            {
                return;
            }

            grant = _unreported;
            _unreported = 0;
            _remaining += grant; // early: the server cannot use the grant before it has it, so no false violation
        }

        SendAdjust((uint)Math.Min(grant, uint.MaxValue));
    }

    private static MethodInfo? HandlerOf(string name) => Seam.Handlers.TryGetValue(name, out var handler) ? handler : null;

    private static EventInfo? EventOf(string name) => Seam.Events.TryGetValue(name, out var @event) ? @event : null;

    private void Replace(string eventName, string handlerName, MethodInfo ours)
    {
        var @event = EventOf(eventName)!;
        var theirs = Delegate.CreateDelegate(@event.EventHandlerType!, _channel, HandlerOf(handlerName)!);
        var mine = Delegate.CreateDelegate(@event.EventHandlerType!, this, ours);
        @event.RemoveMethod!.Invoke(_session, [theirs]);
        @event.AddMethod!.Invoke(_session, [mine]);
        _handlers.Add((@event, mine));
        _theirs[ours.Name] = theirs;
    }

    private bool IsMine(EventArgs e, out object message)
    {
        message = e.GetType().GetProperty("Message")!.GetValue(e)!;
        return (uint)MessageNumber!.GetValue(message)! == _localNumber;
    }

    /// <summary>On the receive thread: counts the packet against the window, then delivers or queues it.</summary>
    private void OnData(object? sender, EventArgs e)
    {
        if (!IsMine(e, out var message))
        {
            return;
        }

        if (_mode == Mode.Undecided && !Decide())
        {
            Deliver(nameof(OnData), sender, e); // SSH.NET's own path, from this packet on
            return;
        }

        var size = (int)DataSize!.GetValue(message)!;
        if (!Admit(size))
        {
            return;
        }

        if (_mode == Mode.Shell)
        {
            LocalWindow!.SetValue(_channel, uint.MaxValue);
            Deliver(nameof(OnData), sender, e);
            Interlocked.Add(ref _shellDelivered, size);
            _shellWatch!.Change(ShellPoll, ShellPoll);
            return;
        }

        if (_mode == Mode.Command)
        {
            // SSH.NET's own adjust would re-open the window on receipt: hold its count at the top so it never fires.
            LocalWindow!.SetValue(_channel, uint.MaxValue);
            Deliver(nameof(OnData), sender, e);
            return;
        }

        if (_mode == Mode.Subsystem)
        {
            // SFTP parses each packet into the answers of the requests it has in flight as soon as the packet is whole:
            // what it holds is bounded by those requests, so the window re-opens as packets are parsed, a fraction at a
            // time, long before it runs out; the bytes of a packet not yet whole stay counted against it (SftpFrames).
            var parsed = _sftpFrames?.Take(((byte[])DataArray!.GetValue(message)!).AsSpan((int)DataOffset!.GetValue(message)!, size)) ?? size;
            if (_sftpFrames is { Unfinishable: > 0 and var announced })
            {
                RefuseUnfinishable(size, announced);
                return;
            }

            LocalWindow!.SetValue(_channel, uint.MaxValue);
            Deliver(nameof(OnData), sender, e);
            Grant(parsed);
            return;
        }

        var copy = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        Buffer.BlockCopy((byte[])DataArray!.GetValue(message)!, (int)DataOffset!.GetValue(message)!, copy, 0, size);
        Enqueue(new Item(copy, size, null, null));
    }

    private void OnExtendedData(object? sender, EventArgs e)
    {
        if (!IsMine(e, out var message))
        {
            return;
        }

        if (_mode == Mode.Undecided && !Decide())
        {
            Deliver(nameof(OnExtendedData), sender, e);
            return;
        }

        var size = ((byte[])ExtendedDataArray!.GetValue(message)!).Length;
        if (Admit(size))
        {
            LocalWindow!.SetValue(_channel, uint.MaxValue);
            Deliver(nameof(OnExtendedData), sender, e);
            if (_mode is Mode.Shell or Mode.Subsystem || _claim is { KeepsExtendedData: false })
            {
                Consumed(size); // a shell stream, SFTP and SCP do not keep stderr: it is taken as it arrives
            }
        }
    }

    private void OnEof(object? sender, EventArgs e)
    {
        if (IsMine(e, out _))
        {
            Enqueue(new Item(null, EofMark, sender, e));
        }
    }

    private void OnClose(object? sender, EventArgs e)
    {
        if (!IsMine(e, out _))
        {
            return;
        }

        if (_mode != Mode.Forward)
        {
            Detach();
            Dispose();
            Deliver(nameof(OnClose), sender, e);
            return;
        }

        Enqueue(new Item(null, CloseMark, sender, e));
    }

    /// <summary>
    /// At the first data of an unclaimed session channel: a <see cref="ShellStream"/>'s keeps the flow (its unread
    /// <see cref="ShellStream.Length"/> tells what the reader took), and so does a subsystem's (SFTP, NETCONF), which
    /// takes each packet as it arrives; any other (SSH.NET's own <c>SshCommand</c>) goes back to SSH.NET's handlers,
    /// as if never taken.
    /// </summary>
    private bool Decide()
    {
        var subscribers = (DataReceivedField?.GetValue(_channel) as Delegate)?.GetInvocationList() ?? [];
        if (Array.Find(subscribers, handler => handler.Target is ShellStream)?.Target is ShellStream shell)
        {
            _shell = shell;
            _shellWatch = new Timer(static flow => ((ChannelFlow)flow!).WatchShell(), this, Timeout.Infinite, Timeout.Infinite);
            _mode = Mode.Shell;
            return true;
        }

        if (SubsystemSessionType is not null && Array.Exists(subscribers, handler => SubsystemSessionType.IsInstanceOfType(handler.Target)))
        {
            _mode = Mode.Subsystem;
            if (SftpSessionType is not null && Array.Exists(subscribers, handler => SftpSessionType.IsInstanceOfType(handler.Target)))
            {
                _sftpFrames = new SftpFrames(_window, _adjustAt);
            }

            return true;
        }

        _mode = Mode.SshNet;
        Detach();
        foreach (var (@event, _) in _handlers)
        {
            @event.AddMethod!.Invoke(_session, [_theirs[@event.Name == "ChannelDataReceived" ? nameof(OnData) : @event.Name == "ChannelExtendedDataReceived" ? nameof(OnExtendedData) : nameof(OnClose)]]);
        }

        return false;
    }

    /// <summary>
    /// While a shell's reader has not taken everything delivered, every poll period: what it took since re-opens the
    /// window. SSH.NET gives no signal when a <see cref="ShellStream"/> is read, so its unread count is watched instead.
    /// </summary>
    private void WatchShell()
    {
        var taken = Interlocked.Read(ref _shellDelivered) - _shell!.Length;
        var fresh = taken - _shellReported;
        if (fresh > 0)
        {
            _shellReported = taken;
            Consumed((int)Math.Min(fresh, int.MaxValue));
        }

        if (taken >= Interlocked.Read(ref _shellDelivered))
        {
            _shellWatch!.Change(Timeout.Infinite, Timeout.Infinite); // all read: the next data starts the watch again
        }
    }

    /// <summary>Takes <paramref name="size"/> bytes off the window; false (and the owner told once) past it.</summary>
    private bool Admit(int size)
    {
        long remaining;
        lock (_gate)
        {
            if (_violated)
            {
                return false;
            }

            remaining = _remaining;
            if (size <= remaining || _claim is { TolerateOverrun: true })
            {
                _remaining -= size;
                return true;
            }

            _violated = true;
        }

        Report(new WindowViolation(_localNumber, size, remaining, _window));
        return false;
    }

    /// <summary>
    /// An SFTP packet announced <paramref name="announced"/> bytes that the window can never take whole (<see cref="SftpFrames.Unfinishable"/>):
    /// the channel fails at once, as for data past the window, instead of waiting for its timeout.
    /// </summary>
    private void RefuseUnfinishable(int size, long announced)
    {
        long remaining;
        lock (_gate)
        {
            if (_violated)
            {
                return;
            }

            _violated = true;
            remaining = _remaining;
        }

        Report(new WindowViolation(_localNumber, size, remaining, _window, announced));
    }

    /// <summary>Tells the channel's owner, or fails an unclaimed channel off the receive thread.</summary>
    private void Report(WindowViolation error)
    {
        if (_claim is not null)
        {
            _claim.OnViolation?.Invoke(error);
        }
        else
        {
            // Off the receive thread: closing the channel waits for the server's CLOSE, which that thread reads.
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Flow.FailUnclaimed(state.Error), (Flow: this, Error: error), preferLocal: false);
        }
    }

    /// <summary>
    /// A shell's, subsystem's or forward's server ignored the window: the channel ends, an SFTP session's waiting calls
    /// fail with the error, and a forward's Exception event says why.
    /// </summary>
    private void FailUnclaimed(WindowViolation violation)
    {
        var what = _mode switch { Mode.Shell => "A shell", Mode.Subsystem => _sftpFrames is not null ? "An SFTP session" : "A subsystem", _ => "A forwarded connection" };
        var error = _report?.Invoke(what, violation) ?? violation.Error(what, hop: null);
        if (_mode == Mode.Subsystem)
        {
            FailSubsystem(error);
            return;
        }

        try
        {
            if (_portField?.GetValue(_channel) is ForwardedPort port && RaiseForwardException is not null)
            {
                RaiseForwardException.Invoke(port, [error]);
            }
        }
        finally
        {
            Detach();
            try
            {
                ((IDisposable)_channel).Dispose();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or SocketException or Renci.SshNet.Common.SshException)
            {
                // The session went away meanwhile: nothing is left to close.
            }
        }
    }

    /// <summary>
    /// SSH.NET's subsystem session (SFTP) ends every call waiting on it, and every later one, with the error its
    /// channel reports, so the channel reports <paramref name="error"/> before it closes: the caller gets the window
    /// error at once instead of "Channel was closed", or an operation timeout. The flow stays attached while the
    /// channel closes, so the server's CLOSE still reaches SSH.NET's handler and the close ends as soon as it arrives.
    /// </summary>
    private void FailSubsystem(ChannelWindowException error)
    {
        try
        {
            RaiseChannelException!.Invoke(_channel, [error]);
        }
        catch (TargetInvocationException)
        {
            // A handler of the channel's Exception event failed: the waiting calls still end when the channel closes.
        }
        finally
        {
            try
            {
                ((IDisposable)_channel).Dispose();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or SocketException or Renci.SshNet.Common.SshException)
            {
                // The session went away meanwhile: nothing is left to close.
            }
        }
    }

    /// <summary>Hands a message to the channel's own handler, which reports what goes wrong in it to the channel's Exception event.</summary>
    private void Deliver(string handledBy, object? sender, EventArgs e)
    {
        try
        {
            _theirs[handledBy].DynamicInvoke(sender, e);
        }
        catch (TargetInvocationException)
        {
            // The handler's own catch-all did not run (SSH.NET's handlers catch everything): nothing more to do here.
        }
    }

    private void Enqueue(Item item)
    {
        lock (_gate)
        {
            _queue.Enqueue(item);
            if (_draining)
            {
                return;
            }

            _draining = true;
        }

        // Inline: a send the socket takes at once completes synchronously; one it cannot take continues on the pool.
        _ = DrainAsync();
    }

    private async Task DrainAsync()
    {
        var broken = false;
        while (true)
        {
            Item item;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _draining = false;
                    return;
                }

                item = _queue.Dequeue();
            }

            if (item.Buffer is { } buffer)
            {
                try
                {
                    if (!broken && _socketField!.GetValue(_channel) is Socket socket)
                    {
                        var sent = 0;
                        while (sent < item.Count)
                        {
                            sent += await socket.SendAsync(buffer.AsMemory(sent, item.Count - sent), SocketFlags.None).ConfigureAwait(false);
                        }
                    }
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    broken = true; // the local side is gone: what follows is dropped, EOF and CLOSE still go through
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                Consumed(item.Count);
            }
            else if (item.Count == CloseMark)
            {
                Detach();
                Deliver(nameof(OnClose), item.Sender, item.Args!);
            }
            else
            {
                Deliver(nameof(OnEof), item.Sender, item.Args!);
                ShutdownSend();
            }
        }
    }

    /// <summary>
    /// The server's EOF reaches the local reader as one: SSH.NET's direct-tcpip channel shuts the socket's sending side
    /// on EOF, its forwarded-tcpip channel (a remote forward) does not, and OpenSSH sends CLOSE only once both sides
    /// have sent EOF, so the reader of a remote forward waited for an end that never came.
    /// </summary>
    private void ShutdownSend()
    {
        try
        {
            (_socketField!.GetValue(_channel) as Socket)?.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed: the reader has its end.
        }
    }

    /// <summary>Sends a window adjust unless the channel is closing: under its messaging lock, so never after its CLOSE.</summary>
    private void SendAdjust(uint grant)
    {
        // A forward's drain can run on the session's receive thread, and a Close() holding the lock waits for that
        // thread to read the server's CLOSE: there the adjust waits on the pool instead.
        var gate = MessagingLockField!.GetValue(_channel)!;
        if (!ChannelLock.TryEnter(gate))
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Flow.SendAdjustLocked(state.Gate, state.Grant, entered: false), (Flow: this, Gate: gate, Grant: grant), preferLocal: false);
            return;
        }

        SendAdjustLocked(gate, grant, entered: true);
    }

    private void SendAdjustLocked(object gate, uint grant, bool entered)
    {
        if (!entered)
        {
            ChannelLock.Enter(gate);
        }

        try
        {
            if ((bool)CloseSentField!.GetValue(_channel)! || (bool)CloseReceivedField!.GetValue(_channel)! || !(bool)IsOpenProperty!.GetValue(_channel)!)
            {
                return;
            }

            var message = AdjustMessage!.Invoke([RemoteNumber!.GetValue(_channel)!, grant]);
            TrySend!.Invoke(_session, [message]);
        }
        finally
        {
            ChannelLock.Exit(gate);
        }
    }

    /// <summary>Gives the channel's events back: nothing more arrives for it once its CLOSE is handled.</summary>
    private void Detach()
    {
        lock (_gate)
        {
            if (_detached)
            {
                return;
            }

            _detached = true;
        }

        foreach (var (@event, ours) in _handlers)
        {
            @event.RemoveMethod!.Invoke(_session, [ours]);
        }
    }

    private sealed class ClaimScope : IDisposable
    {
        public void Dispose() => t_claim = null;
    }

    private readonly record struct Item(byte[]? Buffer, int Count, object? Sender, EventArgs? Args);

    private enum Mode
    {
        /// <summary>A session channel nobody claimed, before its first data.</summary>
        Undecided,

        /// <summary>Given back to SSH.NET: its own command, whose buffers the flow cannot see.</summary>
        SshNet,

        /// <summary><see cref="SshJumpClient.ExecCommand(string, System.TimeSpan?)"/>'s: the reader reports what it took.</summary>
        Command,

        /// <summary>A <see cref="ShellStream"/>'s: its unread count is watched.</summary>
        Shell,

        /// <summary>A subsystem's (SFTP): taken as its packets are parsed, bounded by the requests in flight.</summary>
        Subsystem,

        /// <summary>A forward's: written to the local socket asynchronously.</summary>
        Forward,
    }
}
#endif
