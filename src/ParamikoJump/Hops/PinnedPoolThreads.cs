using System.Threading;

namespace ParamikoJump.Hops;

/// <summary>
/// Raises the thread pool's minimum by one for each pool thread SSH.NET blocks on ParamikoJump's behalf, and lowers it
/// again after; past the minimum, new threads arrive about once a second, so 100 tunnels opened together took half a
/// minute to start. Two things block one: a hop that is connecting (SSH.NET's <c>ConnectAsync</c> waits for the key
/// exchange and the login on the pool thread that read the banner: 1,000 targets connecting 50 at a time timed out
/// without this), and, where <c>SshNet.TunnelPump</c> cannot stand in for it (.NET Framework, a moved SSH.NET
/// internal, or the <see cref="Tuning.ThreadPerTunnelSwitch"/>), SSH.NET's own <c>Bind()</c>, which holds the pool
/// thread that accepted a forward's connection for the connection's whole life.
/// </summary>
internal static class PinnedPoolThreads
{
    private static readonly object Gate = new();

    public static void Add() => Adjust(+1);

    public static void Remove() => Adjust(-1);

    private static void Adjust(int delta)
    {
        lock (Gate)
        {
            ThreadPool.GetMinThreads(out var workers, out var completionPorts);
            ThreadPool.SetMinThreads(workers + delta < 1 ? 1 : workers + delta, completionPorts);
        }
    }
}
