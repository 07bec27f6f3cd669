using System;
using System.IO;
using System.IO.Pipes;
using System.Net.Sockets;
#if !NET8_0_OR_GREATER
using System.Net;
using System.Text;
#endif

namespace ParamikoJump.Keys.Agent;

/// <summary>
/// Opens a stream to an ssh-agent: a Unix domain socket (OpenSSH, and Windows 10+ AF_UNIX), or a Windows named pipe
/// written <c>\\.\pipe\NAME</c> (OpenSSH for Windows' agent listens on <c>\\.\pipe\openssh-ssh-agent</c>).
/// </summary>
internal static class AgentSocket
{
    /// <summary>Where OpenSSH for Windows' ssh-agent service listens, used on Windows when SSH_AUTH_SOCK is not set.</summary>
    public const string WindowsOpenSshAgentPipe = @"\\.\pipe\openssh-ssh-agent";

    private const string PipePrefix = @"\\.\pipe\";

    /// <summary>The pipe name of a <c>\\.\pipe\NAME</c> path (either slash), or null for a socket path.</summary>
    public static string? PipeName(string path)
    {
        var normalized = path.Replace('/', '\\');
        return normalized.StartsWith(PipePrefix, StringComparison.OrdinalIgnoreCase) && normalized.Length > PipePrefix.Length
            ? normalized.Substring(PipePrefix.Length)
            : null;
    }

    /// <summary>A connection to the agent at <paramref name="path"/>: a socket path, a <c>\\.\pipe\NAME</c>, or <see cref="PageantWindow.Locator"/> (Windows only).</summary>
    public static Stream Connect(string path, TimeSpan timeout)
    {
        var milliseconds = (int)Math.Min(int.MaxValue, Math.Max(1, timeout.TotalMilliseconds));
        if (path == PageantWindow.Locator)
        {
            return System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows)
                ? new PageantWindowAgent(new PageantWindow(Win32PageantWindowMessaging.Instance, timeout))
                : throw new IOException("Pageant's window exists only on Windows");
        }

        if (PipeName(path) is { } pipeName)
        {
            if (!PipeMayExist(path))
            {
                // On Windows a client waits out its whole timeout for a pipe nobody serves: a login would wait for an
                // agent service that is not running.
                throw new IOException($"no agent is listening on the pipe {path}");
            }

            // .NET maps a pipe name to a Unix socket (CoreFxPipe_NAME in the temp directory) off Windows, so this one
            // path is what the tests run on Linux.
            var pipe = new NamedPipeClientStream(".", pipeName, PipeDirection.InOut, PipeOptions.Asynchronous);
            try
            {
                pipe.Connect(milliseconds);
                return pipe;
            }
            catch (Exception ex) when (ex is TimeoutException or UnauthorizedAccessException)
            {
                pipe.Dispose();
                throw new IOException(ex is TimeoutException ? $"no agent answered on the pipe {path} within {milliseconds} ms" : $"the pipe {path} refused this user", ex);
            }
            catch
            {
                pipe.Dispose();
                throw;
            }
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
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

    /// <summary>Whether the pipe at <paramref name="path"/> is served; true off Windows (a missing one fails at once there) and when the list cannot be read.</summary>
    public static bool PipeMayExist(string path)
    {
        if (PipeName(path) is not { } pipeName)
        {
            return false;
        }

        if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows))
        {
            return true;
        }

        try
        {
            foreach (var served in Directory.GetFiles(PipePrefix))
            {
                if (string.Equals(served, PipePrefix + pipeName, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return true;
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
