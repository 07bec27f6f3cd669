using System.Net;
using System.Net.Sockets;
using System.Reflection;
using ParamikoJump.HostKeys;
using ParamikoJump.SshNet;
using Renci.SshNet;

namespace ParamikoJump.Tests;

/// <summary>The SFTP and SCP clients are built, fail and refuse exactly as SshJumpClient does.</summary>
public class FileClientConstructionTests
{
    [Fact]
    public void The_SFTP_and_SCP_clients_are_SSH_NETs_and_know_their_logical_hop()
    {
        using var sftp = new SftpJumpClient(hostname: "files.example", port: 2200, username: "ops", password: "pw", lookForKeys: false, allowAgent: false);
        using var scp = new ScpJumpClient(hostname: "files.example", port: 2200, username: "ops", password: "pw", lookForKeys: false, allowAgent: false);

        Assert.IsAssignableFrom<SftpClient>(sftp);
        Assert.IsAssignableFrom<ScpClient>(scp);
        Assert.Equal("SftpJumpClient ops@files.example:2200", sftp.ToString());
        Assert.Equal("ScpJumpClient ops@files.example:2200", scp.ToString());
        Assert.Null(sftp.JumpSession);
        Assert.Equal(HopStage.Setup, scp.Stage);
        Assert.Equal("files.example", sftp.ConnectionInfo.Host);
    }

    [Fact]
    public void SSH_NET_constructor_shapes_and_settings_are_all_available()
    {
        var key = new PrivateKeyFile(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(TestKeys.Ed25519)));
        var store = new KnownHosts();
        var policy = new AutoAddPolicy();
        using var a = new SftpJumpClient("h", 22, "u", "p");
        using var b = new ScpJumpClient("h", "u", "p");
        using var c = new SftpJumpClient("h", 22, "u", key);
        using var d = new ScpJumpClient("h", "u", key);
        using var e = new SftpJumpClient(new ConnectionInfo("h", 2200, "u", new PasswordAuthenticationMethod("u", "p")), null, null, policy, store);
        using var f = new ScpJumpClient(new HopSettings("h") { Port = 2222, Username = "u", Password = "p", MaxAuthTries = 3 });

        Assert.Equal(["h:22", "h:22", "h:22", "h:22", "h:2200", "h:2222"], new[] { a.Hop, b.Hop, c.Hop, d.Hop, e.Hop, f.Hop }.Select(x => x.Endpoint));
        Assert.Same(store, e.HostKeys);
        Assert.Same(policy, e.MissingHostKeyPolicy);
        Assert.Equal(3, f.MaxAuthTries);
    }

    [Fact]
    public void A_jump_that_was_never_connected_is_refused_at_once()
    {
        using var jump = new SshClient("bastion.example", "ops", "pw");

        var sftp = Assert.Throws<JumpNotConnectedException>(() => new SftpJumpClient("db", username: "admin", password: "pw", jumpSession: jump));
        var scp = Assert.Throws<JumpNotConnectedException>(() => new ScpJumpClient("db", username: "admin", password: "pw", jumpSession: jump));

        Assert.Equal("admin@db:22 via ops@bastion.example:22", sftp.Hop?.ToString());
        Assert.Equal(HopStage.Setup, scp.Stage);
    }

    [Fact]
    public void Transfers_before_Connect_say_so_with_a_typed_error()
    {
        using var sftp = new SftpJumpClient("db", "admin", "pw");
        using var scp = new ScpJumpClient("db", "admin", "pw");

        var upload = Assert.Throws<HopConnectionException>(() => sftp.UploadFile(Stream.Null, "x"));
        var download = Assert.Throws<HopConnectionException>(() => scp.Download("x", Stream.Null));

        Assert.Contains("call Connect() before UploadFile", upload.Message, StringComparison.Ordinal);
        Assert.Contains("call Connect() before Download", download.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_TCP_connection_is_a_typed_error_at_the_tcp_stage_for_both()
    {
        var port = ClosedPort();
        using var sftp = new SftpJumpClient("127.0.0.1", port, "u", "p");
        using var scp = new ScpJumpClient("127.0.0.1", port, "u", "p");

        var sftpError = Assert.Throws<HopConnectionException>(sftp.Connect);
        var scpError = await Assert.ThrowsAsync<HopConnectionException>(() => scp.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HopStage.TcpConnect, sftpError.Stage);
        Assert.Equal(HopStage.TcpConnect, scpError.Stage);
        Assert.Contains($"127.0.0.1:{port}", scpError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SFTP_requests_wait_no_longer_than_the_channel_timeout_and_SCP_paths_are_shell_quoted()
    {
        using var sftp = new SftpJumpClient(hostname: "db", username: "u", password: "p", channelTimeout: TimeSpan.FromSeconds(7));
        using var scp = new ScpJumpClient("db", "u", "p");

        Assert.Equal(TimeSpan.FromSeconds(7), sftp.OperationTimeout);
        Assert.Same(RemotePathTransformation.ShellQuote, scp.RemotePathTransformation);
    }

    [Fact]
    public async Task OpenSftp_and_OpenScp_on_a_client_that_is_not_connected_say_so()
    {
        using var client = new SshJumpClient("db", "u", "p");

        Assert.Contains("before OpenSftp", Assert.Throws<HopConnectionException>(() => client.OpenSftp()).Message, StringComparison.Ordinal);
        var scp = await Assert.ThrowsAsync<HopConnectionException>(() => client.OpenScpAsync(TestContext.Current.CancellationToken));
        Assert.Contains("before OpenScp", scp.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_SSH_NET_client_on_a_direct_hops_ConnectionInfo_fails_before_sending_anything()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var owner = new SftpJumpClient("127.0.0.1", port, "u", "p");

        foreach (var plain in new BaseClient[] { new SshClient(owner.ConnectionInfo), new SftpClient(owner.ConnectionInfo), new ScpClient(owner.ConnectionInfo, RemotePathTransformation.ShellQuote) })
        {
            using (plain)
            {
                var error = Assert.Throws<ParamikoJumpException>(plain.Connect);

                Assert.Contains("SshJumpClient, SftpJumpClient or ScpJumpClient", error.Message, StringComparison.Ordinal);
                Assert.Equal(HopStage.Setup, error.Stage);
            }
        }

        Assert.False(listener.Pending(), "a plain client connected before it was refused");
    }

    [Fact]
    public void Dispose_is_idempotent_and_quick()
    {
        var sftp = new SftpJumpClient("db", "u", "p");
        var scp = new ScpJumpClient("db", "u", "p");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        sftp.Dispose();
        sftp.Dispose();
        scp.Dispose();
        scp.Dispose();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"Dispose took {clock.Elapsed}");
        Assert.Throws<ObjectDisposedException>(sftp.Connect);
    }

    [Fact]
    public void SSH_NETs_factory_still_hands_ScpClient_its_pipes_through_the_seam()
    {
        // ConnectionPipes depends on IServiceFactory.CreatePipeStream passing through Transport's proxy.
        using var scp = new ScpClient("h", 22, "u", RemotePathTransformation.ShellQuote, new PrivateKeyFile(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(TestKeys.Ed25519))));
        PipeStreamSeen seen = new();

        Assert.True(Transport.TryWatch(scp, _ => { }, seen.Add));
        var factory = typeof(BaseClient).GetField("_serviceFactory", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(scp)!;
        var created = factory.GetType().GetMethod("CreatePipeStream")!.Invoke(factory, null);

        Assert.Same(created, seen.Last);
    }

    [Fact]
    public void SSH_NETs_pipelined_upload_can_still_be_opened_for_appending()
    {
        // ResumeUploadFile depends on it; without it a resumed upload falls back to stop-and-wait writes.
        Assert.True(SftpAppend.IsAvailable);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class PipeStreamSeen
    {
        public Renci.SshNet.Common.PipeStream? Last { get; private set; }

        public void Add(Renci.SshNet.Common.PipeStream pipe) => Last = pipe;
    }
}
