using System;
using System.Globalization;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace ParamikoJump.Hops;

/// <summary>
/// The attempts of one <c>Connect</c>: like ssh's <c>ConnectionAttempts</c>, a connection the server closed before its
/// SSH banner is tried again after a jittered, growing pause. That is how a server sheds load: OpenSSH drops
/// connections past <c>MaxStartups</c> (10 unauthenticated by default) and dropbear past 5 per address, so a burst of
/// clients to one host (all through one jump come from the jump's address) loses some at random. Nothing else is
/// retried: a refused TCP connection or channel, a timeout, a host key or a login failure is reported at once.
/// </summary>
/// <remarks>
/// Each attempt first takes a slot of <see cref="ConnectSlots"/>, so a burst from this process stays under the server's
/// limit and rarely needs a second attempt. All attempts and pauses together stay within the budget the first attempt had before the banner (the connect
/// budget, or the banner budget when one is set); the attempt that would run past it is not made, and the last
/// error says how many attempts were made.
/// </remarks>
internal sealed class ConnectAttempts
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(2);

    private readonly HopIdentity _hop;
    private readonly TimeProvider _clock;
    private readonly int _allowed;
    private readonly int _concurrent;
    private readonly TimeSpan _budget;
    private readonly TimeSpan _slotBudget;
    private long? _started;
    private int _made = 1;

    public ConnectAttempts(Hop hop)
        : this(hop.Plan.Hop, hop.Plan.Settings, hop.Plan.Timeouts, hop.Plan.Tunnel is not null)
    {
    }

    internal ConnectAttempts(HopIdentity hop, HopSettings settings, HopTimeouts timeouts, bool throughJump)
    {
        _hop = hop;
        _clock = settings.TimeProvider;
        _allowed = settings.ConnectionAttempts;
        _concurrent = settings.MaxConcurrentConnects;
        _budget = timeouts.BeforeBanner(throughJump);
        _slotBudget = Sum(Sum(_budget, timeouts.Connect), timeouts.Auth);
    }

    /// <summary>How many attempts were made so far.</summary>
    public int Made => _made;

    /// <summary>Waits for this attempt's slot (<see cref="ConnectSlots"/>); dispose it when the attempt ended.</summary>
    public IDisposable Begin()
    {
        var slot = ConnectSlots.Enter(_hop, _concurrent, _slotBudget);
        _started ??= _clock.GetTimestamp();
        return slot;
    }

    /// <summary>Waits for this attempt's slot without blocking a thread; see <see cref="Begin"/>.</summary>
    public async Task<IDisposable> BeginAsync(CancellationToken cancellationToken)
    {
        var slot = await ConnectSlots.EnterAsync(_hop, _concurrent, _slotBudget, cancellationToken).ConfigureAwait(false);
        _started ??= _clock.GetTimestamp();
        return slot;
    }

    /// <summary>Whether a failed attempt was the server closing the connection before its banner.</summary>
    public static bool ClosedBeforeBanner(SshException error) =>
        error is HopConnectionException { Stage: HopStage.TcpConnect or HopStage.ChannelOpen } &&
        error.InnerException is SshConnectionException { DisconnectReason: DisconnectReason.ConnectionLost } or SocketException { SocketErrorCode: SocketError.ConnectionReset };

    /// <summary>
    /// Whether to try again after <paramref name="error"/>, and after how long a pause; false when the error is not
    /// one to retry, the attempts are used up, or the pause would end past the budget.
    /// </summary>
    public bool ShouldRetry(SshException error, out TimeSpan pause)
    {
        pause = TimeSpan.Zero;
        if (!ClosedBeforeBanner(error) || _made >= _allowed)
        {
            return false;
        }

        pause = Pause(_made);
        if (_budget != Timeout.InfiniteTimeSpan && Elapsed + pause >= _budget)
        {
            return false;
        }

        _made++;
        return true;
    }

    /// <summary>The error to report when no attempt is left: the last one's, saying how many were made.</summary>
    public SshException Final(SshException error) =>
        _made > 1 && ClosedBeforeBanner(error)
            ? new HopConnectionException(
                $"The server at {HopOf(error)?.Endpoint} closed the connection before sending its SSH banner, {_made} times in {Elapsed.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s{(HopOf(error)?.Jump is { } jump ? $" (the jump {jump} reached it)" : string.Empty)}. It sheds connections (OpenSSH's MaxStartups, dropbear's limit per address) or refuses this client.",
                HopOf(error),
                ((IHopFailure)error).Stage,
                error.InnerException)
            : error;

    private static HopIdentity? HopOf(SshException error) => ((IHopFailure)error).Hop;

    private TimeSpan Elapsed => _started is { } started ? _clock.GetElapsedTime(started) : TimeSpan.Zero;

    private static TimeSpan Sum(TimeSpan a, TimeSpan b) =>
        a == Timeout.InfiniteTimeSpan || b == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : a + b;

    /// <summary>Waits out a pause on the hop's clock, for a synchronous connect.</summary>
    public void Pause(TimeSpan pause)
    {
        using var over = new ManualResetEventSlim();
        using var timer = _clock.CreateTimer(static state => ((ManualResetEventSlim)state!).Set(), over, pause, Timeout.InfiniteTimeSpan);
        over.Wait();
    }

    /// <summary>Waits out a pause on the hop's clock without blocking a thread.</summary>
    public Task PauseAsync(TimeSpan pause, CancellationToken cancellationToken) => Clock.Delay(_clock, pause, cancellationToken);

    /// <summary>Full jitter over a doubling ceiling: 0-100 ms, 0-200 ms, ... up to 0-2 s, never below 10 ms.</summary>
    private static TimeSpan Pause(int attemptsMade)
    {
        var ceiling = Math.Min(LongestPause.TotalMilliseconds, FirstPause.TotalMilliseconds * Math.Pow(2, attemptsMade - 1));
#if NET8_0_OR_GREATER
        var random = Random.Shared.NextDouble();
#else
        double random;
        lock (Jitter)
        {
            random = Jitter.NextDouble();
        }
#endif
        return TimeSpan.FromMilliseconds(Math.Max(10, ceiling * random));
    }

#if !NET8_0_OR_GREATER
    private static readonly Random Jitter = new();
#endif
}
