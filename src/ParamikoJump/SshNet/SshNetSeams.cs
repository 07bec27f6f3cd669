using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Sockets;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages;
using Renci.SshNet.Messages.Connection;

namespace ParamikoJump.SshNet;

/// <summary>
/// Every place ParamikoJump reaches past SSH.NET's public API, one row each: the members reached (resolved here and
/// nowhere else), the version they were read from, and what ParamikoJump does when an SSH.NET upgrade moves them. The
/// files of this folder take their members from these rows; a row that does not resolve logs its fallback once per
/// process (<see cref="Seam.IsAvailableOrWarn"/>, at each hop's setup). SshNetSeamsTableTests pins every row against the
/// SSH.NET assembly the build references and shows that each lookup can fail; README's "Seams" table is checked
/// against <see cref="All"/>.
/// </summary>
internal static class SshNetSeams
{
    /// <summary>The SSH.NET version every row was read from (Directory.Packages.props).</summary>
    public const string PinnedVersion = "SSH.NET 2026.0.0";

    private const string ISession = "Renci.SshNet.ISession";
    private const string Channel = "Renci.SshNet.Channels.Channel";
    private const string IChannelDirectTcpip = "Renci.SshNet.Channels.IChannelDirectTcpip";

    /// <summary>The SSH.NET version this process loaded.</summary>
    public static readonly string VersionFound = typeof(Session).Assembly.GetName().Version?.ToString() ?? "unknown";

    public static readonly Seam<PropertyInfo?> ClientSession = new(
        "the client's session",
        "errors lose the jump's own reason, a forward is not rebuilt after its jump reconnects, and dead-peer detection is off",
        l => l.Property(typeof(BaseClient), "Session", l.Type(ISession), settable: true));

    public static readonly Seam<Action<Session, Message>?> SendMessage = new(
        "sending a message of our choosing",
        "dead-peer detection off (keep-alive is SSH.NET's SSH_MSG_IGNORE), no IGNORE nudge against delayed ACKs, no agent forwarding",
        l =>
        {
            var method = l.Method(typeof(Session), "SendMessage", [typeof(Message)], typeof(void));
            var call = method is null ? null : Delegate.CreateDelegate(typeof(Action<Session, Message>), method, throwOnBindFailure: false) as Action<Session, Message>;
            l.Require(call is not null, "Session.SendMessage(Message) does not bind as an instance call");
            return call;
        });

    public static readonly Seam<ConstructorInfo?> GlobalRequest = new(
        "keep-alive requests",
        "dead-peer detection off (keep-alive is SSH.NET's SSH_MSG_IGNORE, which asks for no answer)",
        l => l.Constructor(typeof(GlobalRequestMessage), [typeof(byte[]), typeof(bool)]));

    public static readonly Seam<FieldInfo?> SessionSocket = new(
        "the session's socket",
        "a hop declared dead is disconnected instead of cut, which can wait on a send to the dead peer",
        l => l.Field(typeof(Session), "_socket", typeof(Socket)));

    public static readonly Seam<(PropertyInfo? Output, PropertyInfo? ExtendedOutput)> CommandOutput = new(
        "a command's output streams",
        "command output is read from SSH.NET's own streams: unbounded, and without a real ReadAsync",
        l => (l.Property(typeof(SshCommand), nameof(SshCommand.OutputStream), typeof(Stream), settable: true),
              l.Property(typeof(SshCommand), nameof(SshCommand.ExtendedOutputStream), typeof(Stream), settable: true)));

    public static readonly Seam<(Type? InputStream, FieldInfo? Channel, MethodInfo? SendEof, PropertyInfo? IsOpen, FieldInfo? MessagingLock)> CommandEof = new(
        "EOF on a command's stdin",
        "an unused stdin is closed without EOF, as in SSH.NET, and a used one as SSH.NET closes it (its EOF can cross the channel's close)",
        l =>
        {
            var stream = l.Type("Renci.SshNet.Common.ChannelInputStream");
            var channel = l.Field(stream, "_channel");
            return (stream, channel, l.Method(channel?.FieldType, "SendEof", Type.EmptyTypes, onInterfaces: true),
                    l.Property(channel?.FieldType, "IsOpen", typeof(bool), onInterfaces: true),
                    l.Field(l.Type(Channel), "_messagingLock"));
        });

    public static readonly Seam<(FieldInfo? Channel, PropertyInfo? LocalNumber)> CommandChannelNumber = new(
        "a command's channel number",
        "a command counts as running until its exit status or its close arrives, so one disposed while running no longer holds back the next command's start",
        l =>
        {
            var channel = l.Field(typeof(SshCommand), "_channel");
            return (channel, l.Property(channel?.FieldType, "LocalChannelNumber", typeof(uint), onInterfaces: true));
        });

    public static readonly Seam<AgentMembers> AgentChannelOpens = new(
        "agent channel opens",
        "agent forwarding off: commands run without it",
        l =>
        {
            var factory = l.Field(typeof(Session), "_sshMessageFactory");
            var enabled = l.Field(factory?.FieldType, "_enabledMessagesByNumber");
            var activated = l.Field(factory?.FieldType, "_activatedMessagesById", typeof(bool[]));
            var newKeys = l.Event(typeof(Session), "NewKeysReceived", typeof(EventHandler<MessageEventArgs<Renci.SshNet.Messages.Transport.NewKeysMessage>>));
            var metadata = l.NestedType(factory?.FieldType, "MessageMetadata`1");
            var closed = metadata?.IsGenericTypeDefinition == true ? metadata.MakeGenericType(typeof(SshNet.AgentChannelOpens.AgentAwareChannelOpenMessage)) : null;
            var constructor = l.Constructor(closed, [typeof(byte), typeof(string), typeof(byte)]);
            l.Require(closed?.BaseType is { } entry && enabled?.FieldType == entry.MakeArrayType(), "_enabledMessagesByNumber is not an array of MessageMetadata");
            return new AgentMembers(factory, enabled, activated, newKeys, constructor);
        });

    public static readonly Seam<(Type? Flags, MethodInfo? Upload)> SftpAppend = new(
        "SFTP append upload",
        "a resumed upload appends through the public stream, one write at a time (slower)",
        l =>
        {
            var flags = l.Type("Renci.SshNet.Sftp.Flags");
            return (flags, l.Method(
                typeof(SftpClient),
                "InternalUploadFile",
                [typeof(Stream), typeof(string), flags, typeof(Renci.SshNet.Sftp.SftpUploadAsyncResult), typeof(IProgress<UploadFileProgressReport>), typeof(bool), typeof(CancellationToken)],
                typeof(Task)));
        });

    public static readonly Seam<PropertyInfo?> GlobalLoggerFactory = new(
        "SSH.NET's global logger factory",
        "ParamikoJump logs nothing unless a LoggerFactory is given per connection",
        l => l.Property(typeof(SshNetLoggingConfiguration), "LoggerFactory", typeof(ILoggerFactory), isStatic: true));

    public static readonly Seam<WindowMembers> ChannelWindow = new(
        "bounded channel windows",
        "SSH.NET's own unbounded window (int.MaxValue): servers buffer what a slow reader has not taken",
        l =>
        {
            var channel = l.Type(Channel);
            var session = l.Type(ISession);
            var initial = l.Field(channel, "_initialWindowSize", typeof(uint));
            var local = l.Property(channel, "LocalWindowSize", typeof(uint), settable: true);
            l.Method(session, "CreateChannelSession", Type.EmptyTypes);
            l.Method(session, "CreateChannelDirectTcpip", Type.EmptyTypes);
            return new WindowMembers(channel, session, initial, local);
        });

    public static readonly Seam<PropertyInfo?> ForwardSession = new(
        "a forward's session",
        "a hop's forward on a plain SSH.NET jump keeps SSH.NET's window and pins a pool thread per connection",
        l => l.Property(typeof(ForwardedPort), "Session", l.Type(ISession), settable: true));

    public static readonly Seam<(FieldInfo? Channel, MethodInfo? SendEnvironment, MethodInfo? SendPty)> ChannelRequests = new(
        "requests before exec (env, pty-req)",
        "a command that asks for variables or a terminal is refused with NotSupportedException",
        l =>
        {
            var channel = l.Field(typeof(SshCommand), "_channel");
            l.Require(channel?.FieldType.IsInterface == true, "SshCommand._channel is not an interface");
            var env = l.Method(channel?.FieldType, "SendEnvironmentVariableRequest", [typeof(string), typeof(string)], typeof(bool));
            var pty = l.Method(channel?.FieldType, "SendPseudoTerminalRequest", [typeof(string), typeof(uint), typeof(uint), typeof(uint), typeof(uint), typeof(IDictionary<TerminalModes, uint>)], typeof(bool));
            return (channel, env, pty);
        });

#if NET8_0_OR_GREATER
    public static readonly Seam<PropertyInfo?> InlineSocketEvents = new(
        "socket events handled inline",
        "the thread pool handles each socket readiness event (more CPU per byte moved)",
        l => l.Property(typeof(Socket), "PreferInlineCompletions", typeof(bool), settable: true),
        pinnedTo: ".NET 8 and later");

    public static readonly Seam<(FieldInfo? Factory, Type? ServiceFactory, Type? SocketFactory)> ServiceFactory = new(
        "the client's service factory",
        "the hop never sees its socket: a stage budget cannot cut a connect, channel windows stay SSH.NET's, and the private transport is unavailable: TCP fallback",
        l =>
        {
            var services = l.Type("Renci.SshNet.IServiceFactory");
            var sockets = l.Type("Renci.SshNet.Connection.ISocketFactory");
            var field = l.Field(typeof(BaseClient), "_serviceFactory", services);
            l.Method(sockets, "Create");
            return (field, services, sockets);
        });

    public static readonly Seam<(Type? Connector, ConstructorInfo? Session)> Connector = new(
        "the session's connector",
        "private transport unavailable: TCP fallback (hops behind a jump ride a loopback TCP forward)",
        l =>
        {
            var services = l.Type("Renci.SshNet.IServiceFactory");
            var sockets = l.Type("Renci.SshNet.Connection.ISocketFactory");
            var connector = l.Type("Renci.SshNet.Connection.IConnector");
            var session = l.Type(ISession);
            l.Method(services, "CreateConnector", null, connector);
            l.Method(services, "CreateSession", [typeof(ConnectionInfo), sockets], session);
            l.Require(session?.IsAssignableFrom(typeof(Session)) == true, "Session does not implement ISession");
            l.Method(connector, "Connect", null, typeof(Socket));
            l.Method(connector, "ConnectAsync", null, typeof(Task<Socket>));
            return (connector, l.Constructor(typeof(Session), [typeof(ConnectionInfo), services, sockets]));
        });

    public static readonly Seam<(MethodInfo? Create, MethodInfo? Open, MethodInfo? Bind, PropertyInfo? PortSession)> DirectTcpip = new(
        "a direct-tcpip channel served from a socket",
        "private transport unavailable: TCP fallback (hops behind a jump ride a loopback TCP forward)",
        l =>
        {
            var session = l.Type(ISession);
            var contract = l.Type(IChannelDirectTcpip);
            var forwardedPort = l.Type("Renci.SshNet.IForwardedPort");
            l.Require(forwardedPort?.IsAssignableFrom(typeof(ForwardedPort)) == true, "ForwardedPort does not implement IForwardedPort");
            return (l.Method(session, "CreateChannelDirectTcpip", Type.EmptyTypes),
                    l.Method(contract, "Open", [typeof(string), typeof(uint), forwardedPort, typeof(Socket)]),
                    l.Method(contract, "Bind", Type.EmptyTypes),
                    l.Property(typeof(ForwardedPort), "Session", session));
        });

    public static readonly Seam<(Type? Contract, Type? Channel, MethodInfo? SendData, PropertyInfo? IsOpen, PropertyInfo? RemotePacketSize)> TunnelPump = new(
        "a forward pumped without a thread",
        "each connection of a hop's forward pins a pool thread (SSH.NET's blocking Bind)",
        l =>
        {
            var contract = l.Type(IChannelDirectTcpip);
            var channel = l.Type(Channel);
            l.Method(contract, "Bind", Type.EmptyTypes);
            l.Method(contract, "Open");
            return (contract, channel, l.Method(channel, "SendData", [typeof(byte[]), typeof(int), typeof(int)]),
                    l.Property(channel, "IsOpen", typeof(bool)),
                    l.Property(channel, "RemotePacketSize", typeof(uint)));
        });

    public static readonly Seam<FlowMembers> ChannelFlow = new(
        "consumer-driven flow control",
        "flow control off: the window is re-opened on receipt, and a stalled forward reader can freeze its session",
        l =>
        {
            var channel = l.Type(Channel);
            var session = l.Type(ISession);
            var message = l.Type("Renci.SshNet.Messages.Message");
            var data = l.Type("Renci.SshNet.Messages.Connection.ChannelDataMessage");
            var channelMessage = l.Type("Renci.SshNet.Messages.Connection.ChannelMessage");
            var extended = l.Type("Renci.SshNet.Messages.Connection.ChannelExtendedDataMessage");
            var adjust = l.Constructor(l.Type("Renci.SshNet.Messages.Connection.ChannelWindowAdjustMessage"), [typeof(uint), typeof(uint)]);
            var handlers = new Dictionary<string, MethodInfo?>();
            foreach (var name in new[] { "OnChannelData", "OnChannelExtendedData", "OnChannelEof", "OnChannelClose" })
            {
                handlers[name] = l.Method(channel, name);
            }

            var events = new Dictionary<string, EventInfo?>();
            foreach (var name in new[] { "ChannelDataReceived", "ChannelExtendedDataReceived", "ChannelEofReceived", "ChannelCloseReceived" })
            {
                events[name] = l.Event(session, name);
            }

            // SCP's channel is read through the pipe the factory makes; FlowPipe takes its place.
            l.Method(l.Type("Renci.SshNet.IServiceFactory"), "CreatePipeStream", null, typeof(Renci.SshNet.Common.PipeStream));
            var directTcpip = l.Type("Renci.SshNet.Channels.ChannelDirectTcpip");
            l.Field(directTcpip, "_socket", typeof(Socket));
            l.Field(directTcpip, "_forwardedPort");
            return new FlowMembers(
                Session: l.Field(channel, "_session"),
                MessagingLock: l.Field(channel, "_messagingLock"),
                CloseSent: l.Field(channel, "_closeMessageSent", typeof(bool)),
                CloseReceived: l.Field(channel, "_closeMessageReceived", typeof(bool)),
                LocalNumber: l.Property(channel, "LocalChannelNumber", typeof(uint)),
                RemoteNumber: l.Property(channel, "RemoteChannelNumber", typeof(uint)),
                LocalWindow: l.Property(channel, "LocalWindowSize", settable: true),
                IsOpen: l.Property(channel, "IsOpen", typeof(bool)),
                MessageNumber: l.Property(channelMessage, "LocalChannelNumber"),
                DataArray: l.Property(data, "Data"),
                DataOffset: l.Property(data, "Offset"),
                DataSize: l.Property(data, "Size"),
                ExtendedDataArray: l.Property(extended, "Data"),
                AdjustMessage: adjust,
                TrySend: l.Method(session, "TrySendMessage", [message]),
                RaiseForwardException: l.Method(typeof(ForwardedPort), "RaiseExceptionEvent", [typeof(Exception)]),
                RaiseChannelException: l.Method(channel, "OnChannelException", [typeof(Exception)]),
                Handlers: handlers,
                Events: events,
                SubsystemSession: l.Type("Renci.SshNet.SubsystemSession"),
                SftpSession: l.Type("Renci.SshNet.Sftp.SftpSession"));
        });

    public static readonly Seam<AwaitedStartMembers> AwaitedCommandStart = new(
        "a command started without a waiting thread",
        "ExecCommandAsync opens the channel and sends the exec request on the calling thread, which waits for both answers",
        l =>
        {
            var field = l.Field(typeof(SshCommand), "_channel");
            l.Require(field?.FieldType.IsInterface == true, "SshCommand._channel is not an interface");
            l.Method(field?.FieldType, "SendExecRequest", [typeof(string)], typeof(bool));
            var session = l.Type("Renci.SshNet.Channels.ChannelSession");
            var channel = l.Type(Channel);
            return new AwaitedStartMembers(
                Command: field,
                ChannelSession: session,
                SemaphoreObtained: l.Field(session, "_sessionSemaphoreObtained", typeof(int)),
                ReleaseSemaphore: l.Method(session, "ReleaseSemaphore", Type.EmptyTypes),
                LocalNumber: l.Property(channel, "LocalChannelNumber", typeof(uint)),
                LocalWindow: l.Property(channel, "LocalWindowSize", typeof(uint)),
                LocalPacket: l.Property(channel, "LocalPacketSize", typeof(uint)),
                RemoteNumber: l.Property(channel, "RemoteChannelNumber", typeof(uint)),
                IsOpen: l.Property(channel, "IsOpen", typeof(bool)));
        });

    public static readonly Seam<(FieldInfo? Channel, Type? SshNetChannel, PropertyInfo? RemoteWindow, PropertyInfo? LocalNumber)> AwaitedStdin = new(
        "stdin written without a waiting thread",
        "a command's Stdin.WriteAsync blocks a pool thread while the server's window is shut (Stream's default)",
        l =>
        {
            var stream = l.Type("Renci.SshNet.Common.ChannelInputStream");
            var channel = l.Type(Channel);
            return (l.Field(stream, "_channel"), channel,
                    l.Property(channel, "RemoteWindowSize", typeof(uint)),
                    l.Property(channel, "LocalChannelNumber", typeof(uint)));
        });

    public static readonly Seam<FieldInfo?> ShellWatch = new(
        "watching a shell's reads",
        "a shell's window is re-opened as SSH.NET receives, not as the shell stream is read",
        l =>
        {
            var field = l.Field(l.Type(Channel), "DataReceived");
            l.Require(typeof(Delegate).IsAssignableFrom(field?.FieldType), "Channel.DataReceived is not a field-like event");
            return field;
        });
#endif

    /// <summary>Every row, in the order of README's table.</summary>
    public static IReadOnlyList<Seam> All { get; } =
    [
        ClientSession, SendMessage, GlobalRequest, SessionSocket,
#if NET8_0_OR_GREATER
        InlineSocketEvents, ServiceFactory, Connector, DirectTcpip,
#endif
        ChannelWindow, ForwardSession,
#if NET8_0_OR_GREATER
        ChannelFlow, ShellWatch, TunnelPump,
#endif
        CommandOutput, CommandEof, CommandChannelNumber, ChannelRequests,
#if NET8_0_OR_GREATER
        AwaitedCommandStart, AwaitedStdin,
#endif
        AgentChannelOpens, SftpAppend, GlobalLoggerFactory,
    ];

    /// <summary>Logs, once per process, each row whose fallback is in force in this process.</summary>
    public static void WarnOfFallbacks(ILogger logger)
    {
        foreach (var seam in All)
        {
            seam.IsAvailableOrWarn(logger);
        }
    }

    internal sealed record AgentMembers(FieldInfo? Factory, FieldInfo? Enabled, FieldInfo? Activated, EventInfo? NewKeys, ConstructorInfo? Metadata);

    internal sealed record AwaitedStartMembers(
        FieldInfo? Command,
        Type? ChannelSession,
        FieldInfo? SemaphoreObtained,
        MethodInfo? ReleaseSemaphore,
        PropertyInfo? LocalNumber,
        PropertyInfo? LocalWindow,
        PropertyInfo? LocalPacket,
        PropertyInfo? RemoteNumber,
        PropertyInfo? IsOpen);

    internal sealed record WindowMembers(Type? Channel, Type? SessionContract, FieldInfo? InitialWindow, PropertyInfo? LocalWindow);

#if NET8_0_OR_GREATER
    internal sealed record FlowMembers(
        FieldInfo? Session,
        FieldInfo? MessagingLock,
        FieldInfo? CloseSent,
        FieldInfo? CloseReceived,
        PropertyInfo? LocalNumber,
        PropertyInfo? RemoteNumber,
        PropertyInfo? LocalWindow,
        PropertyInfo? IsOpen,
        PropertyInfo? MessageNumber,
        PropertyInfo? DataArray,
        PropertyInfo? DataOffset,
        PropertyInfo? DataSize,
        PropertyInfo? ExtendedDataArray,
        ConstructorInfo? AdjustMessage,
        MethodInfo? TrySend,
        MethodInfo? RaiseForwardException,
        MethodInfo? RaiseChannelException,
        IReadOnlyDictionary<string, MethodInfo?> Handlers,
        IReadOnlyDictionary<string, EventInfo?> Events,
        Type? SubsystemSession,
        Type? SftpSession);
#endif
}
