#if NET8_0_OR_GREATER
using System;
using System.Buffers;
using System.Net.Sockets;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

namespace ParamikoJump.SshNet;

/// <summary>
/// A forward's direct-tcpip channel without a thread of its own. SSH.NET's <c>ForwardedPortLocal</c> (and the private
/// tunnel, <see cref="PrivateTransport.ServeThroughJump"/>, the same way) opens the channel for each connection it
/// accepts and then calls <c>Bind()</c>, which reads the local socket in a blocking loop on the
/// thread-pool thread that completed the accept, for the connection's whole life: a pool thread pinned per open hop
/// (benchmarks/README.md, section 5). This proxy of SSH.NET's internal
/// <c>IChannelDirectTcpip</c> passes every call through to the channel, except that <c>Bind()</c> starts an
/// asynchronous read loop and returns, and the <c>Dispose()</c> that follows in <c>ProcessAccept</c> is left to that
/// loop, which disposes the channel when the local socket ends, as <c>Bind()</c> returning would have.
/// </summary>
/// <remarks>
/// An idle tunnel waits with a zero-byte receive, so it holds neither a thread nor a buffer. Data from the hop's
/// session (little: window adjusts, requests, uploads) goes to the jump with the channel's own <c>SendData</c> on
/// the pool thread that completed the wait, which, once the hop is connected, keeps reading while more arrives
/// within <see cref="ActiveWait"/> and then goes back to waiting. The other direction is untouched: the jump's receive thread writes
/// into the local socket, as before. Stopping the forward still closes each channel's socket (its <c>Closing</c>
/// event), which ends the loop; <c>Stop()</c> no longer waits for those channels to finish closing.
/// </remarks>
internal class TunnelPump : DispatchProxy
{
    private static readonly Type? ChannelContract = SshNetSeams.TunnelPump.Members.Contract;
    private static readonly Type? ChannelType = SshNetSeams.TunnelPump.Members.Channel;
    private static readonly MethodInfo? SendDataMethod = SshNetSeams.TunnelPump.Members.SendData;
    private static readonly PropertyInfo? IsOpenProperty = SshNetSeams.TunnelPump.Members.IsOpen;
    private static readonly PropertyInfo? RemotePacketSizeProperty = SshNetSeams.TunnelPump.Members.RemotePacketSize;

    /// <summary>How long, in microseconds, a pump that just moved data waits for more before it gives its thread back.</summary>
    private const int ActiveWait = 10_000;

    private object _channel = null!;
    private Hooks _hooks = null!;
    private Socket? _socket;
    private int _pumping;

    /// <summary>Whether SSH.NET's channel has every member the pump needs.</summary>
    public static bool IsAvailable => SshNetSeams.TunnelPump.IsAvailable;

    /// <summary>
    /// What a pump needs from its tunnel: whether the hop behind it is connected (only then is a burst of data the start
    /// of a stream worth keeping a thread for: during the hop's handshake, many hops connecting at once through one
    /// jump would each hold a pool thread for every round trip, which slows their connects; benchmarks/README.md,
    /// section 5), and where the pump's unexpected errors go.
    /// </summary>
    internal sealed record Hooks(Func<bool> HopConnected, Action<Exception> OnError);

    /// <summary>Wraps a direct-tcpip channel just created by the session; anything else is returned as it is.</summary>
    public static object? Wrap(object? channel, Hooks hooks)
    {
        if (!IsAvailable || channel is null || !ChannelContract!.IsInstanceOfType(channel) || !ChannelType!.IsInstanceOfType(channel))
        {
            return channel;
        }

        var proxy = (TunnelPump)Create(ChannelContract, typeof(TunnelPump));
        proxy._channel = channel;
        proxy._hooks = hooks;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        switch (targetMethod!.Name)
        {
            case "Bind" when _socket is not null && (bool)IsOpenProperty!.GetValue(_channel)!:
                Volatile.Write(ref _pumping, 1);
                _ = PumpAsync(_socket);
                return null;
            case "Dispose" when Volatile.Read(ref _pumping) == 1:
                return null; // the loop disposes the channel when the local socket ends
        }

        var result = Reflected.Call(targetMethod, _channel, args);
        if (targetMethod.Name == "Open" && args is [_, _, _, Socket socket])
        {
            _socket = socket;
        }

        return result;
    }

    private async Task PumpAsync(Socket socket)
    {
        var send = SendDataMethod!.CreateDelegate<Action<byte[], int, int>>(_channel);
        var size = (int)Math.Clamp((uint)RemotePacketSizeProperty!.GetValue(_channel)!, 1024u, 64u * 1024);
        try
        {
            while (true)
            {
                // Zero bytes: wait until the socket is readable without holding a buffer (MSG_PEEK underneath).
                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                if (!Thread.CurrentThread.IsThreadPoolThread)
                {
                    // Completed inline on .NET's socket event thread (a private tunnel's end handles its events there):
                    // what follows sends to the jump and may wait for its window, which must not hold that thread.
                    await Task.Yield();
                }

                var buffer = ArrayPool<byte>.Shared.Rent(size);
                try
                {
                    // Readable: stay on this thread while data keeps coming, as SSH.NET's Bind() would. Each return to
                    // the asynchronous wait costs a hop through the thread pool per burst, which a request-response
                    // stream such as SFTP's read requests pays in throughput (benchmarks/README.md, section 5).
                    do
                    {
                        var read = socket.Receive(buffer, 0, size, SocketFlags.None);
                        if (read == 0)
                        {
                            return;
                        }

                        send(buffer, 0, read);
                    }
                    while (_hooks.HopConnected() && socket.Poll(ActiveWait, SelectMode.SelectRead));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The socket was shut down or closed (the forward stopped, the channel or the session closed it): the end.
        }
        catch (Exception ex)
        {
            _hooks.OnError(ex);
        }
        finally
        {
            try
            {
                ((IDisposable)_channel).Dispose();
            }
            catch (Exception ex)
            {
                _hooks.OnError(ex);
            }
        }
    }
}
#endif
