using System;

namespace ParamikoJump.Pooling;

/// <summary>One connected target client of the pool, with the jump generation it rides on.</summary>
internal sealed class PooledSession
{
    private readonly ServerPool _server;
    private readonly JumpGeneration? _jump;
    private SshJumpDataSource? _lender;
    private int _closed;

    public PooledSession(ServerPool server, PoolDestination destination, SshJumpClient client, JumpGeneration? jump)
    {
        _server = server;
        Destination = destination;
        Client = client;
        _jump = jump;
    }

    public PoolDestination Destination { get; }

    public SshJumpClient Client { get; }

    /// <summary>When it was last given back, on the pool's clock.</summary>
    public long IdleSince { get; set; }

    /// <summary>Set by <see cref="SshJumpLease.Discard"/>: close instead of reuse.</summary>
    public bool Discarded { get; set; }

    /// <summary>Whether the next lease can use it: connected, and its jump not replaced since.</summary>
    public bool IsUsable => System.Threading.Volatile.Read(ref _closed) == 0 && !Discarded && Client.IsConnected && (_jump?.IsUsable ?? true);

    /// <summary>Lent out by <paramref name="lender"/>, which counts it until it comes back.</summary>
    public void Lease(SshJumpDataSource lender)
    {
        _lender = lender;
        lender.OnLeased(this);
    }

    public void Return()
    {
        System.Threading.Interlocked.Exchange(ref _lender, null)?.OnReturned(this);
        _server.Return(this);
    }

    /// <summary>Closes the client and lets go of its jump; idempotent.</summary>
    public void Close()
    {
        if (System.Threading.Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        try
        {
            Client.Dispose();
        }
        finally
        {
            _jump?.Release();
            PoolTelemetry.SessionClosed(_server.Name);
        }
    }
}
