#if NET8_0_OR_GREATER
using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Connection;

namespace ParamikoJump.SshNet;

/// <summary>
/// Starts a command's channel with no thread waiting for the server: the channel open, the requests before exec
/// (<c>env</c>, <c>pty-req</c>) and the exec request are sent from here and their answers awaited. SSH.NET's
/// <see cref="SshCommand.ExecuteAsync"/> opens the channel (<c>ChannelSession.Open</c>) and sends exec
/// (<c>SendExecRequest</c>), each blocking on a wait handle until the server answers, so an awaited command held its
/// caller's thread for two round trips.
/// </summary>
/// <remarks>
/// How: the channel SSH.NET created with the command is opened as <c>ChannelSession.Open</c> would open it: a slot of
/// the session's semaphore, awaited, and marked as the channel's (its private <c>_sessionSemaphoreObtained</c>) so
/// SSH.NET gives it back when the channel closes or its open is refused; the open message carries the channel's
/// number, window and packet size; a refused open is tried again up to <c>ConnectionInfo.RetryAttempts</c>. Answers
/// are seen on the session's public events, after the channel's own handlers (subscribed when SSH.NET created the
/// channel), so the channel is open when its open is answered. <see cref="SshCommand.ExecuteAsync"/> then finds the
/// channel open, and its exec request goes through <see cref="ChannelRequests.RequestingChannel"/> on the command's
/// <c>_channel</c> to here, sent without waiting; the answer is awaited after. Each wait is bounded by
/// <c>ConnectionInfo.Timeout</c> and fails with the session, as SSH.NET's own waits do. Fallback when an SSH.NET
/// upgrade moves any of this (a row of <see cref="SshNetSeams"/>), and on .NET Framework: the command starts on the
/// calling thread, which waits for both answers.
/// </remarks>
internal sealed class AwaitedChannel : IDisposable
{
    private static readonly SshNetSeams.AwaitedStartMembers Seam = SshNetSeams.AwaitedCommandStart.Members;

    private readonly SshCommand _command;
    private readonly object _channel;
    private readonly Session _session;
    private readonly TimeSpan _timeout;
    private readonly int _retryAttempts;
    private readonly Encoding _encoding;
    private readonly uint _localNumber;
    private readonly object _gate = new();
    private TaskCompletionSource<bool>? _answer;
    private Task? _opening;
    private Exception? _sessionFailure;
    private bool _closed;
    private int _disposed;

    private AwaitedChannel(SshCommand command, object channel, Session session, ConnectionInfo connection)
    {
        _command = command;
        _channel = channel;
        _session = session;
        _timeout = connection.Timeout;
        _retryAttempts = Math.Max(1, connection.RetryAttempts);
        _encoding = connection.Encoding;
        _localNumber = (uint)Seam.LocalNumber!.GetValue(channel)!;
        session.ChannelOpenConfirmationReceived += OnOpenConfirmed;
        session.ChannelOpenFailureReceived += OnOpenRefused;
        session.ChannelSuccessReceived += OnRequestSucceeded;
        session.ChannelFailureReceived += OnRequestFailed;
        session.ChannelCloseReceived += OnClosed;
        session.ErrorOccured += OnSessionError;
        session.Disconnected += OnSessionDisconnected;
        if (!session.IsConnected)
        {
            OnSessionDisconnected(session, EventArgs.Empty);
        }
    }

    /// <summary>Whether SSH.NET has every member this needs.</summary>
    public static bool IsAvailable => SshNetSeams.AwaitedCommandStart.IsAvailable && SessionAccess.CanSend;

    private bool IsOpen => (bool)Seam.IsOpen!.GetValue(_channel)!;

    private uint RemoteNumber => (uint)Seam.RemoteNumber!.GetValue(_channel)!;

    /// <summary>Takes charge of starting <paramref name="command"/>, which must not have started; null when it cannot.</summary>
    public static AwaitedChannel? TryCreate(SshCommand command, Session session, ConnectionInfo connection)
    {
        if (!IsAvailable || Seam.Command!.GetValue(command) is not { } channel || !Seam.ChannelSession!.IsInstanceOfType(channel))
        {
            return null;
        }

        return new AwaitedChannel(command, channel, session, connection);
    }

    /// <summary>
    /// Opens the channel. <paramref name="cancellationToken"/> stops only the wait for a slot, before anything is sent:
    /// an open on its way is answered and then closed by whoever disposes the command.
    /// </summary>
    public Task OpenAsync(CancellationToken cancellationToken) => _opening = OpenOnceAsync(cancellationToken);

    private async Task OpenOnceAsync(CancellationToken cancellationToken)
    {
        var slots = _session.SessionSemaphore;
        for (var attempt = 0; attempt < _retryAttempts && !IsOpen; attempt++)
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            Seam.SemaphoreObtained!.SetValue(_channel, 1);
            try
            {
                var answer = Expect();
                var window = (uint)Seam.LocalWindow!.GetValue(_channel)!;
                var packet = (uint)Seam.LocalPacket!.GetValue(_channel)!;
                SessionAccess.Send(_session, new ChannelOpenMessage(_localNumber, window, packet, new SessionOpen()));

                // On a refusal SSH.NET's channel gives the slot back itself, and the loop asks again.
                await AnswerOf(answer).ConfigureAwait(false);
            }
            catch
            {
                Reflected.Call(Seam.ReleaseSemaphore!, _channel, null);
                throw;
            }
        }

        if (!IsOpen)
        {
            throw new SshException($"Failed to open a channel after {_retryAttempts} attempts.");
        }
    }

    /// <summary>Sends <paramref name="plan"/>'s requests on the open channel, each awaited, as <see cref="ChannelRequests"/> sends them.</summary>
    public async Task SendAsync(ChannelRequests.Plan plan)
    {
        foreach (var (name, value, required) in plan.Environment)
        {
            if (await RequestAsync(new EnvironmentRequest(name, value)).ConfigureAwait(false))
            {
                continue;
            }

            if (required)
            {
                throw plan.Refused("env", name);
            }

            plan.Ignored(name);
        }

        if (plan.Terminal is { } terminal && !await RequestAsync(new TerminalRequest(terminal.Type, terminal.Width, terminal.Height)).ConfigureAwait(false))
        {
            throw plan.Refused("pty-req", null);
        }
    }

    /// <summary>
    /// Starts the command (<see cref="SshCommand.ExecuteAsync"/> on the open channel) and waits for the server's answer
    /// to its exec request, or for the command to end first. Returns the command's execution.
    /// </summary>
    public async Task<Task> ExecuteAsync(CancellationToken cancellationToken)
    {
        Task<bool>? answer = null;
        Seam.Command!.SetValue(_command, ChannelRequests.RequestingChannel.Create(Seam.Command.FieldType, _channel, plan: null, sendExec: commandText =>
        {
            if (!IsOpen)
            {
                throw new SshException("The server closed the channel before the exec request was sent.");
            }

            answer = Expect();
            SessionAccess.Send(_session, new ChannelRequestMessage(RemoteNumber, new ExecRequest(_encoding.GetBytes(commandText))));
            return true; // SSH.NET ignores the answer too; it is awaited below, not judged
        }));
        var execution = _command.ExecuteAsync(cancellationToken);
        if (answer is not null)
        {
            try
            {
                await AnswerOf(answer).ConfigureAwait(false);
            }
            catch (Exception ex) when (execution.IsCompleted && ex is SshException or System.Net.Sockets.SocketException)
            {
                // The command ended before its answer came (its session went, or the server closed its channel): its
                // execution says how.
            }
        }

        return execution;
    }

    /// <summary>Stops listening to the session; for an open still on its way, once it is answered (or its wait timed out).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_opening is { IsCompleted: false } opening)
        {
            _ = opening.ContinueWith(static (_, state) => ((AwaitedChannel)state!).StopListening(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return;
        }

        StopListening();
    }

    private void StopListening()
    {
        _session.ChannelOpenConfirmationReceived -= OnOpenConfirmed;
        _session.ChannelOpenFailureReceived -= OnOpenRefused;
        _session.ChannelSuccessReceived -= OnRequestSucceeded;
        _session.ChannelFailureReceived -= OnRequestFailed;
        _session.ChannelCloseReceived -= OnClosed;
        _session.ErrorOccured -= OnSessionError;
        _session.Disconnected -= OnSessionDisconnected;
    }

    private async Task<bool> RequestAsync(RequestInfo request)
    {
        var answer = Expect();
        SessionAccess.Send(_session, new ChannelRequestMessage(RemoteNumber, request));
        if (await AnswerOf(answer).ConfigureAwait(false))
        {
            return true;
        }

        lock (_gate)
        {
            if (_closed)
            {
                throw new SshException($"The server closed the channel before it answered the '{request.RequestName}' request.");
            }
        }

        return false;
    }

    /// <summary>The answer to the message about to be sent (the server answers a channel's requests in order).</summary>
    private Task<bool> Expect()
    {
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _answer = answer;
            if (_sessionFailure is { } failure)
            {
                answer.TrySetException(failure);
            }
            else if (_closed)
            {
                answer.TrySetResult(false);
            }
        }

        return answer.Task;
    }

    /// <summary>Waits for an answer at most <c>ConnectionInfo.Timeout</c>, failing as SSH.NET's wait does.</summary>
    private async Task<bool> AnswerOf(Task<bool> answer)
    {
        if (_timeout == Timeout.InfiniteTimeSpan)
        {
            return await answer.ConfigureAwait(false);
        }

        try
        {
            return await answer.WaitAsync(_timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new SshOperationTimeoutException("Session operation has timed out");
        }
    }

    private void Answer(bool accepted)
    {
        TaskCompletionSource<bool>? answer;
        lock (_gate)
        {
            answer = _answer;
            _answer = null;
        }

        answer?.TrySetResult(accepted);
    }

    private void Fail(Exception error)
    {
        TaskCompletionSource<bool>? answer;
        lock (_gate)
        {
            _sessionFailure ??= error;
            answer = _answer;
            _answer = null;
        }

        answer?.TrySetException(error);
    }

    private void OnOpenConfirmed(object? sender, MessageEventArgs<ChannelOpenConfirmationMessage> e)
    {
        if (e.Message.LocalChannelNumber == _localNumber)
        {
            Answer(true);
        }
    }

    private void OnOpenRefused(object? sender, MessageEventArgs<ChannelOpenFailureMessage> e)
    {
        if (e.Message.LocalChannelNumber == _localNumber)
        {
            Answer(false);
        }
    }

    private void OnRequestSucceeded(object? sender, MessageEventArgs<ChannelSuccessMessage> e)
    {
        if (e.Message.LocalChannelNumber == _localNumber)
        {
            Answer(true);
        }
    }

    private void OnRequestFailed(object? sender, MessageEventArgs<ChannelFailureMessage> e)
    {
        if (e.Message.LocalChannelNumber == _localNumber)
        {
            Answer(false);
        }
    }

    private void OnClosed(object? sender, MessageEventArgs<ChannelCloseMessage> e)
    {
        if (e.Message.LocalChannelNumber != _localNumber)
        {
            return;
        }

        lock (_gate)
        {
            _closed = true;
        }

        Answer(false);
    }

    private void OnSessionError(object? sender, ExceptionEventArgs e) => Fail(e.Exception);

    private void OnSessionDisconnected(object? sender, EventArgs e) => Fail(new SshConnectionException("Client not connected."));

    /// <summary>SSH_MSG_CHANNEL_OPEN's "session" type (SSH.NET's own is internal).</summary>
    private sealed class SessionOpen : ChannelOpenInfo
    {
        public override string ChannelType => "session";
    }

    /// <summary>RFC 4254 §6.5: the command, in the connection's encoding, as SSH.NET sends it.</summary>
    private sealed class ExecRequest : RequestInfo
    {
        private readonly byte[] _command;

        public ExecRequest(byte[] command)
        {
            _command = command;
            WantReply = true;
        }

        public override string RequestName => "exec";

        protected override void SaveData()
        {
            base.SaveData();
            WriteBinaryString(_command);
        }
    }

    /// <summary>RFC 4254 §6.4: one variable, UTF-8, as SSH.NET sends it.</summary>
    private sealed class EnvironmentRequest : RequestInfo
    {
        private readonly string _name;
        private readonly string _value;

        public EnvironmentRequest(string name, string value)
        {
            _name = name;
            _value = value;
            WantReply = true;
        }

        public override string RequestName => "env";

        protected override void SaveData()
        {
            base.SaveData();
            WriteBinaryString(Encoding.UTF8.GetBytes(_name));
            WriteBinaryString(Encoding.UTF8.GetBytes(_value));
        }
    }

    /// <summary>RFC 4254 §6.2: a terminal of the given size in characters, no pixel size, no modes, as SSH.NET sends it with none.</summary>
    private sealed class TerminalRequest : RequestInfo
    {
        private readonly string _type;
        private readonly uint _width;
        private readonly uint _height;

        public TerminalRequest(string type, uint width, uint height)
        {
            _type = type;
            _width = width;
            _height = height;
            WantReply = true;
        }

        public override string RequestName => "pty-req";

        protected override void SaveData()
        {
            base.SaveData();
            Write(_type);
            Write(_width);
            Write(_height);
            Write(0u);
            Write(0u);
            Write(0u); // the encoded modes: an empty string
        }
    }
}
#endif
