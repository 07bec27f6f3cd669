using System.Threading;

namespace ParamikoJump.Hops;

/// <summary>
/// SSH.NET runs each connection a forwarded port accepts on a thread-pool thread and keeps that thread blocked
/// for the connection's lifetime. Every open tunnel therefore takes a pool thread away from the application;
/// past the pool's minimum, new threads arrive about once a second, so 100 tunnels opened together took half a
/// minute to start. The pool's minimum is raised by one for each tunnel while it is open, and lowered again after.
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
