using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using ParamikoJump.HostKeys;

namespace ParamikoJump.IntegrationTests.Parity;

/// <summary>
/// What SSH.NET users do once logged in (SFTP, SCP, commands, shells, forwards, reconnecting), each body run on
/// SSH.NET's plain clients and on the jump clients, asserting the same results and the same SSH.NET exceptions.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class ParityOperationTests(LabFixture fixture, ParityJump jump) : IClassFixture<ParityJump>
{
    public static TheoryData<Route> Routes => [Route.Plain, Route.Jump];

    private Task<ParitySide> Side(Route route, bool withSftp = true) => jump.SideAsync(fixture.Lab, route, withSftp);

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task Sftp_operations_and_their_failures(Route route)
    {
        var side = await Side(route);
        using var sftp = side.Sftp(side.AnyUser());
        ParitySide.Connect(sftp);
        var dir = $"{sftp.WorkingDirectory}/parity-{Guid.NewGuid():N}";
        string In(string name) => $"{dir}/{name}";

        sftp.CreateDirectory(dir);
        using (var writer = sftp.CreateText(In("a.txt")))
        {
            writer.Write("hello");
        }

        sftp.AppendAllText(In("a.txt"), " world");
        sftp.WriteAllBytes(In("d.bin"), [1, 2, 3]);
        sftp.ChangePermissions(In("d.bin"), 0x1A4); // 0644
        using (var upload = new MemoryStream(Encoding.UTF8.GetBytes("uploaded")))
        {
            sftp.UploadFile(upload, In("b.txt"));
        }

        sftp.RenameFile(In("b.txt"), In("c.txt"));
        using var download = new MemoryStream();
        sftp.DownloadFile(In("c.txt"), download);
        sftp.ChangeDirectory(dir);

        Assert.Equal("hello world", sftp.ReadAllText(In("a.txt")));
        Assert.Equal("uploaded", Encoding.UTF8.GetString(download.ToArray()));
        Assert.True(sftp.Exists(In("c.txt")));
        Assert.False(sftp.Exists(In("b.txt")));
        Assert.Equal(11, sftp.GetAttributes(In("a.txt")).Size);
        Assert.Equal([1, 2, 3], sftp.ReadAllBytes(In("d.bin")));
        Assert.True(sftp.Get(In("d.bin")).OwnerCanRead);
        Assert.False(sftp.Get(In("d.bin")).OthersCanWrite);
        Assert.True(sftp.GetStatus(dir).TotalBlocks > 0);
        Assert.Equal(dir, sftp.WorkingDirectory);
        Assert.Equal(["a.txt", "c.txt", "d.bin"], (await sftp.ListDirectoryAsync(dir, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken)).Where(f => !f.IsDirectory).Select(f => f.Name).Order());
        Assert.Throws<SftpPathNotFoundException>(() => sftp.DownloadFile(In("missing"), Stream.Null));
        Assert.Throws<SftpPathNotFoundException>(() => sftp.DeleteFile(In("missing")));
        Assert.Throws<SftpPermissionDeniedException>(() => sftp.WriteAllBytes("/etc/parity-denied", [1]));

        foreach (var name in new[] { "a.txt", "c.txt", "d.bin" })
        {
            await sftp.DeleteFileAsync(In(name), TestContext.Current.CancellationToken);
        }

        sftp.DeleteDirectory(dir);
        Assert.False(sftp.Exists(dir));
        Assert.True(sftp.IsConnected);
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task A_server_without_the_sftp_subsystem_fails_as_SSH_NET_says(Route route)
    {
        var side = await Side(route, withSftp: false);
        using var sftp = side.Sftp(side.AnyUser());

        var error = Assert.ThrowsAny<SshException>(() => ParitySide.Connect(sftp));

        Assert.StartsWith("Subsystem 'sftp' could not be executed.", error.Message, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task Scp_uploads_and_downloads(Route route)
    {
        var side = await Side(route);
        using var scp = side.Scp(side.AnyUser());
        ParitySide.Connect(scp);
        var name = $"parity-{Guid.NewGuid():N}.txt";

        scp.Upload(new MemoryStream(Encoding.UTF8.GetBytes("via scp")), name);
        using var back = new MemoryStream();
        scp.Download(name, back);

        Assert.Equal("via scp", Encoding.UTF8.GetString(back.ToArray()));
        Assert.ThrowsAny<ScpException>(() => scp.Download("missing-" + name, Stream.Null));
        using var ssh = side.Ssh(side.AnyUser());
        ParitySide.Connect(ssh);
        ssh.RunCommand($"rm -f {name}");
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task Commands_shell_streams_and_reconnecting(Route route)
    {
        var side = await Side(route);
        using var ssh = side.Ssh(side.AnyUser());
        ParitySide.Connect(ssh);

        using (var command = ssh.RunCommand("echo out; echo err >&2; exit 3"))
        {
            Assert.Equal("out\n", command.Result);
            Assert.Equal("err\n", command.Error);
            Assert.Equal(3, command.ExitStatus);
        }

        using (var shell = ssh.CreateShellStream("xterm", 80, 24, 800, 600, 4096))
        {
            shell.WriteLine("echo shell-$((6*7))");
            Assert.NotNull(shell.Expect(new Regex("shell-42"), TimeSpan.FromSeconds(10)));
        }

        ssh.Disconnect();
        Assert.False(ssh.IsConnected);
        ParitySide.Connect(ssh);
        Assert.Equal("pjpar-any", ssh.RunCommand("whoami").Result.Trim());
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task A_local_forward_reaches_a_port_on_the_server(Route route)
    {
        var side = await Side(route);
        using var ssh = side.Ssh(side.AnyUser());
        ParitySide.Connect(ssh);
        using var forward = new ForwardedPortLocal("127.0.0.1", 0, side.Server.Address, (uint)side.Server.Port);
        ssh.AddForwardedPort(forward);
        forward.Start();

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, (int)forward.BoundPort, TestContext.Current.CancellationToken);
        var banner = new byte[8];
        await client.GetStream().ReadExactlyAsync(banner, TestContext.Current.CancellationToken);

        Assert.Equal("SSH-2.0-", Encoding.ASCII.GetString(banner));
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task A_remote_forward_brings_a_server_side_connection_back(Route route)
    {
        var side = await Side(route);
        using var ssh = side.Ssh(side.AnyUser());
        ParitySide.Connect(ssh);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = (uint)(30000 + Random.Shared.Next(20000));
        using var forward = new ForwardedPortRemote(IPAddress.Loopback, port, IPAddress.Loopback, (uint)((IPEndPoint)listener.LocalEndpoint).Port);
        ssh.AddForwardedPort(forward);
        forward.Start();

        using var sender = ssh.CreateCommand($"echo through-the-forward > /dev/tcp/127.0.0.1/{port}");
        var sent = sender.ExecuteAsync(TestContext.Current.CancellationToken);
        using var accepted = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        using var reader = new StreamReader(accepted.GetStream());

        Assert.Equal("through-the-forward", await reader.ReadLineAsync(TestContext.Current.CancellationToken));
        await sent;
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task A_dynamic_forward_connects_where_its_SOCKS_client_asks(Route route)
    {
        var side = await Side(route);
        using var ssh = side.Ssh(side.AnyUser());
        ParitySide.Connect(ssh);
        using var forward = new ForwardedPortDynamic("127.0.0.1", 0);
        ssh.AddForwardedPort(forward);
        forward.Start();

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, (int)forward.BoundPort, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        var address = IPAddress.Parse(side.Server.Address).GetAddressBytes();
        byte[] connect = [4, 1, (byte)(side.Server.Port >> 8), (byte)side.Server.Port, .. address, 0]; // SOCKS4 CONNECT, empty user
        await stream.WriteAsync(connect, TestContext.Current.CancellationToken);

        // The server's banner comes back through the forward (after SSH.NET's SOCKS reply, the same on both routes).
        var received = new StringBuilder();
        var buffer = new byte[64];
        while (!received.ToString().Contains("SSH-2.0-", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken);
            Assert.True(read > 0, $"the forward closed after '{received}'");
            received.Append(Encoding.Latin1.GetString(buffer, 0, read));
        }
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task SSH_NETs_own_keep_alive_setting_is_honoured(Route route)
    {
        var side = await Side(route);
        using var ssh = side.Ssh(side.AnyUser());
        ssh.KeepAliveInterval = TimeSpan.FromMilliseconds(200);
        ParitySide.Connect(ssh);

        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        Assert.Equal(TimeSpan.FromMilliseconds(200), ssh.KeepAliveInterval);
        Assert.Equal("pjpar-any", ssh.RunCommand("whoami").Result.Trim());
    }

    /// <summary>The deliberate differences the README lists, pinned so a change to either side is seen.</summary>
    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task Deliberate_differences_an_unknown_host_key_and_a_closed_port(Route route)
    {
        var side = await Side(route);
        var unknownKey = new ConnectionInfo(side.Server.Host, side.Server.Port, "pjpar-any", new PasswordAuthenticationMethod("pjpar-any", side.Password("pjpar-any")));
        using var strict = route == Route.Plain
            ? new SshClient(unknownKey)
            : new SshJumpClient(unknownKey, side.Jump, knownHosts: new ParamikoJump.HostKeys.KnownHosts());
        var closedPort = side.Info("pjpar-any", new PasswordAuthenticationMethod("pjpar-any", "x"));
        using var closed = side.Ssh(new ConnectionInfo(side.Server.Host, 2399, "pjpar-any", new PasswordAuthenticationMethod("pjpar-any", "x")) { Timeout = closedPort.Timeout });

        if (route == Route.Plain)
        {
            ParitySide.Connect(strict); // SSH.NET trusts any host key unless HostKeyReceived says otherwise
            Assert.True(strict.IsConnected);
            Assert.Throws<SocketException>(() => ParitySide.Connect(closed));
        }
        else
        {
            var refused = Assert.IsType<HostKeyRejectedException>(Assert.ThrowsAny<SshConnectionException>(() => ParitySide.Connect(strict)));
            Assert.Equal(Renci.SshNet.Messages.Transport.DisconnectReason.HostKeyNotVerifiable, refused.DisconnectReason);
            var unreachable = Assert.IsType<JumpChannelException>(Assert.ThrowsAny<SshConnectionException>(() => ParitySide.Connect(closed)));
            Assert.Contains("Connection refused", unreachable.ServerReason ?? string.Empty, StringComparison.OrdinalIgnoreCase);
        }
    }
}
