#if NET8_0_OR_GREATER
using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using System.Threading;
using Renci.SshNet;

namespace ParamikoJump.SshNet;

/// <summary>
/// A hop's connection through its jump with nothing another user can connect to: a connected pair of Unix domain
/// sockets, one end handed to the hop's SSH.NET session in place of the TCP socket it would dial (see
/// <see cref="Transport"/>), the other served into a direct-tcpip channel opened on the jump's session, as SSH.NET's
/// own local forward serves an accepted connection, without its listener.
/// </summary>
/// <remarks>
/// How the pair is made: a listening socket in a fresh directory that only this user can enter (mkdtemp's 0700 on Linux
/// and macOS; on Windows the user's own temporary folder), one connect, one accept, a random nonce sent through the
/// pair to prove both ends belong together, then the socket file and its directory are deleted before either end
/// carries a byte of SSH. Another user cannot reach the socket file at any moment, and after that it no longer
/// exists. SSH.NET's direct-tcpip channel announces its socket's remote end to the jump as the originator and casts
/// it to an IP endpoint; the pair is made through <see cref="AnnouncedEndPoint"/>, so the channel's end reports
/// 127.0.0.1:65535, what <c>ssh -W</c> and <c>ssh -J</c> announce. Fallback (rows of <see cref="SshNetSeams"/>): where
/// this is not possible, the hop rides the loopback TCP forward, checked as <c>JumpTunnel</c> describes.
/// </remarks>
internal static class PrivateTransport
{
    /// <summary>What the channel tells the jump the connection comes from; OpenSSH's client says the same.</summary>
    public static readonly IPEndPoint Originator = new(IPAddress.Loopback, 65535);

    /// <summary>The buffers SSH.NET gives a socket it connects itself (ten of its largest packets).</summary>
    private const int BufferSize = 685_360;

    private const int NonceLength = 16;

    private static readonly MethodInfo? CreateChannel = SshNetSeams.DirectTcpip.Members.Create;
    private static readonly MethodInfo? OpenChannel = SshNetSeams.DirectTcpip.Members.Open;
    private static readonly MethodInfo? BindChannel = SshNetSeams.DirectTcpip.Members.Bind;
    private static readonly PropertyInfo? PortSession = SshNetSeams.DirectTcpip.Members.PortSession;

    private static readonly Lazy<string?> Unavailable = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Null when hops can ride the private transport here; otherwise why not (for the one fallback warning).</summary>
    public static string? WhyUnavailable => Unavailable.Value;

    /// <summary>
    /// Makes the pair: the hop's end (for its SSH.NET session) and the jump's end (for the channel). Throws a
    /// <see cref="SocketException"/> or an <see cref="IOException"/> when the platform refuses.
    /// </summary>
    public static (Socket Hop, Socket Jump) CreatePair()
    {
        var directory = Directory.CreateTempSubdirectory("paramikojump-tunnel-");
        var path = Path.Combine(directory.FullName, "s");
        Socket? hop = null;
        Socket? jump = null;
        try
        {
            using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                listener.Bind(new AnnouncedEndPoint(new UnixDomainSocketEndPoint(path)));
                listener.Listen(1);
                hop = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                hop.Connect(new UnixDomainSocketEndPoint(path));
                jump = listener.Accept();
            }

            File.Delete(path);
            directory.Delete();
            ProvePaired(hop, jump);
            foreach (var end in new[] { hop, jump })
            {
                end.SendBufferSize = BufferSize;
                end.ReceiveBufferSize = BufferSize;
            }

            return (hop, jump);
        }
        catch
        {
            hop?.Dispose();
            jump?.Dispose();
            throw;
        }
        finally
        {
            if (Directory.Exists(directory.FullName))
            {
                directory.Delete(recursive: true);
            }
        }
    }

    /// <summary>
    /// Opens a direct-tcpip channel to <paramref name="host"/>:<paramref name="port"/> on the session of
    /// <paramref name="forward"/> (a forward added to the jump, whose session may be ParamikoJump's window and pump
    /// proxy) and serves <paramref name="socket"/> into it, as SSH.NET's <c>ForwardedPortLocal</c> serves an accepted
    /// connection: open, bind, dispose; stopping <paramref name="forward"/> closes it. Blocks until the jump answers
    /// the open, and, without the pump, for the connection's whole life. A refused open closes the socket.
    /// </summary>
    public static void ServeThroughJump(ForwardedPort forward, string host, uint port, Socket socket)
    {
        var session = PortSession!.GetValue(forward) ?? throw new InvalidOperationException("The jump's forward has no session.");
        var channel = (IDisposable)Reflected.Call(CreateChannel!, session, null)!;
        try
        {
            Reflected.Call(OpenChannel!, channel, [host, port, forward, socket]);
            Reflected.Call(BindChannel!, channel, null);
        }
        finally
        {
            channel.Dispose();
        }
    }

    /// <summary>Whether SSH.NET has every member <see cref="ServeThroughJump"/> uses.</summary>
    internal static bool CanServe => SshNetSeams.DirectTcpip.IsAvailable;

    private static string? Probe()
    {
        if (!Socket.OSSupportsUnixDomainSockets)
        {
            return "this platform has no Unix domain sockets";
        }

        if (!CanServe)
        {
            return $"SSH.NET {typeof(Session).Assembly.GetName().Version} moved the direct-tcpip channel members ParamikoJump uses";
        }

        try
        {
            var (hop, jump) = CreatePair();
            using (hop)
            using (jump)
            {
                return jump.RemoteEndPoint is IPEndPoint ? null : "the channel's end of a socket pair does not report an IP endpoint";
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return $"a private socket pair could not be made ({ex.GetType().Name}: {ex.Message})";
        }
    }

    /// <summary>The connect and the accept must be the two ends of one connection, not a stranger's.</summary>
    private static void ProvePaired(Socket hop, Socket jump)
    {
        Span<byte> sent = stackalloc byte[NonceLength];
        Span<byte> received = stackalloc byte[NonceLength];
        RandomNumberGenerator.Fill(sent);
        hop.Send(sent);
        var total = 0;
        jump.ReceiveTimeout = 5_000;
        while (total < NonceLength)
        {
            var read = jump.Receive(received[total..]);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        jump.ReceiveTimeout = 0;
        if (total != NonceLength || !sent.SequenceEqual(received))
        {
            throw new IOException("The private socket pair's ends did not prove to be one connection.");
        }
    }

    /// <summary>
    /// A Unix socket path that, as the listener's endpoint, makes every socket it accepts report
    /// <see cref="Originator"/> as its remote end (<see cref="Socket.Accept"/> builds that from the listener's endpoint
    /// through <see cref="Create"/>): SSH.NET's channel reads it as the originator.
    /// </summary>
    private sealed class AnnouncedEndPoint(UnixDomainSocketEndPoint path) : EndPoint
    {
        public override AddressFamily AddressFamily => AddressFamily.Unix;

        public override SocketAddress Serialize() => path.Serialize();

        public override EndPoint Create(SocketAddress socketAddress) => Originator;

        public override string ToString() => path.ToString();
    }
}
#endif
