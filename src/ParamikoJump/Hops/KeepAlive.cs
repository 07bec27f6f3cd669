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
/// at the latest interval × (countMax + 1) after the last answer.
/// </summary>
/// <remarks>
/// SSH matches replies to global requests by order only, and SSH.NET's <see cref="ForwardedPortRemote"/> takes the
/// next reply as its own: a remote forward started at the very moment a keep-alive is answered could take that
/// answer. Replies arrive within a round trip and keep-alives are seconds apart, so this is rare; start remote
/// forwards right after connecting, or turn keep-alive off for a client that starts them continually.
/// </remarks>
internal sealed class KeepAlive : IDisposable
{
    private readonly Session _session;
    private readonly int _countMax;
    private readonly Func<bool> _upstreamSilent;
    private readonly Action<int> _onDead;
    private readonly Message _request;
    private readonly ITimer _timer;
    private int _unanswered;
    private int _sending;
    private int _stopped;

    private KeepAlive(Session session, Message request, TimeSpan interval, int countMax, TimeProvider clock, Func<bool> upstreamSilent, Action<int> onDead)
    {
        _session = session;
        _request = request;
        _countMax = countMax;
        _upstreamSilent = upstreamSilent;
        _onDead = onDead;
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
    /// <param name="onDead">Called once, on a timer thread, with the count of unanswered requests.</param>
    public static KeepAlive? Start(Session session, TimeSpan interval, int countMax, TimeProvider clock, Func<bool> upstreamSilent, Action<int> onDead) =>
        SessionAccess.CanSend && SessionAccess.GlobalRequest("keepalive@openssh.com", wantReply: true) is { } request
            ? new KeepAlive(session, request, interval, countMax, clock, upstreamSilent, onDead)
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

        var unanswered = Volatile.Read(ref _unanswered);
        if (unanswered >= _countMax)
        {
            if (_upstreamSilent())
            {
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

        Interlocked.Increment(ref _unanswered);

        // A send to a dead peer can block once the socket's buffer is full: never on the timer, never two at once.
        if (Interlocked.Exchange(ref _sending, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(
                static state =>
                {
                    var keepAlive = (KeepAlive)state!;
                    try
                    {
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
