using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Connection;

namespace ParamikoJump.Execution;

/// <summary>
/// When a command's channel may open on one hop's session. Dropbear 2022.82 to 2024.85 closes a session channel that is
/// open but has not yet received its exec request whenever another child process of the same connection exits in
/// that moment: its close check counts a channel without a child as one whose child has exited (dropbear issue #321,
/// fixed in 2024.86). The client sees the channel's EOF and CLOSE instead of an answer to its exec request, and an
/// exec request already on its way makes that dropbear fail an assertion and drop the whole connection. No client
/// can close that window (the exec request needs the channel number the server's open confirmation brings), so on
/// those servers a command's channel is opened only while no other command started here is still running: commands
/// run one after the other, and a command waits, at most the hop's channel budget, for the ones before it to exit.
/// </summary>
/// <remarks>
/// A command counts as running from its exec request until the server reports its exit (exit-status or exit-signal)
/// or closes its channel; these arrive on the session's receive thread, by channel number
/// (<see cref="SshNet.CommandChannel.TryGetLocalChannelNumber"/>). A command disposed while it still runs keeps
/// counting until its server process has exited. Other servers (OpenSSH, dropbear before 2022.82 or from 2024.86)
/// are not held back at all.
/// </remarks>
internal sealed class CommandStarts
{
    private static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(50);
    private static readonly Regex Dropbear = new(@"^SSH-2\.0-dropbear(?:_(?<year>\d+)\.(?<release>\d+))?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private readonly object _gate = new();
    private readonly Dictionary<uint, string> _byChannel = [];
    private readonly List<(Func<bool> HasEnded, string CommandText)> _unnumbered = [];
    private TaskCompletionSource<bool> _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Session? _session;
    private bool _opening;
    private bool _serialized;

    /// <summary>Whether commands on the current session start one after the other.</summary>
    public bool Serialized
    {
        get
        {
            lock (_gate)
            {
                return _serialized;
            }
        }
    }

    /// <summary>Whether a server, by its identification string, closes a channel that opens while another command exits.</summary>
    public static bool ClosesChannelsOpenedWhileAnotherExits(string? serverVersion)
    {
        var match = Dropbear.Match(serverVersion ?? string.Empty);
        if (!match.Success)
        {
            return false;
        }

        if (!match.Groups["year"].Success)
        {
            // A dropbear that does not say which: assume the worst, as commands only lose concurrency.
            return true;
        }

        var year = int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture);
        var release = int.Parse(match.Groups["release"].Value, CultureInfo.InvariantCulture);
        return (year, release) is ( >= 2022, >= 82) && (year < 2024 || (year == 2024 && release < 86));
    }

    /// <summary>The hop connected: watch its session if its server needs commands to start one after the other.</summary>
    public void OnSessionStarted(Session session, string? serverVersion)
    {
        var serialize = ClosesChannelsOpenedWhileAnotherExits(serverVersion);
        lock (_gate)
        {
            ResetLocked();
            _serialized = serialize;
            _session = serialize ? session : null;
        }

        if (serialize)
        {
            session.ChannelRequestReceived += OnChannelRequest;
            session.ChannelCloseReceived += OnChannelClose;
        }
    }

    /// <summary>The session ended: nothing of it runs any more, and waiting starts fail on their own.</summary>
    public void OnSessionEnded()
    {
        Session? session;
        lock (_gate)
        {
            session = _session;
            _session = null;
            _serialized = false;
            ResetLocked();
            ChangedLocked();
        }

        if (session is not null)
        {
            session.ChannelRequestReceived -= OnChannelRequest;
            session.ChannelCloseReceived -= OnChannelClose;
        }
    }

    /// <summary>
    /// Waits until a command may open its channel. Call <see cref="Turn.Starting"/> before the exec request and
    /// <see cref="Turn.Failed"/> if it fails; dispose the turn once the command started or failed.
    /// </summary>
    /// <exception cref="HopTimeoutException">Other commands still ran after <paramref name="budget"/>.</exception>
    public Turn Begin(HopIdentity hop, string commandText, TimeSpan budget, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_serialized)
            {
                return new Turn(this, holdsGate: false);
            }

            var deadline = budget == Timeout.InfiniteTimeSpan ? (DateTime?)null : DateTime.UtcNow + budget;
            while (_serialized && (_opening || IsAnyRunningLocked()))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var left = deadline is { } end ? end - DateTime.UtcNow : Recheck;
                if (left <= TimeSpan.Zero)
                {
                    throw TimedOutLocked(hop, commandText, budget);
                }

                using (cancellationToken.Register(static state => PulseAllOf(state!), _gate))
                {
                    Monitor.Wait(_gate, left < Recheck ? left : Recheck);
                }
            }

            if (!_serialized)
            {
                return new Turn(this, holdsGate: false);
            }

            _opening = true;
            return new Turn(this, holdsGate: true);
        }
    }

    /// <summary>As <see cref="Begin"/>, waiting without a thread.</summary>
    public async Task<Turn> BeginAsync(HopIdentity hop, string commandText, TimeSpan budget, CancellationToken cancellationToken)
    {
        var deadline = budget == Timeout.InfiniteTimeSpan ? (DateTime?)null : DateTime.UtcNow + budget;
        while (true)
        {
            Task changed;
            TimeSpan left;
            lock (_gate)
            {
                if (!_serialized)
                {
                    return new Turn(this, holdsGate: false);
                }

                if (!_opening && !IsAnyRunningLocked())
                {
                    _opening = true;
                    return new Turn(this, holdsGate: true);
                }

                cancellationToken.ThrowIfCancellationRequested();
                left = deadline is { } end ? end - DateTime.UtcNow : Recheck;
                if (left <= TimeSpan.Zero)
                {
                    throw TimedOutLocked(hop, commandText, budget);
                }

                changed = _changed.Task;
            }

            // A command disposed while it runs ends without a message here: its end is re-checked as the blocking wait does.
            await Task.WhenAny(changed, Task.Delay(left < Recheck ? left : Recheck, cancellationToken)).ConfigureAwait(false);
        }
    }

    private static void PulseAllOf(object gate)
    {
        lock (gate)
        {
            Monitor.PulseAll(gate);
        }
    }

    private HopTimeoutException TimedOutLocked(HopIdentity hop, string commandText, TimeSpan budget) => new(
        $"'{ServerText.Escape(commandText)}' could not start within {budget.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s: " +
        $"'{ServerText.Escape(RunningTextLocked())}' still runs, and this server (dropbear 2022.82 to 2024.85) drops a command " +
        "whose channel opens while another one exits, so commands on one client run one after the other here. " +
        "Wait for the running command, use another client for commands that run side by side, or upgrade dropbear to 2024.86 or later.",
        hop,
        HopStage.Session,
        budget);

    /// <summary>Wakes every start waiting for its turn, blocked or awaiting.</summary>
    private void ChangedLocked()
    {
        Monitor.PulseAll(_gate);
        _changed.TrySetResult(true);
        _changed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private void Register(uint? channel, Func<bool> hasEnded, string commandText)
    {
        lock (_gate)
        {
            if (!_serialized)
            {
                return;
            }

            if (channel is { } number)
            {
                _byChannel[number] = commandText;
            }
            else
            {
                _unnumbered.Add((hasEnded, commandText));
            }
        }
    }

    private void EndTurn()
    {
        lock (_gate)
        {
            _opening = false;
            ChangedLocked();
        }
    }

    private bool IsAnyRunningLocked()
    {
        _unnumbered.RemoveAll(command => command.HasEnded());
        return _byChannel.Count > 0 || _unnumbered.Count > 0;
    }

    private string RunningTextLocked() =>
        _byChannel.Values.Concat(_unnumbered.Select(command => command.CommandText)).FirstOrDefault() ?? "another command";

    private void ResetLocked()
    {
        _byChannel.Clear();
        _unnumbered.Clear();
        _opening = false;
    }

    private void Forget(uint? channel, Func<bool>? hasEnded)
    {
        lock (_gate)
        {
            if (channel is { } number)
            {
                _byChannel.Remove(number);
            }

            _unnumbered.RemoveAll(command => ReferenceEquals(command.HasEnded, hasEnded));
        }
    }

    private void OnChannelRequest(object? sender, MessageEventArgs<ChannelRequestMessage> e)
    {
        if (e.Message.RequestName is "exit-status" or "exit-signal")
        {
            Ended(e.Message.LocalChannelNumber);
        }
    }

    private void OnChannelClose(object? sender, MessageEventArgs<ChannelCloseMessage> e) => Ended(e.Message.LocalChannelNumber);

    private void Ended(uint channel)
    {
        lock (_gate)
        {
            if (_byChannel.Remove(channel))
            {
                ChangedLocked();
            }
        }
    }

    /// <summary>A command's turn to open its channel.</summary>
    internal sealed class Turn(CommandStarts owner, bool holdsGate) : IDisposable
    {
        private bool _holdsGate = holdsGate;
        private uint? _channel;
        private Func<bool>? _hasEnded;

        /// <summary>
        /// Called before the command's exec request: from then on it counts as running until the server reports its
        /// end (which may come before the exec request's answer is seen).
        /// </summary>
        public void Starting(SshCommand command, Func<bool> hasEnded)
        {
            if (_holdsGate)
            {
                _channel = SshNet.CommandChannel.TryGetLocalChannelNumber(command);
                _hasEnded = hasEnded;
                owner.Register(_channel, hasEnded, command.CommandText);
            }
        }

        /// <summary>The command could not start: no process of it runs on the server.</summary>
        public void Failed()
        {
            if (_holdsGate)
            {
                owner.Forget(_channel, _hasEnded);
            }
        }

        public void Dispose()
        {
            if (_holdsGate)
            {
                _holdsGate = false;
                owner.EndTurn();
            }
        }
    }
}
