using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using ParamikoJump.Hops;

namespace ParamikoJump.Tests.Hops;

/// <summary>The /proc ownership check the TCP fallback uses where SSH.NET's socket cannot be seen.</summary>
[SupportedOSPlatform("linux")]
public sealed class LocalConnectionOwnerTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_loopback_connection_made_by_this_process_is_ours_from_an_IPv4_and_from_a_dual_mode_socket()
    {
        Assert.Null(LocalConnectionOwner.WhyUnavailable);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        using var plain = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await plain.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        using var dualMode = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await dualMode.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        using var acceptedPlain = await listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
        using var acceptedDual = await listener.AcceptSocketAsync(TestContext.Current.CancellationToken);

        Assert.True(LocalConnectionOwner.IsThisProcess(IPAddress.Loopback, ((IPEndPoint)plain.LocalEndPoint!).Port, port));
        Assert.True(LocalConnectionOwner.IsThisProcess(IPAddress.Loopback, ((IPEndPoint)dualMode.LocalEndPoint!).Port, port));

        // The same originator towards another port is no connection at all.
        Assert.False(LocalConnectionOwner.IsThisProcess(IPAddress.Loopback, ((IPEndPoint)plain.LocalEndPoint!).Port, port == 65535 ? 1 : port + 1));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_loopback_connection_held_open_by_another_user_is_not_ours()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stranger = await OtherUserConnection.OpenAsync(port);
        using var accepted = await listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
        Assert.Equal(stranger.LocalPort, ((IPEndPoint)accepted.RemoteEndPoint!).Port);

        Assert.False(LocalConnectionOwner.IsThisProcess(IPAddress.Loopback, stranger.LocalPort, port));
    }
}
