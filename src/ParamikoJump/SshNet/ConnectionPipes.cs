using System.Collections.Generic;
using Renci.SshNet.Common;

namespace ParamikoJump.SshNet;

/// <summary>
/// The <see cref="PipeStream"/>s a client's transfers are reading from. SSH.NET's <c>ScpClient</c> reads its
/// channel's data through one and disposes it only when the channel closes; a lost session closes no channel, so
/// the transfer would wait on <see cref="PipeStream.Read(byte[], int, int)"/> forever. The hop disposes them all
/// when its session is lost (or the client disposed): the read then returns 0 and ScpClient fails with "Stream
/// has been closed". Handed out by <see cref="Transport"/>'s factory proxy; on .NET Framework nothing is
/// registered and a transfer waits until the client is disposed.
/// </summary>
internal sealed class ConnectionPipes
{
    private readonly object _gate = new();
    private readonly List<PipeStream> _pipes = [];

    public void Add(PipeStream pipe)
    {
        lock (_gate)
        {
            // A pipe SSH.NET already disposed no longer writes: forget it.
            _pipes.RemoveAll(p => !p.CanWrite);
            _pipes.Add(pipe);
        }
    }

    public void DisposeAll()
    {
        PipeStream[] pipes;
        lock (_gate)
        {
            pipes = _pipes.ToArray();
            _pipes.Clear();
        }

        foreach (var pipe in pipes)
        {
            pipe.Dispose();
        }
    }
}
