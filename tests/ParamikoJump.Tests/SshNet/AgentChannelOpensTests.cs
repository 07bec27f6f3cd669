using System.Buffers.Binary;
using System.Reflection;
using System.Text;
using ParamikoJump.SshNet;
using Renci.SshNet;
using Renci.SshNet.Messages.Connection;

namespace ParamikoJump.Tests.SshNet;

/// <summary>
/// The pin of SshNet/AgentChannelOpens (agent forwarding): SSH.NET's message factory, its entry for
/// SSH_MSG_CHANNEL_OPEN and the re-key event still look as the seam expects, and the message it substitutes reads an
/// agent channel open and leaves every other type to SSH.NET.
/// </summary>
public class AgentChannelOpensTests
{
    private static readonly string SshNetVersion = typeof(SshClient).Assembly.GetName().Version!.ToString();

    [Fact]
    public void The_message_factory_can_be_pointed_at_the_agent_aware_channel_open()
    {
        Assert.True(AgentChannelOpens.CanInstall, Broken("Session._sshMessageFactory, its _enabledMessagesByNumber / _activatedMessagesById, MessageMetadata<T> or Session.NewKeysReceived moved"));
        var table = typeof(Session).Assembly.GetType("Renci.SshNet.SshMessageFactory")!.GetField("AllMessages", BindingFlags.Static | BindingFlags.NonPublic)!.GetValue(null) as Array;
        var channelOpen = table!.Cast<object>().Single(entry => (byte)entry.GetType().GetProperty("Number")!.GetValue(entry)! == 90);
        Assert.True((byte)channelOpen.GetType().GetProperty("Id")!.GetValue(channelOpen)! == 13, Broken("SSH_MSG_CHANNEL_OPEN is no longer id 13 in SshMessageFactory.AllMessages"));
    }

    [Fact]
    public void SshNets_own_channel_open_still_refuses_an_agent_channel()
    {
        // If this starts to pass through, SSH.NET learned agent channels and the substitution may be dropped.
        var message = new ChannelOpenMessage();

        Assert.Throws<NotSupportedException>(() => message.Load(Open(AgentChannelOpens.ChannelType, sender: 7, window: 65536, packet: 16384, info: [])));
    }

    [Fact]
    public void An_agent_channel_open_is_read_with_the_servers_channel_window_and_packet_size()
    {
        var message = new AgentChannelOpens.AgentAwareChannelOpenMessage();

        message.Load(Open(AgentChannelOpens.ChannelType, sender: 7, window: 2097152, packet: 32768, info: []));

        Assert.True(message.IsAgent);
        Assert.Equal((7u, 2097152u, 32768u), (message.ServerChannel, message.ServerWindow, message.ServerMaximumPacket));
        Assert.Null(message.Info);
    }

    [Fact]
    public void Every_other_channel_type_is_read_by_SshNet_as_before()
    {
        var message = new AgentChannelOpens.AgentAwareChannelOpenMessage();
        var info = Concat(String("10.0.0.1"), UInt32(8080), String("10.0.0.2"), UInt32(40000));

        message.Load(Open("forwarded-tcpip", sender: 3, window: 1000, packet: 500, info: info));

        Assert.False(message.IsAgent);
        Assert.Equal(("forwarded-tcpip", "forwarded-tcpip", 3u, 1000u), (message.Info.ChannelType, Encoding.ASCII.GetString(message.ChannelType), message.LocalChannelNumber, message.InitialWindowSize));
    }

    [Fact]
    public void The_agent_request_is_auth_agent_req_without_a_reply()
    {
        var request = Assert.IsType<ChannelRequestMessage>(AgentChannelOpens.AgentRequest(42));

        Assert.Equal(("auth-agent-req@openssh.com", 42u), (request.RequestName, request.LocalChannelNumber));
        Assert.Equal([0], request.RequestData); // want_reply false, as ssh sends it
    }

    private static byte[] Open(string type, uint sender, uint window, uint packet, byte[] info) =>
        Concat(String(type), UInt32(sender), UInt32(window), UInt32(packet), info);

    private static byte[] String(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        return Concat(UInt32((uint)bytes.Length), bytes);
    }

    private static byte[] UInt32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(part => part).ToArray();

    private static string Broken(string what) =>
        $"SSH.NET {SshNetVersion}: the seam SshNet/AgentChannelOpens no longer holds: {what}. Agent forwarding falls back to off with a log line; update the seam for this SSH.NET version.";
}
