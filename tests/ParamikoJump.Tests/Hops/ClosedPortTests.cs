using System.Net;
using System.Net.Sockets;

namespace ParamikoJump.Tests.Hops;

/// <summary>README's "Deliberate differences": a TCP connection that cannot be made is SSH.NET's SocketException, wrapped.</summary>
public class ClosedPortTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_refused_direct_connection_is_a_HopConnectionException_with_SSH_NETs_SocketException_inside()
    {
        int closedPort;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        using var client = new SshJumpClient(hostname: "127.0.0.1", port: closedPort, username: "nobody", password: "unused", lookForKeys: false, allowAgent: false);

        var error = await Assert.ThrowsAsync<HopConnectionException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HopStage.TcpConnect, error.Stage);
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(error.InnerException).SocketErrorCode);
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(Assert.Throws<HopConnectionException>(client.Connect).InnerException).SocketErrorCode);
    }
}
