using Microsoft.Extensions.Logging;
using ParamikoJump.Authentication;
using ParamikoJump.Hops;
using ParamikoJump.SshNet;
using Renci.SshNet;

namespace ParamikoJump.Tests;

public class SshJumpClientConstructionTests
{
    [Fact]
    public void Is_an_SshClient_that_knows_its_logical_hop()
    {
        using var client = new SshJumpClient(hostname: "bastion.example", port: 2200, username: "ops", password: "pw", lookForKeys: false, allowAgent: false);

        Assert.IsAssignableFrom<SshClient>(client);
        Assert.Equal("ops@bastion.example:2200", client.Hop.ToString());
        Assert.Null(client.JumpSession);
        Assert.Equal("bastion.example", client.ConnectionInfo.Host);
    }

    [Fact]
    public void A_jump_that_was_never_connected_is_refused_at_once()
    {
        using var jump = new SshClient("bastion.example", "ops", "pw");

        var error = Assert.Throws<JumpNotConnectedException>(() =>
            new SshJumpClient(hostname: "db", username: "admin", password: "pw", jumpSession: jump));

        Assert.Equal(HopStage.Setup, error.Stage);
        Assert.Contains("ops@bastion.example:22 is not connected", error.Message, StringComparison.Ordinal);
        Assert.Equal("admin@db:22 via ops@bastion.example:22", error.Hop?.ToString());
    }

    [Fact]
    public void A_disposed_jump_is_refused_at_once()
    {
        var jump = new SshJumpClient(hostname: "bastion.example", username: "ops", password: "pw");
        jump.Dispose();

        var error = Assert.Throws<JumpNotConnectedException>(() =>
            new SshJumpClient(hostname: "db", username: "admin", password: "pw", jumpSession: jump));

        Assert.Contains("ops@bastion.example:22", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hop_with_no_way_to_log_in_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new SshJumpClient(hostname: "db", username: "admin", lookForKeys: false, allowAgent: false));

        Assert.Contains("admin@db:22", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_username_defaults_to_the_local_user()
    {
        using var client = new SshJumpClient(hostname: "db", password: "pw");

        Assert.Equal(Environment.UserName, client.Hop.Username);
    }

    [Fact]
    public void ToString_and_errors_never_contain_the_password()
    {
        // A port nothing listens on: the connect fails at once, with the whole error chain to search.
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        using var client = new SshJumpClient(hostname: "127.0.0.1", port: port, username: "admin", password: "pa55-secret-word");

        var error = Assert.ThrowsAny<Exception>(client.Connect);

        Assert.DoesNotContain("pa55-secret-word", client.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("pa55-secret-word", client.Hop.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("pa55-secret-word", error.ToString(), StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_is_idempotent_and_quick()
    {
        var client = new SshJumpClient(hostname: "db", username: "admin", password: "pw");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        client.Dispose();
        client.Dispose();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"Dispose took {clock.Elapsed}");
        Assert.Throws<ObjectDisposedException>(() => client.Connect());
    }

    [Fact]
    public void ExecCommand_before_Connect_says_so()
    {
        using var client = new SshJumpClient(hostname: "db", username: "admin", password: "pw");

        var error = Assert.Throws<HopConnectionException>(() => client.ExecCommand("uptime"));

        Assert.Contains("call Connect()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SSH_NET_constructor_shapes_are_all_available()
    {
        var key = new PrivateKeyFile(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(TestKeys.Ed25519)));
        using var a = new SshJumpClient("h", 22, "u", "p");
        using var b = new SshJumpClient("h", "u", "p");
        using var c = new SshJumpClient("h", 22, "u", key);
        using var d = new SshJumpClient("h", "u", key);
        using var e = new SshJumpClient(new ConnectionInfo("h", 2200, "u", new PasswordAuthenticationMethod("u", "p")));
        using var f = new SshJumpClient(new ConnectionInfo("h", "u", new PasswordAuthenticationMethod("u", "p")), jumpSession: null, authHandler: new MagicAuthHandler(["x"]));

        Assert.Equal(["h:22", "h:22", "h:22", "h:22", "h:2200", "h:22"], new[] { a, b, c, d, e, f }.Select(x => x.Hop.Endpoint));
    }

    [Fact]
    public void A_proxy_and_a_jump_together_are_refused()
    {
        var info = new ConnectionInfo("h", 22, "u", ProxyTypes.Socks5, "127.0.0.1", 1080, null, null, new PasswordAuthenticationMethod("u", "p"));
        using var jump = new SshClient("j", "u", "p");

        var error = Assert.Throws<ArgumentException>(() => new SshJumpClient(info, jump));

        Assert.Contains("proxy", error.Message, StringComparison.Ordinal);
    }
}
