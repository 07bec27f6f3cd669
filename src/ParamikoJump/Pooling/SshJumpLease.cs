using System;
using System.Threading;
using System.Threading.Tasks;

namespace ParamikoJump.Pooling;

/// <summary>
/// A connected client lent by an <see cref="SshJumpDataSource"/>: use <see cref="Client"/>, then dispose the lease to
/// give it back. A client still connected goes back to the pool for the next lease of the same destination; one that
/// was lost (its server or a jump went away) is closed.
/// </summary>
public sealed class SshJumpLease : IDisposable, IAsyncDisposable
{
    private readonly PooledSession _session;
    private int _returned;

    internal SshJumpLease(PooledSession session, string destination)
    {
        _session = session;
        Destination = destination;
    }

    /// <summary>The destination's name in the source.</summary>
    public string Destination { get; }

    /// <summary>The connected client; do not dispose it yourself, dispose the lease.</summary>
    /// <exception cref="ObjectDisposedException">The lease was given back.</exception>
    public SshJumpClient Client => Volatile.Read(ref _returned) == 0
        ? _session.Client
        : throw new ObjectDisposedException(ToString(), "The lease was given back.");

    /// <summary>Closes the client instead of giving it back, e.g. after leaving its session in a state the next user should not meet.</summary>
    public void Discard() => _session.Discarded = true;

    /// <summary>Gives the client back to the pool (or closes it if it was lost or discarded). Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0)
        {
            _session.Return();
        }
    }

    /// <summary>Gives the client back; see <see cref="Dispose"/>.</summary>
    /// <returns>A completed task: giving back never waits for the network.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    /// <summary><c>SshJumpLease destination (user@host:port via ...)</c>; never contains a secret.</summary>
    public override string ToString() => $"{nameof(SshJumpLease)} {Destination} ({_session.Client.Hop})";
}
