using System;
using System.Net.Sockets;
using System.Reflection;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace ParamikoJump.SshNet;

/// <summary>
/// The socket of each connect attempt. SSH.NET creates it through an internal service factory and never shows it;
/// on .NET 8 and later a <c>DispatchProxy</c> is put in front of the client's factory (the private field
/// <c>BaseClient._serviceFactory</c>, interfaces <c>IServiceFactory</c> and <c>ISocketFactory</c>) and every call is
/// passed through unchanged, except that the hop is handed each socket SSH.NET creates.
/// </summary>
/// <remarks>
/// The hop uses the socket to bind a jumped hop's connection to loopback before SSH.NET connects it, so its forward
/// knows which connection is its own session's, and to cut a connect attempt that runs past a stage's budget
/// (SSH.NET reads a trickled banner one byte per wait). Fallback, on .NET Framework or when an SSH.NET upgrade
/// breaks the seam (pinned by SshNetSeamTests): the forward serves exactly one connection while its hop connects,
/// and before the banner only SSH.NET's own per-wait timeouts apply.
/// </remarks>
internal static class Transport
{
    /// <summary>Starts watching the sockets (and pipe streams) of <paramref name="client"/>; false when the seam is not available here.</summary>
    public static bool TryWatch(BaseClient client, Action<Socket> onSocketCreated, Action<PipeStream>? onPipeCreated = null)
    {
#if NET8_0_OR_GREATER
        return Interceptor.TryInstall(client, onSocketCreated, onPipeCreated);
#else
        return false;
#endif
    }

    /// <summary>
    /// Shuts a connected socket down both ways, waking a receive or a send blocked on it, or closes one still
    /// connecting, which ends the connect; never throws.
    /// </summary>
    public static void Cut(Socket socket)
    {
        try
        {
            if (socket.Connected)
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            else
            {
                socket.Dispose();
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed: nothing is waiting on it.
        }
    }

#if NET8_0_OR_GREATER
    /// <summary>Passes every call to SSH.NET's own factory; hands out the sockets it creates.</summary>
    internal class Interceptor : DispatchProxy
    {
        private static readonly FieldInfo? FactoryField = typeof(BaseClient).GetField("_serviceFactory", BindingFlags.Instance | BindingFlags.NonPublic);
        private static readonly Type? ServiceFactoryType = typeof(BaseClient).Assembly.GetType("Renci.SshNet.IServiceFactory");
        private static readonly Type? SocketFactoryType = typeof(BaseClient).Assembly.GetType("Renci.SshNet.Connection.ISocketFactory");

        private object _target = null!;
        private Action<Socket> _onSocketCreated = null!;
        private Action<PipeStream>? _onPipeCreated;

        public static bool IsAvailable => FactoryField is not null && ServiceFactoryType is not null && SocketFactoryType is not null &&
            FactoryField.FieldType == ServiceFactoryType && SocketFactoryType.GetMethod("Create") is not null;

        public static bool TryInstall(BaseClient client, Action<Socket> onSocketCreated, Action<PipeStream>? onPipeCreated)
        {
            if (!IsAvailable || FactoryField!.GetValue(client) is not { } original)
            {
                return false;
            }

            FactoryField.SetValue(client, Wrap(ServiceFactoryType!, original, onSocketCreated, onPipeCreated));
            return true;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            object? result;
            try
            {
                result = targetMethod!.Invoke(_target, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw;
            }

            if (result is Socket socket)
            {
                _onSocketCreated(socket);
            }
            else if (result is PipeStream pipe)
            {
                _onPipeCreated?.Invoke(pipe);
            }
            else if (result is not null && targetMethod.ReturnType == SocketFactoryType)
            {
                result = Wrap(SocketFactoryType!, result, _onSocketCreated, null);
            }

            return result;
        }

        private static Interceptor Wrap(Type contract, object target, Action<Socket> onSocketCreated, Action<PipeStream>? onPipeCreated)
        {
            var proxy = (Interceptor)Create(contract, typeof(Interceptor));
            proxy._target = target;
            proxy._onSocketCreated = onSocketCreated;
            proxy._onPipeCreated = onPipeCreated;
            return proxy;
        }
    }
#endif
}
