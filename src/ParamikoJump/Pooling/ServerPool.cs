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
                }
                else if (_idle.Count > 0)
                {
                    // The oldest idle session of another destination gives up its slot.
                    evicted = _idle[0];
                    _idle.RemoveAt(0);
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
                PoolTelemetry.Queued();
                reuse = await WaitAsync(waiter, cancellationToken).ConfigureAwait(false);
                if (reuse is null)
                {
                    return null;
                }
            }

            if (reuse is null)
            {
                return null;
            }

            if (reuse.IsUsable)
            {
                return reuse;
            }

            // Lost while idle (its server or jump went away): close it and try again with its slot given up.
            reuse.Close();
            ReleaseSlot();
        }
    }

    /// <summary>A lease ended: reuse, hand over or close its session.</summary>
    public void Return(PooledSession session)
    {
        var usable = session.IsUsable;
        var close = !usable;
        lock (_gate)
        {
            if (_disposed)
            {
                _open--;
                close = true;
                usable = false;
            }
            else if (usable)
            {
                if (TakeWaiter(session.Destination, sameOnly: true) is { } same)
                {
                    same.Grant(session);
                    return;
                }

                if (TakeWaiter(session.Destination, sameOnly: false) is { } other)
                {
                    // Its slot goes to another destination's waiter, which connects its own session.
                    other.Grant(null);
                    close = true;
                }
                else
                {
                    session.IdleSince = _clock.GetTimestamp();
                    _idle.Add(session);
                }
            }
            else if (TakeWaiter(session.Destination, sameOnly: false) is { } next)
            {
                next.Grant(null);
            }
            else
            {
                _open--;
            }
        }

        if (close)
        {
            session.Close();
        }
    }

    /// <summary>A slot whose connect failed, or whose session was closed, is free again.</summary>
    public void ReleaseSlot()
    {
        lock (_gate)
        {
            if (TakeWaiter(null, sameOnly: false) is { } next)
            {
                next.Grant(null);
            }
            else
            {
                _open--;
            }
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
            }
        }

        foreach (var session in stale)
        {
            session.Close();
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

    private Waiter? TakeWaiter(PoolDestination? destination, bool sameOnly)
    {
        for (var node = _waiters.First; node is not null; node = node.Next)
        {
            if (!sameOnly || node.Value.Destination == destination)
            {
                _waiters.Remove(node);
                return node.Value;
            }
        }

        return null;
    }

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
