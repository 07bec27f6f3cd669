using System;
using System.Net.Sockets;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace ParamikoJump.SshNet;

/// <summary>
/// The socket of each connect attempt. SSH.NET creates it through an internal service factory and never shows it;
/// on .NET 8 and later a <c>DispatchProxy</c> is put in front of the client's factory (the private field
/// <c>BaseClient._serviceFactory</c>, interfaces <c>IServiceFactory</c> and <c>ISocketFactory</c>) and every call is
/// passed through unchanged, except that the hop is handed each socket SSH.NET creates and, for a hop behind a jump,
/// SSH.NET's connector is replaced by one that returns the hop's end of its <c>SshNet.PrivateTransport</c>.
/// </summary>
/// <remarks>
/// SSH.NET's <c>ServiceFactory.CreateSession</c> gives the new <c>Session</c> the factory itself, not the proxy, so to
/// be asked for the connector the proxy builds the session with SSH.NET's own internal constructor
/// <c>Session(ConnectionInfo, IServiceFactory, ISocketFactory)</c>, passing itself. The hop uses the socket to cut a
/// connect attempt that runs past a stage's budget (SSH.NET reads a trickled banner one byte per wait) and, on the TCP
/// fallback, to bind the hop's connection to loopback before SSH.NET connects it, so its forward knows which
/// connection is its own session's. Fallback, on .NET Framework or when an SSH.NET upgrade breaks the seam (rows of
/// <see cref="SshNetSeams"/>): the hop rides the loopback TCP forward (<c>JumpTunnel</c>), and before the banner only SSH.NET's
/// own per-wait timeouts apply.
/// </remarks>
internal static class Transport
{
#if NET8_0_OR_GREATER
    private static readonly PropertyInfo? PreferInlineCompletions = SshNetSeams.InlineSocketEvents.IsAvailable ? SshNetSeams.InlineSocketEvents.Members : null;
#endif

    /// <summary>Whether a client's connect can be handed a socket of ParamikoJump's own instead of dialling (see <see cref="TryWatch"/>).</summary>
    public static bool CanDial =>
#if NET8_0_OR_GREATER
        Interceptor.CanDial;
#else
        false;
#endif

    /// <summary>
    /// Starts watching the sockets (and pipe streams) of <paramref name="client"/>, and puts each session it creates
    /// behind <see cref="ChannelWindows"/> with <paramref name="channelWindow"/> (null: SSH.NET's own window) and, with
    /// <paramref name="flow"/>, <c>ChannelFlow</c> (.NET 8 and later) on its channels; false
    /// when the seam is not available here. With <paramref name="dial"/> (only where <see cref="CanDial"/>), every
    /// connect of the client takes its connected socket from <paramref name="dial"/> instead of dialling
    /// <see cref="ConnectionInfo.Host"/>; that socket is handed to <paramref name="onSocketCreated"/> too. A server that
    /// sends past a flow-controlled channel's window gets the error <paramref name="windowViolated"/> makes.
    /// </summary>
    public static bool TryWatch(BaseClient client, Action<Socket> onSocketCreated, Action<PipeStream>? onPipeCreated = null, uint? channelWindow = null, Func<Socket>? dial = null, bool flow = true, WindowViolationReport? windowViolated = null)
    {
        if (dial is not null && !CanDial)
        {
            throw new InvalidOperationException("SSH.NET's connector cannot be replaced here.");
        }

#if NET8_0_OR_GREATER
        return Interceptor.TryInstall(client, onSocketCreated, onPipeCreated, channelWindow, dial, flow, windowViolated);
#else
        return false;
#endif
    }

    /// <summary>
    /// After connect, has .NET handle the readiness events of a session's socket on its socket event thread instead of
    /// queuing each to the thread pool; false when the runtime lacks the switch. Why: SSH.NET connects with
    /// <c>SocketAsyncEventArgs</c>, which turns the socket non-blocking for good, so each blocking Receive/Send that
    /// SSH.NET makes after that is emulated by .NET on top of epoll. An epoll event that arrives while no Receive is
    /// waiting (the session's thread is busy decrypting, which is most of the time in a bulk transfer) is queued to the
    /// thread pool, where a worker wakes up to find nothing to do and spins before it sleeps again; handled inline such
    /// an event costs a counter increment (client CPU and pool work items: benchmarks/README.md, section 4).
    /// </summary>
    /// <remarks>
    /// The switch is <c>Socket.PreferInlineCompletions</c>, internal to System.Net.Sockets (what
    /// DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 sets for every socket of a process; kept for reflection by
    /// the runtime's own <c>DynamicDependency</c>). It is safe only because after connect SSH.NET 2026.0.0 makes no
    /// asynchronous call on the session's socket (<c>Session.MessageListener</c> and <c>SendPacket</c> are blocking
    /// calls), so no continuation of anyone's can end up running on the event thread. A process-wide setting would
    /// not be: SSH.NET's forwards accept asynchronously and then block on the completing thread. Pinned by
    /// a row of <see cref="SshNetSeams"/>; without it, the pool does the extra work, as before.
    /// </remarks>
    public static bool TryHandleReadinessInline(Socket socket)
    {
#if NET8_0_OR_GREATER
        if (PreferInlineCompletions is null)
        {
            return false;
        }

        try
        {
            PreferInlineCompletions.SetValue(socket, true);
            return true;
        }
        catch (TargetInvocationException)
        {
            return false;
        }
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
    /// <summary>Passes every call to SSH.NET's own factory; hands out the sockets it creates, and dials with ours if asked to.</summary>
    internal class Interceptor : DispatchProxy
    {
        private static readonly FieldInfo? FactoryField = SshNetSeams.ServiceFactory.Members.Factory;
        private static readonly Type? ServiceFactoryType = SshNetSeams.ServiceFactory.Members.ServiceFactory;
        private static readonly Type? SocketFactoryType = SshNetSeams.ServiceFactory.Members.SocketFactory;
        private static readonly Type? ConnectorType = SshNetSeams.Connector.Members.Connector;
        private static readonly ConstructorInfo? SessionConstructor = SshNetSeams.Connector.Members.Session;

        private object _target = null!;
        private Action<Socket> _onSocketCreated = null!;
        private Action<PipeStream>? _onPipeCreated;
        private uint? _channelWindow;
        private bool _flow;
        private WindowViolationReport? _windowViolated;
        private Func<Socket>? _dial;
        private bool _pipesDriveWindows;

        public static bool IsAvailable => SshNetSeams.ServiceFactory.IsAvailable;

        /// <summary>Whether SSH.NET's session can be built to ask this proxy for its connector, and the connector replaced.</summary>
        public static bool CanDial => IsAvailable && SshNetSeams.Connector.IsAvailable;

        public static bool TryInstall(BaseClient client, Action<Socket> onSocketCreated, Action<PipeStream>? onPipeCreated, uint? channelWindow, Func<Socket>? dial, bool flow, WindowViolationReport? windowViolated)
        {
            if (!IsAvailable || FactoryField!.GetValue(client) is not { } original)
            {
                return false;
            }

            var proxy = Wrap(ServiceFactoryType!, original, onSocketCreated, onPipeCreated, channelWindow);
            proxy._dial = dial;
            proxy._flow = flow;
            proxy._windowViolated = windowViolated;

            // SCP reads its channel through a pipe the factory makes: one whose reads re-open the window (FlowPipe).
            proxy._pipesDriveWindows = client is ScpClient && channelWindow is not null && flow && ChannelFlow.IsAvailable;
            FactoryField.SetValue(client, proxy);
            return true;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (_dial is not null)
            {
                switch (targetMethod.Name)
                {
                    case "CreateConnector":
                        return Dialer.Create(ConnectorType!, _dial, _onSocketCreated);
                    case "CreateSession" when args is [ConnectionInfo info, { } socketFactory]:
                        var session = Reflected.Construct(SessionConstructor!, [info, this, socketFactory]);
                        return _channelWindow is { } bound ? ChannelWindows.Wrap(session, bound, _flow, _windowViolated) : session;
                }
            }

            var result = _pipesDriveWindows && targetMethod.Name == "CreatePipeStream" && targetMethod.ReturnType == typeof(PipeStream)
                ? new FlowPipe(_windowViolated)
                : Reflected.Call(targetMethod, _target, args);
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
                result = Wrap(SocketFactoryType!, result, _onSocketCreated, null, null);
            }
            else if (result is not null && _channelWindow is { } window && targetMethod.Name == "CreateSession")
            {
                result = ChannelWindows.Wrap(result, window, _flow, _windowViolated);
            }

            return result;
        }

        private static Interceptor Wrap(Type contract, object target, Action<Socket> onSocketCreated, Action<PipeStream>? onPipeCreated, uint? channelWindow)
        {
            var proxy = (Interceptor)Create(contract, typeof(Interceptor));
            proxy._target = target;
            proxy._onSocketCreated = onSocketCreated;
            proxy._onPipeCreated = onPipeCreated;
            proxy._channelWindow = channelWindow;
            return proxy;
        }
    }

    /// <summary>SSH.NET's <c>IConnector</c>, answering every connect with a socket that <c>dial</c> has already connected.</summary>
    internal class Dialer : DispatchProxy
    {
        private Func<Socket> _dial = null!;
        private Action<Socket> _onSocketCreated = null!;

        public static object Create(Type contract, Func<Socket> dial, Action<Socket> onSocketCreated)
        {
            var proxy = (Dialer)Create(contract, typeof(Dialer));
            proxy._dial = dial;
            proxy._onSocketCreated = onSocketCreated;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            switch (targetMethod?.Name)
            {
                case "Connect":
                    return Dial();
                case "ConnectAsync":
                    try
                    {
                        if (args is [_, CancellationToken token])
                        {
                            token.ThrowIfCancellationRequested();
                        }

                        return Task.FromResult(Dial());
                    }
                    catch (Exception ex)
                    {
                        return Task.FromException<Socket>(ex);
                    }

                default:
                    throw new NotSupportedException($"IConnector.{targetMethod?.Name} is not known to ParamikoJump.");
            }
        }

        private Socket Dial()
        {
            var socket = _dial();
            _onSocketCreated(socket);
            return socket;
        }
    }
#endif
}
