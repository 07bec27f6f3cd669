using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ParamikoJump.SshNet;
using Renci.SshNet;
using Renci.SshNet.Messages.Connection;

namespace ParamikoJump.Tests.SshNet;

/// <summary>
/// What the seams of src/ParamikoJump/SshNet/ do with the members <see cref="SshNetSeams"/> resolves (SshNetSeamsTableTests
/// pins that each resolves): the behaviour each relies on, run against the real SSH.NET, naming the seam and the
/// SSH.NET version when an upgrade breaks it.
/// </summary>
public class SshNetSeamTests
{
    private static readonly string SshNetVersion = typeof(SshClient).Assembly.GetName().Version!.ToString();
    private static readonly TunnelPump.Hooks NoHooks = new(() => false, _ => { });

    [Fact]
    public void SessionAccess_builds_a_keep_alive_request_that_asks_for_a_reply()
    {
        var request = Assert.IsType<GlobalRequestMessage>(SessionAccess.GlobalRequest("keepalive@openssh.com", wantReply: true));
        Assert.Equal("keepalive@openssh.com", request.RequestName);
        Assert.True(request.WantReply, Broken("SessionAccess", "GlobalRequestMessage(byte[], bool) no longer sets WantReply"));
    }

    [Fact]
    public void Transport_sees_the_socket_of_each_connect_attempt()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new SshClient("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, "u", "p");
        client.ConnectionInfo.Timeout = TimeSpan.FromMilliseconds(300);
        Socket? seen = null;

        Assert.True(Transport.TryWatch(client, socket => seen = socket), Broken("Transport", "BaseClient._serviceFactory / IServiceFactory / ISocketFactory moved"));
        Assert.ThrowsAny<Exception>(client.Connect);

        Assert.True(seen is not null, Broken("Transport", "SSH.NET no longer creates its socket through ISocketFactory"));
    }

    [Fact]
    public void Transport_can_hand_SSH_NETs_connect_a_socket_of_its_own_instead_of_a_dial()
    {
        Assert.True(Transport.CanDial, Broken("Transport", "IServiceFactory.CreateConnector / IConnector / Session(ConnectionInfo, IServiceFactory, ISocketFactory) moved"));
        using var client = new SshClient("127.0.0.1", 0, "u", "p");
        client.ConnectionInfo.Timeout = TimeSpan.FromSeconds(5);
        var (hop, jump) = PrivateTransport.CreatePair();
        using var server = jump;
        server.Send("SSH-1.0-stand-in\r\n"u8);
        var dialled = 0;
        Socket? seen = null;

        Assert.True(Transport.TryWatch(client, socket => seen = socket, dial: () =>
        {
            dialled++;
            return hop;
        }));
        var error = Assert.ThrowsAny<Exception>(client.Connect);

        Assert.True(dialled == 1, Broken("Transport", $"SSH.NET's session no longer asks the client's service factory for its connector (dialled {dialled} times; {error.GetType().Name}: {error.Message})"));
        Assert.Same(hop, seen);
        Assert.IsType<Renci.SshNet.Common.SshConnectionException>(error);
        Assert.Contains("'1.0' is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PrivateTransport_pairs_two_ends_that_announce_the_originator_and_leaves_no_socket_file()
    {
        var temp = Path.GetTempPath();
        var before = Directory.GetDirectories(temp, "paramikojump-tunnel-*").Length;

        Assert.True(PrivateTransport.WhyUnavailable is null, Broken("PrivateTransport", PrivateTransport.WhyUnavailable ?? string.Empty));
        Assert.True(PrivateTransport.CanServe, Broken("PrivateTransport", "ISession.CreateChannelDirectTcpip / IChannelDirectTcpip.Open(string, uint, IForwardedPort, Socket) / Bind moved"));
        var (hop, jump) = PrivateTransport.CreatePair();
        using (hop)
        using (jump)
        {
            hop.Send("ping"u8);
            var buffer = new byte[4];
            Assert.Equal(4, jump.Receive(buffer));
            Assert.Equal("ping"u8.ToArray(), buffer);

            // SSH.NET's channel casts this to IPEndPoint and sends it to the jump as the originator, as ssh -W does.
            Assert.Equal(new IPEndPoint(IPAddress.Loopback, 65535), jump.RemoteEndPoint);
            Assert.IsType<UnixDomainSocketEndPoint>(hop.RemoteEndPoint);
        }

        Assert.Equal(before, Directory.GetDirectories(temp, "paramikojump-tunnel-*").Length);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_fresh_temporary_directory_is_the_users_alone()
    {
        // The pair's socket file lives in one while the pair is made: only this user may enter it.
        var directory = Directory.CreateTempSubdirectory("paramikojump-tunnel-");
        try
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory.FullName));
        }
        finally
        {
            directory.Delete();
        }
    }

    [Fact]
    public void CommandChannel_can_replace_a_commands_output_and_send_eof_on_its_stdin()
    {
        Assert.True(CommandChannel.CanReplaceOutput, Broken("CommandChannel", "SshCommand.OutputStream / ExtendedOutputStream have no setter"));
        Assert.True(CommandChannel.CanSendEof, Broken("CommandChannel", "ChannelInputStream._channel / IChannelSession.SendEof moved"));
    }

    [Fact]
    public void CommandChannel_reads_the_local_number_of_a_commands_channel()
    {
        // CommandStarts tells a command's exit and close from the others' by it (dropbear 2022.82-2024.85).
        Assert.True(CommandChannel.CanNumberChannels, Broken("CommandChannel", "SshCommand._channel / IChannel.LocalChannelNumber moved"));
    }

    [Fact]
    public void SessionCreationGate_stops_another_client_before_it_sends_a_byte()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var info = new ConnectionInfo("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, "u", new PasswordAuthenticationMethod("u", "p"));
        ParamikoJump.Hops.SessionCreationGate.Install(info, new HopIdentity("db.internal", 22, "u"));
        using var other = new SftpClient(info);

        var error = Assert.ThrowsAny<Exception>(other.Connect);

        Assert.True(error is ParamikoJumpException, Broken("SessionCreationGate", $"Session's constructor no longer asks ConnectionInfo.LoggerFactory for its logger (got {error.GetType().Name}: {error.Message})"));
        Assert.Contains("SftpJumpClient", error.Message, StringComparison.Ordinal);
        Assert.False(listener.Pending(), "the other client reached the server");
    }

    [Fact]
    public void SshNetLogging_reads_the_factory_given_to_SSH_NET()
    {
        var factory = new Moq.Mock<ILoggerFactory>().Object;
        SshNetLoggingConfiguration.InitializeLogging(factory);
        try
        {
            Assert.True(ReferenceEquals(factory, ParamikoJump.Logging.SshNetLogging.Global), Broken("SshNetLogging", "SshNetLoggingConfiguration.LoggerFactory is gone"));
        }
        finally
        {
            SshNetLoggingConfiguration.InitializeLogging(NullLoggerFactory.Instance);
        }
    }

    [Fact]
    public void ChannelWindows_bounds_the_window_of_each_channel_a_wrapped_session_creates()
    {
        var session = NewSession();
        var contract = typeof(Session).Assembly.GetType("Renci.SshNet.ISession")!;

        Assert.True(ChannelWindows.CanBound, Broken("ChannelWindows", "Channel._initialWindowSize / LocalWindowSize or ISession.CreateChannel* moved"));
        Assert.True(ChannelWindows.CanWrap, Broken("ChannelWindows", "ForwardedPort.Session is no longer a settable ISession"));
        var wrapped = ChannelWindows.Wrap(session, 3_000_000);
        var channel = contract.GetMethod("CreateChannelSession")!.Invoke(wrapped, null);
        var tunnel = contract.GetMethod("CreateChannelDirectTcpip")!.Invoke(wrapped, null);
        var plain = contract.GetMethod("CreateChannelSession")!.Invoke(session, null);

        Assert.Equal(3_000_000u, ChannelWindows.WindowOf(channel));
        Assert.Equal(3_000_000u, ChannelWindows.WindowOf(tunnel));
        Assert.True(ChannelWindows.WindowOf(plain) == int.MaxValue, Broken("ChannelWindows", $"SSH.NET's own window is no longer int.MaxValue ({ChannelWindows.WindowOf(plain)}): see whether the bound is still needed"));
        Assert.Same(session, ChannelWindows.Unwrap(wrapped));
        Assert.Same(wrapped, ChannelWindows.Wrap(wrapped, 1));
    }

    [Fact]
    public void ChannelFlow_takes_every_session_and_forward_channel_and_gives_a_claim_to_the_next_session_channel_only()
    {
        var session = NewSession();
        var contract = typeof(Session).Assembly.GetType("Renci.SshNet.ISession")!;
        var create = (string name) => contract.GetMethod(name)!.Invoke(session, null);

        Assert.True(ChannelFlow.IsAvailable, Broken("ChannelFlow", "Channel's message handlers, locks or close flags, ISession's channel events or ChannelWindowAdjustMessage moved"));
        Assert.True(ChannelFlow.CanWatchShells, Broken("ChannelFlow", "Channel.DataReceived is no longer a field-like event"));
        var claim = new FlowClaim();
        using (ChannelFlow.ClaimNextCommand(claim))
        {
            Assert.True(ChannelFlow.TryAttach("CreateChannelSession", create("CreateChannelSession"), 1 << 20));
            var taken = claim.Consumed;
            Assert.NotNull(taken);
            Assert.True(ChannelFlow.TryAttach("CreateChannelSession", create("CreateChannelSession"), 1 << 20)); // observed, not claimed
            Assert.Same(taken, claim.Consumed);
        }

        Assert.True(ChannelFlow.TryAttach("CreateChannelDirectTcpip", create("CreateChannelDirectTcpip"), 1 << 20), Broken("ChannelFlow", "ChannelDirectTcpip._socket moved"));
        Assert.False(ChannelFlow.TryAttach("CreateChannelSession", this, 1 << 20));
    }

    [Fact]
    public void FlowPipe_claims_the_next_session_channel_and_reports_every_read_of_SSH_NETs_pipe()
    {
        var session = NewSession();
        var contract = typeof(Session).Assembly.GetType("Renci.SshNet.ISession")!;
        using var pipe = new FlowPipe();

        Assert.True(ChannelFlow.TryAttach("CreateChannelSession", contract.GetMethod("CreateChannelSession")!.Invoke(session, null), 1 << 20));
        Assert.NotNull(pipe.Claim.Consumed);

        var taken = 0;
        pipe.Claim.Consumed = count => taken += count;
        pipe.Write([1, 2, 3, 4, 5, 6], 0, 6);
        Assert.Equal(3, pipe.Read(new byte[3], 0, 3));
        Assert.Equal(4, pipe.ReadByte());
        Assert.Equal(2, pipe.Read(new byte[8].AsSpan()));
        Assert.True(taken == 6, Broken("FlowPipe", "PipeStream's array or byte reads no longer go through Read(Span<byte>)"));
    }

    [Fact]
    public void ChannelFlow_knows_an_SFTP_channel_by_its_subsystem_session()
    {
        var subsystem = typeof(Session).Assembly.GetType("Renci.SshNet.SubsystemSession");
        Assert.True(subsystem is not null && typeof(Session).Assembly.GetType("Renci.SshNet.Sftp.SftpSession") is { } sftp && subsystem.IsAssignableFrom(sftp),
            Broken("ChannelFlow", "SftpSession no longer derives from SubsystemSession (an SFTP channel would go back to SSH.NET's window handling)"));
    }

    [Fact]
    public void SessionAccess_finds_the_real_session_behind_the_window_proxy()
    {
        var session = NewSession();
        using var client = new SshClient("h", "u", "p");
        SshNetSeams.ClientSession.Members!.SetValue(client, ChannelWindows.Wrap(session, 1 << 20));

        Assert.Same(session, SessionAccess.TryGetSession(client));

        SshNetSeams.ClientSession.Members!.SetValue(client, null);
    }

    [Fact]
    public void ChannelWindows_stands_on_a_forward_once_with_the_window_and_the_pump()
    {
        var session = NewSession();
        using var port = new ForwardedPortLocal("127.0.0.1", 0, "target.internal", 22);
        var portSession = typeof(ForwardedPort).GetProperty("Session", Instance)!;
        portSession.SetValue(port, session);

        Assert.True(ChannelWindows.TryInstallOnForward(port, 1 << 20, NoHooks));
        var wrapped = portSession.GetValue(port);
        Assert.True(ChannelWindows.TryInstallOnForward(port, 1 << 20, NoHooks));
        var contract = typeof(Session).Assembly.GetType("Renci.SshNet.ISession")!;
        var tunnel = contract.GetMethod("CreateChannelDirectTcpip")!.Invoke(portSession.GetValue(port), null);

        Assert.NotSame(session, wrapped);
        Assert.Same(session, ChannelWindows.Unwrap(wrapped));
        Assert.Same(session, ChannelWindows.Unwrap(portSession.GetValue(port)));
        Assert.IsAssignableFrom<TunnelPump>(tunnel);
        portSession.SetValue(port, null);
    }

    [Fact]
    public void TunnelPump_can_stand_in_for_a_forwards_blocking_bind()
    {
        Assert.True(TunnelPump.IsAvailable, Broken("TunnelPump", "IChannelDirectTcpip.Open/Bind or Channel.SendData/IsOpen/RemotePacketSize moved"));
        var contract = typeof(Session).Assembly.GetType("Renci.SshNet.ISession")!;
        var tunnel = contract.GetMethod("CreateChannelDirectTcpip")!.Invoke(NewSession(), null);

        Assert.IsAssignableFrom<TunnelPump>(TunnelPump.Wrap(tunnel, NoHooks));
        Assert.Same(this, TunnelPump.Wrap(this, NoHooks));
    }

    [Fact]
    public void Transport_can_have_a_sockets_readiness_events_handled_inline()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var flag = typeof(SafeSocketHandle).GetProperty("PreferInlineCompletions", Instance);

        Assert.True(Transport.TryHandleReadinessInline(socket), $".NET {Environment.Version}: Socket.PreferInlineCompletions (internal) is gone; Transport falls back to the thread pool for socket events");
        Assert.True(flag is not null && (bool)flag.GetValue(socket.SafeHandle)!, "the switch did not reach the socket's handle");
    }

    private const System.Reflection.BindingFlags Instance = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public;

    /// <summary>An SSH.NET session that never connects: enough to create channels.</summary>
    private static Session NewSession()
    {
        var assembly = typeof(Session).Assembly;
        var factory = Activator.CreateInstance(assembly.GetType("Renci.SshNet.ServiceFactory")!, nonPublic: true)!;
        var socketFactory = Activator.CreateInstance(assembly.GetType("Renci.SshNet.Connection.SocketFactory")!, nonPublic: true)!;
        var info = new ConnectionInfo("h", "u", new PasswordAuthenticationMethod("u", "p"));
        var constructor = typeof(Session).GetConstructors(Instance).Single(c => c.GetParameters().Length == 3);
        return (Session)constructor.Invoke([info, factory, socketFactory]);
    }

    private static string Broken(string seam, string what) =>
        $"SSH.NET {SshNetVersion}: the seam SshNet/{seam} no longer holds: {what}. ParamikoJump falls back as that file documents; update the seam for this SSH.NET version.";
}
