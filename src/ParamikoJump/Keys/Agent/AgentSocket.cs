using System;
using System.IO;
using System.Net.Sockets;
#if !NET8_0_OR_GREATER
using System.Net;
using System.Text;
#endif

namespace ParamikoJump.Keys.Agent;

/// <summary>Opens a stream to an ssh-agent's Unix domain socket.</summary>
internal static class AgentSocket
{
    public static Stream Connect(string path, TimeSpan timeout)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            var milliseconds = (int)Math.Min(int.MaxValue, Math.Max(1, timeout.TotalMilliseconds));
            socket.SendTimeout = milliseconds;
            socket.ReceiveTimeout = milliseconds;
            socket.Connect(EndPointFor(path));
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

#if NET8_0_OR_GREATER
    private static UnixDomainSocketEndPoint EndPointFor(string path) => new(path);
#else
    private static UnixSocketEndPoint EndPointFor(string path) => new(path);

    /// <summary>
    /// A <c>sockaddr_un</c> for netstandard2.0, which lacks UnixDomainSocketEndPoint; the runtime underneath
    /// (.NET Core, Mono, Windows 10 1803+) connects AF_UNIX sockets from the serialized address.
    /// </summary>
    private sealed class UnixSocketEndPoint : EndPoint
    {
        private const int FamilySize = 2;
        private readonly string _path;

        public UnixSocketEndPoint(string path)
        {
            _path = path;
        }

        public override AddressFamily AddressFamily => AddressFamily.Unix;

        public override SocketAddress Serialize()
        {
            var path = Encoding.UTF8.GetBytes(_path);
            var address = new SocketAddress(AddressFamily.Unix, FamilySize + path.Length + 1);
            for (var i = 0; i < path.Length; i++)
            {
                address[FamilySize + i] = path[i];
            }

            address[FamilySize + path.Length] = 0;
            return address;
        }

        public override EndPoint Create(SocketAddress socketAddress)
        {
            var length = socketAddress.Size - FamilySize;
            var path = new byte[length];
            for (var i = 0; i < length; i++)
            {
                path[i] = socketAddress[FamilySize + i];
            }

            return new UnixSocketEndPoint(Encoding.UTF8.GetString(path).TrimEnd('\0'));
        }

        public override string ToString() => _path;
    }
#endif
}
