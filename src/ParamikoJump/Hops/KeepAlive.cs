using System;
using System.Threading;
using ParamikoJump.SshNet;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages;
using Renci.SshNet.Messages.Connection;

namespace ParamikoJump.Hops;

/// <summary>
/// Dead-peer detection for one connected hop, as ssh's ServerAliveInterval / ServerAliveCountMax: every interval a
/// <c>keepalive@openssh.com</c> global request with want-reply is sent, which the server must answer (success or
/// failure, either proves life); when <c>countMax</c> requests in a row go unanswered the hop is declared dead,
/// at the earliest interval × countMax after the first of them was sent.
/// </summary>
/// <remarks>
/// <para>
/// Only evidence of silence counts, never the client's own slowness. A request counts once it has been sent, not when
/// its tick fires: when the process is starved (thread pool exhausted, CPU saturated) ticks pile up and run back to
/// back, and counting them would declare a live server dead without having asked it. A tick that comes sooner than
/// half an interval after the last one is such a pile-up and is skipped. And before the verdict, data the server sent
/// that this client has not read yet (the socket's receive queue) proves the server alive: the client's receive loop
/// is what stalled (a session thread blocked writing into a forward nobody reads), not the server; ssh likewise
/// counts any packet received as an answer. The hop keeps counting as waiting then, so hops behind it, which hear
/// nothing while it is stalled, hold their verdicts as they do for a jump going silent.
/// </para>
/// <para>
/// SSH matches replies to global requests by order only, and SSH.NET's <see cref="ForwardedPortRemote"/> takes the
/// next reply as its own: a remote forward started at the very moment a keep-alive is answered could take that
/// answer. This happens only on the session of the client that starts the forward, never on its jump. Replies arrive
/// within a round trip and keep-alives are seconds apart, so this is rare; start remote forwards right after
/// connecting, or turn keep-alive off for a client that starts them continually.
/// </para>
/// </remarks>
internal sealed class KeepAlive : IDisposable
{
    private readonly Session _session;
    private readonly int _countMax;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _clock;
    private readonly Func<bool> _upstreamSilent;
    private readonly Func<bool> _unreadDataWaiting;
    private readonly Action<int> _onDead;
    private readonly Message _request;
    private readonly ITimer _timer;
    private long _lastTick;
    private int _unanswered;
    private int _sending;
    private int _stopped;

    private KeepAlive(Session session, Message request, TimeSpan interval, int countMax, TimeProvider clock, Func<bool> upstreamSilent, Func<bool> unreadDataWaiting, Action<int> onDead)
    {
        _session = session;
        _request = request;
        _interval = interval;
        _countMax = countMax;
        _clock = clock;
        _upstreamSilent = upstreamSilent;
        _unreadDataWaiting = unreadDataWaiting;
        _onDead = onDead;
        _lastTick = clock.GetTimestamp();
        session.RequestSuccessReceived += OnAnswer;
        session.RequestFailureReceived += OnAnswer;
        _timer = clock.CreateTimer(static state => ((KeepAlive)state!).Tick(), this, interval, interval);
    }

    /// <summary>Whether a request is waiting for its answer right now (the hop may be going silent).</summary>
    public bool IsWaiting => Volatile.Read(ref _unanswered) > 0;

    /// <summary>Starts keep-alive on a connected session; null when SSH.NET's internals needed for it are missing.</summary>
    /// <param name="session">The hop's connected session.</param>
    /// <param name="interval">How often to ask.</param>
    /// <param name="countMax">How many unanswered requests declare the hop dead.</param>
    /// <param name="clock">The hop's clock.</param>
    /// <param name="upstreamSilent">Whether a hop before this one is also unanswered: its verdict then comes first and names it.</param>
    /// <param name="unreadDataWaiting">Whether the server sent data this client has not read yet (proof of life).</param>
    /// <param name="onDead">Called once, on a timer thread, with the count of unanswered requests.</param>
    public static KeepAlive? Start(Session session, TimeSpan interval, int countMax, TimeProvider clock, Func<bool> upstreamSilent, Func<bool> unreadDataWaiting, Action<int> onDead) =>
        SessionAccess.CanSend && SessionAccess.GlobalRequest("keepalive@openssh.com", wantReply: true) is { } request
            ? new KeepAlive(session, request, interval, countMax, clock, upstreamSilent, unreadDataWaiting, onDead)
            : null;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _timer.Dispose();
        _session.RequestSuccessReceived -= OnAnswer;
        _session.RequestFailureReceived -= OnAnswer;
    }

    private void OnAnswer(object? sender, EventArgs e) => Volatile.Write(ref _unanswered, 0);

    private void Tick()
    {
        if (Volatile.Read(ref _stopped) != 0)
        {
            return;
        }

        // Ticks that waited for a starved pool run back to back: one of them stands for them all.
        var now = _clock.GetTimestamp();
        if (_clock.GetElapsedTime(Interlocked.Exchange(ref _lastTick, now), now) < TimeSpan.FromTicks(_interval.Ticks / 2))
        {
            return;
        }

        var unanswered = Volatile.Read(ref _unanswered);
        if (unanswered >= _countMax)
        {
            if (_upstreamSilent())
            {
                return;
            }

            if (_unreadDataWaiting())
            {
                // The server spoke and this client has not read it yet: alive, our receive loop is behind. Still
                // waiting (IsWaiting), so the hops behind this one hold their own verdicts too.
                return;
            }

            Dispose();
            _onDead(unanswered);
            return;
        }

        if (unanswered > 0)
        {
            // The last request went a whole interval without an answer.
            ParamikoJump.Telemetry.Instruments.KeepAliveMisses.Add(1);
        }

        // A send to a dead peer can block once the socket's buffer is full: never on the timer, never two at once.
        // The request counts when it has gone out (or is stuck going out), not when it is queued.
        if (Interlocked.Exchange(ref _sending, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(
                static state =>
                {
                    var keepAlive = (KeepAlive)state!;
                    try
                    {
                        Interlocked.Increment(ref keepAlive._unanswered);
                        SessionAccess.TrySend(keepAlive._session, keepAlive._request);
                    }
                    finally
                    {
                        Volatile.Write(ref keepAlive._sending, 0);
                    }
                },
                this);
        }
    }
}
