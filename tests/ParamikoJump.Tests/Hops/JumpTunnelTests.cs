using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using ParamikoJump.Hops;
using ParamikoJump.Keys;
using ParamikoJump.Tests.Keys;

namespace ParamikoJump.Tests.Hops;

/// <summary>
/// The TCP fallback's forward against a real jump (the throwaway sshd on 127.0.0.1, forwarding to itself): what it
/// serves and what it refuses, with sockets made the way a stranger on the same machine would make them.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class JumpTunnelTests(RealSshdKeyLoginTests.Server server) : IClassFixture<RealSshdKeyLoginTests.Server>
{
    private static readonly TimeSpan ReadBudget = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 60_000)]
    public async Task The_TCP_fallback_serves_the_hops_own_socket_and_refuses_one_from_127_0_0_2_with_the_hops_port()
    {
        using var jump = await ConnectedJump();
        using var tunnel = JumpTunnel.OpenTcp(jump, Hop(), NullLogger.Instance);
        tunnel.KnowsHopSocket(true);
        tunnel.PrepareAttempt();

        // As SSH.NET makes it: a dual-mode socket, bound to loopback before it connects (Hop.OnSocketCreated).
        using var hop = new Socket(SocketType.Stream, ProtocolType.Tcp);
        hop.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        tunnel.ExpectConnectionFrom(hop);
        var hopPort = ((IPEndPoint)hop.LocalEndPoint!).Port;
        using var sameAddress = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var samePort = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        samePort.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), hopPort));

        // Both strangers arrive before the hop's own connection: the forward holds them until it knows the hop's socket.
        await samePort.ConnectAsync(IPAddress.Loopback, tunnel.LocalPort, TestContext.Current.CancellationToken);
        await sameAddress.ConnectAsync(IPAddress.Loopback, tunnel.LocalPort, TestContext.Current.CancellationToken);
        await hop.ConnectAsync(IPAddress.Loopback, tunnel.LocalPort, TestContext.Current.CancellationToken);

        Assert.StartsWith("SSH-2.0-OpenSSH", await FirstLine(hop), StringComparison.Ordinal);
        Assert.Equal(string.Empty, await FirstLine(samePort));
        Assert.Equal(string.Empty, await FirstLine(sameAddress));
        Assert.False(tunnel.SlotTaken);
        tunnel.Seal(hopConnected: true);
    }

    [Fact(Timeout = 60_000)]
    public async Task Where_the_hops_socket_is_unknown_a_taken_slot_tears_the_forward_down_and_closes_the_strangers_channel()
    {
        using var jump = await ConnectedJump();
        using var tunnel = JumpTunnel.OpenTcp(jump, Hop(), NullLogger.Instance);
        tunnel.KnowsHopSocket(false);
        tunnel.PrepareAttempt();
        var port = tunnel.LocalPort;

        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await stranger.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        var strangersBanner = await FirstLine(stranger);
        using var hop = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await hop.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        var hopsBanner = await FirstLine(hop);

        // Where only the connection's owning process can be checked, another socket of this same process (the same
        // user, out of scope) can still take the attempt's slot: the attempt fails and says so.
        Assert.StartsWith("SSH-2.0-OpenSSH", strangersBanner, StringComparison.Ordinal);
        Assert.Equal(string.Empty, hopsBanner);
        Assert.True(tunnel.SlotTaken);

        tunnel.Seal(hopConnected: false);

        Assert.Equal(string.Empty, await Rest(stranger));
        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(async () => await late.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Empty(jump.ForwardedPorts);

        // The next attempt gets its forward back, on the same port (the netstandard2.0 build dials that port).
        tunnel.PrepareAttempt();
        Assert.Equal(port, tunnel.LocalPort);
        Assert.Single(jump.ForwardedPorts);
    }

    [Fact(Timeout = 60_000)]
    public async Task Where_the_hops_socket_is_unknown_another_users_connection_arriving_first_is_refused_and_the_hops_own_is_served()
    {
        using var jump = await ConnectedJump();
        using var tunnel = JumpTunnel.OpenTcp(jump, Hop(), NullLogger.Instance);
        tunnel.KnowsHopSocket(false);
        tunnel.PrepareAttempt();

        // nobody's connection is accepted first, and closed by the forward before the jump opens a channel for it.
        using var stranger = await OtherUserConnection.OpenAsync(tunnel.LocalPort);
        Assert.Equal(0, await stranger.BytesReceivedOnceClosedAsync(ReadBudget));

        // As SSH.NET makes it (dual-mode), from this process: the attempt's slot is still free, so it is served.
        using var hop = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await hop.ConnectAsync(IPAddress.Loopback, tunnel.LocalPort, TestContext.Current.CancellationToken);
        Assert.StartsWith("SSH-2.0-OpenSSH", await FirstLine(hop), StringComparison.Ordinal);
        Assert.False(tunnel.SlotTaken);
        tunnel.Seal(hopConnected: true);
        Assert.Single(jump.ForwardedPorts);
    }

    private HopIdentity Hop() => new("127.0.0.1", server.Port, "root", new HopIdentity("127.0.0.1", server.Port, "root"));

    private async Task<SshJumpClient> ConnectedJump()
    {
        server.Require();
        var jump = server.Client(new KeyEnvironment(null, null), keyFilenames: [server.EncryptedEd25519], passphrase: KeyTestHops.Passphrase);
        try
        {
            await jump.ConnectAsync(TestContext.Current.CancellationToken);
            return jump;
        }
        catch
        {
            jump.Dispose();
            throw;
        }
    }

    /// <summary>The first line the socket receives, or what arrived before it was closed (empty: closed without a byte).</summary>
    private static async Task<string> FirstLine(Socket socket)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        budget.CancelAfter(ReadBudget);
        var received = new StringBuilder();
        var buffer = new byte[1];
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, budget.Token);
            }
            catch (SocketException)
            {
                read = 0;
            }

            if (read == 0 || buffer[0] == (byte)'\n')
            {
                return received.ToString().TrimEnd('\r');
            }

            received.Append((char)buffer[0]);
        }
    }

    /// <summary>Everything else the socket receives until it is closed.</summary>
    private static async Task<string> Rest(Socket socket)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        budget.CancelAfter(ReadBudget);
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, budget.Token);
            }
            catch (SocketException)
            {
                return received.ToString();
            }

            if (read == 0)
            {
                return received.ToString();
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }
}
