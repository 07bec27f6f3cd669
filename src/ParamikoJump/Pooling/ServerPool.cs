using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ParamikoJump.Pooling;

/// <summary>
/// The sessions of one server (host and port through the same jumps), shared by every destination that names it:
/// at most <see cref="SshJumpPoolOptions.MaxSessionsPerServer"/> open, leased or idle; a lease beyond that waits in
/// line (FIFO, a session of its own destination first) for one to come back.
/// </summary>
/// <remarks>
/// A slot is the right to hold one open session. A waiter is granted either an idle session of its destination or a
/// slot (it then connects); a session given back while another destination waits is closed to free its slot.
/// </remarks>
internal sealed class ServerPool : IDisposable
{
    private readonly object _gate = new();
    private readonly List<PooledSession> _idle = [];
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly Dictionary<PoolDestination, int> _openBy = [];
    private readonly int _maxSessions;
    private readonly TimeProvider _clock;
    private int _open;
    private bool _disposed;

    public ServerPool(string name, SshJumpPoolOptions options)
    {
        Name = name;
        _maxSessions = options.MaxSessionsPerServer;
        _clock = options.TimeProvider;
        Connects = new SemaphoreSlim(options.MaxConnectsPerServer, options.MaxConnectsPerServer);
    }

    /// <summary>The server as <c>user@host:port via ...</c> without the user: what the limits are counted against.</summary>
    public string Name { get; }

    /// <summary>Connects running to this server.</summary>
    public SemaphoreSlim Connects { get; }

    /// <summary>Sessions open (leased, idle or connecting).</summary>
    public int Open
    {
        get
        {
            lock (_gate)
            {
                return _open;
            }
        }
    }

    /// <summary>
    /// An idle session of <paramref name="destination"/>, or <see langword="null"/> when the caller holds a slot and
    /// must connect (then <see cref="ReleaseSlot"/> if that fails). Waits in line while the server is at its limit.
    /// </summary>
    public async Task<PooledSession?> AcquireAsync(PoolDestination destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            PooledSession? reuse = null;
            PooledSession? evicted = null;
            Waiter? waiter = null;
            lock (_gate)
            {
                var own = _idle.FindLastIndex(s => s.Destination == destination);
                if (own >= 0)
                {
                    reuse = _idle[own];
                    _idle.RemoveAt(own);
                }
                else if (_open < _maxSessions)
                {
                    _open++;
                    Count(destination, +1);
                }
                else if (_idle.Count > 0 && OpenOf(destination) == 0)
                {
                    // A destination with no session takes the slot of the oldest idle session of another; one with
                    // sessions waits for its own to come back rather than close and reconnect.
                    evicted = _idle[0];
                    _idle.RemoveAt(0);
                    Count(evicted.Destination, -1);
                    Count(destination, +1);
                }
                else
                {
                    waiter = new Waiter(destination);
                    waiter.Node = _waiters.AddLast(waiter);
                }
            }

            evicted?.Close();
            if (waiter is not null)
            {
                PoolTelemetry.Queued(Name);
                reuse = await WaitAsync(waiter, cancellationToken).ConfigureAwait(false);
            }

            if (reuse is null || reuse.IsUsable)
            {
                return reuse;
            }

            // Lost while idle (its server or jump went away): close it and try again with its slot given up.
            reuse.Close();
            ReleaseSlot(destination);
        }
    }

    /// <summary>
    /// A lease ended. Its session goes to the oldest waiter when that one wants the same destination; else, while the
    /// oldest waiter's destination has a session of its own coming back, to a waiter of its own destination or idle;
    /// else it is closed and its slot goes to the oldest waiter. So sessions are not closed and reconnected while
    /// each destination's own come back, and a destination with no session is served at the next return.
    /// </summary>
    public void Return(PooledSession session)
    {
        var close = !session.IsUsable;
        lock (_gate)
        {
            var oldest = _waiters.First?.Value;
            if (_disposed)
            {
                _open--;
                Count(session.Destination, -1);
                close = true;
            }
            else if (close)
            {
                Count(session.Destination, -1);
                GrantSlotOrShrink();
            }
            else if (oldest?.Destination == session.Destination)
            {
                Take(oldest).Grant(session);
            }
            else if (FirstWaiterOf(session.Destination) is { } same && OpenOf(oldest!.Destination) > 0)
            {
                Take(same).Grant(session);
            }
            else if (oldest is null || OpenOf(oldest.Destination) > 0)
            {
                // The oldest waiter's own session comes back to it; this one waits for its destination's next lease.
                session.IdleSince = _clock.GetTimestamp();
                _idle.Add(session);
            }
            else
            {
                close = true;
                Count(session.Destination, -1);
                GrantSlotOrShrink();
            }
        }

        if (close)
        {
            session.Close();
        }
    }

    /// <summary>A slot of <paramref name="destination"/> whose connect failed, or whose session was closed, is free again.</summary>
    public void ReleaseSlot(PoolDestination destination)
    {
        lock (_gate)
        {
            Count(destination, -1);
            GrantSlotOrShrink();
        }
    }

    /// <summary>Closes idle sessions unused for <paramref name="idleTimeout"/> and those that were lost.</summary>
    public void Evict(TimeSpan idleTimeout)
    {
        List<PooledSession> stale;
        lock (_gate)
        {
            stale = _idle.Where(s => !s.IsUsable || _clock.GetElapsedTime(s.IdleSince) >= idleTimeout).ToList();
            foreach (var session in stale)
            {
                _idle.Remove(session);
                _open--;
                Count(session.Destination, -1);
            }
        }

        foreach (var session in stale)
        {
            session.Close();
        }
    }

    /// <summary>Whether <paramref name="destination"/> has a session open (leased, idle or connecting).</summary>
    public bool HasSessionOf(PoolDestination destination)
    {
        lock (_gate)
        {
            return OpenOf(destination) > 0;
        }
    }

    /// <summary>Whether no session of this server is leased or connecting.</summary>
    public bool IsQuiet
    {
        get
        {
            lock (_gate)
            {
                return _open == _idle.Count;
            }
        }
    }

    /// <summary>Closes every idle session and fails every waiter; leased sessions close when given back.</summary>
    public void Dispose()
    {
        List<PooledSession> idle;
        List<Waiter> waiters;
        lock (_gate)
        {
            _disposed = true;
            idle = [.. _idle];
            _open -= _idle.Count;
            foreach (var session in _idle)
            {
                Count(session.Destination, -1);
            }

            _idle.Clear();
            waiters = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in waiters)
        {
            waiter.Fail(new ObjectDisposedException(nameof(SshJumpDataSource)));
        }

        foreach (var session in idle)
        {
            session.Close();
        }
    }

    private async Task<PooledSession?> WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(() => Cancel(waiter, cancellationToken)))
        {
            return await waiter.Task.ConfigureAwait(false);
        }
    }

    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (waiter.Node?.List is null)
            {
                // Already granted: the grant is the caller's, who gives it back when it sees the cancellation.
                return;
            }

            _waiters.Remove(waiter.Node);
        }

        waiter.Cancel(cancellationToken);
    }

    /// <summary>A freed slot goes to the oldest waiter, or the server holds one session less.</summary>
    private void GrantSlotOrShrink()
    {
        if (_waiters.First?.Value is { } oldest)
        {
            Count(oldest.Destination, +1);
            Take(oldest).Grant(null);
        }
        else
        {
            _open--;
        }
    }

    private Waiter Take(Waiter waiter)
    {
        _waiters.Remove(waiter.Node!);
        return waiter;
    }

    private Waiter? FirstWaiterOf(PoolDestination destination)
    {
        for (var node = _waiters.First; node is not null; node = node.Next)
        {
            if (node.Value.Destination == destination)
            {
                return node.Value;
            }
        }

        return null;
    }

    private int OpenOf(PoolDestination destination) => _openBy.TryGetValue(destination, out var open) ? open : 0;

    private void Count(PoolDestination destination, int change) => _openBy[destination] = OpenOf(destination) + change;

    private sealed class Waiter(PoolDestination destination)
    {
        private readonly TaskCompletionSource<PooledSession?> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PoolDestination Destination { get; } = destination;

        public LinkedListNode<Waiter>? Node { get; set; }

        public Task<PooledSession?> Task => _result.Task;

        public void Grant(PooledSession? session) => _result.TrySetResult(session);

        public void Fail(Exception error) => _result.TrySetException(error);

        public void Cancel(CancellationToken cancellationToken) => _result.TrySetCanceled(cancellationToken);
    }
}
