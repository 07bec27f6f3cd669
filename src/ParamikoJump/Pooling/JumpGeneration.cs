using System.Threading;

namespace ParamikoJump.Pooling;

/// <summary>
/// One connected login of a shared jump. Every client riding on it (a target session, the next jump of a chain)
/// holds a reference; once the jump is replaced (lost, or the source closed) the last reference closes it, so a
/// client still giving back its lease never meets a disposed jump, and nothing of an old login lingers.
/// </summary>
internal sealed class JumpGeneration
{
    private readonly JumpGeneration? _parent;
    private int _references;
    private int _retired;
    private int _closed;

    public JumpGeneration(SshJumpClient client, JumpGeneration? parent, int number)
    {
        Client = client;
        _parent = parent;
        Number = number;
    }

    public SshJumpClient Client { get; }

    /// <summary>1 for the first login of the jump, 2 for the first reconnect, ...</summary>
    public int Number { get; }

    public bool IsUsable => Volatile.Read(ref _retired) == 0 && Volatile.Read(ref _closed) == 0 && Client.IsConnected && (_parent?.IsUsable ?? true);

    public void AddReference() => Interlocked.Increment(ref _references);

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0 && Volatile.Read(ref _retired) != 0)
        {
            Close();
        }
    }

    /// <summary>No new client may ride on it; it closes when the last one lets go.</summary>
    public void Retire()
    {
        if (Interlocked.Exchange(ref _retired, 1) == 0 && Volatile.Read(ref _references) == 0)
        {
            Close();
        }
    }

    private void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        try
        {
            Client.Dispose();
        }
        finally
        {
            _parent?.Release();
        }
    }
}
