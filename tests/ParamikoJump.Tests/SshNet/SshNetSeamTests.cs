using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ParamikoJump.SshNet;
using Renci.SshNet;
using Renci.SshNet.Messages.Connection;

namespace ParamikoJump.Tests.SshNet;

/// <summary>
/// One pin per place ParamikoJump reaches into SSH.NET (src/ParamikoJump/SshNet/). Each degrades to a documented
/// fallback if an SSH.NET upgrade moves what it relies on; these tests make that upgrade fail loudly instead,
/// naming the seam and the SSH.NET version.
/// </summary>
public class SshNetSeamTests
{
    private static readonly string SshNetVersion = typeof(SshClient).Assembly.GetName().Version!.ToString();

    [Fact]
    public void SessionAccess_finds_a_clients_session_and_can_send_on_it_and_cut_its_socket()
    {
        using var client = new SshClient("h", "u", "p");

        Assert.Null(SessionAccess.TryGetSession(client));
        Assert.True(typeof(BaseClient).GetProperty("Session", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic) is not null, Broken("SessionAccess", "BaseClient.Session is gone"));
        Assert.True(SessionAccess.CanSend, Broken("SessionAccess", "Session.SendMessage(Message) is gone"));
        Assert.True(SessionAccess.CanCutSocket, Broken("SessionAccess", "Session._socket is gone"));
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
    public void CommandChannel_can_replace_a_commands_output_and_send_eof_on_its_stdin()
    {
        Assert.True(CommandChannel.CanReplaceOutput, Broken("CommandChannel", "SshCommand.OutputStream / ExtendedOutputStream have no setter"));
        Assert.True(CommandChannel.CanSendEof, Broken("CommandChannel", "ChannelInputStream._channel / IChannelSession.SendEof moved"));
    }

    [Fact]
    public void SessionCreationGate_stops_another_client_before_it_sends_a_byte()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var info = new ConnectionInfo("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, "u", new PasswordAuthenticationMethod("u", "p"));
        SessionCreationGate.Install(info, new HopIdentity("db.internal", 22, "u"));
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
            Assert.True(ReferenceEquals(factory, SshNetLogging.Global), Broken("SshNetLogging", "SshNetLoggingConfiguration.LoggerFactory is gone"));
        }
        finally
        {
            SshNetLoggingConfiguration.InitializeLogging(NullLoggerFactory.Instance);
        }
    }

    [Fact]
    public void AuthenticationFailureText_reads_what_the_server_still_allows()
    {
        Assert.Equal(["publickey", "keyboard-interactive"], AuthenticationFailureText.AllowedMethods("Permission denied (publickey,keyboard-interactive)."));
        Assert.Empty(AuthenticationFailureText.AllowedMethods("Permission denied."));
    }

    private static string Broken(string seam, string what) =>
        $"SSH.NET {SshNetVersion}: the seam SshNet/{seam} no longer holds: {what}. ParamikoJump falls back as that file documents; update the seam for this SSH.NET version.";
}
