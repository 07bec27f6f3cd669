namespace ParamikoJump.IntegrationTests.Parity;

/// <summary>
/// Code written for SSH.NET that holds the client as SSH.NET's type (<c>SshClient c = new SshJumpClient(...)</c>) calls
/// SSH.NET's own, non-virtual <c>Connect()</c>/<c>ConnectAsync()</c>. It still goes through the jump (parity-target is
/// reachable only through it; the hooks SSH.NET does call, <c>OnConnecting</c>/<c>OnConnected</c>, arm the jump's
/// forward), and its failures are SSH.NET's own exceptions, exactly as on the plain client: the hop is then read from
/// the client (<see cref="SshJumpClient.Hop"/>), not from the exception.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class ParityHeldAsBaseTests(LabFixture fixture, ParityJump jump) : IClassFixture<ParityJump>
{
    public static TheoryData<Route> Routes => [Route.Plain, Route.Jump];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task Connect_and_ConnectAsync_held_as_the_SSH_NET_types_log_in(Route route)
    {
        var side = await jump.SideAsync(fixture.Lab, route);
        using SshClient ssh = side.Ssh(side.AnyUser());
        using SftpClient sftp = side.Sftp(side.AnyUser());
        using ScpClient scp = side.Scp(side.AnyUser());
        using BaseClient asBase = side.Ssh(side.AnyUser());

        ssh.Connect();
        sftp.Connect();
        scp.Connect();
        asBase.Connect();
        Assert.Equal("pjpar-any", ssh.RunCommand("whoami").Result.Trim());
        Assert.Equal("/home/pjpar-any", sftp.WorkingDirectory);
        Assert.True(scp.IsConnected && asBase.IsConnected);

        foreach (var client in new BaseClient[] { ssh, sftp, scp, asBase })
        {
            client.Disconnect();
            await client.ConnectAsync(Token);
            Assert.True(client.IsConnected);
        }

        Assert.Equal("pjpar-any", ssh.RunCommand("whoami").Result.Trim());
        Assert.True(sftp.Exists("/home/pjpar-any"));
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task A_refused_login_held_as_the_SSH_NET_types_is_SSH_NETs_exception(Route route)
    {
        var side = await jump.SideAsync(fixture.Lab, route);
        var wrong = side.Info("pjpar-pw", new PasswordAuthenticationMethod("pjpar-pw", "wrong"));
        using SshClient ssh = side.Ssh(wrong);
        using SftpClient sftp = side.Sftp(wrong);
        using ScpClient scp = side.Scp(wrong);

        var errors = new List<SshAuthenticationException>
        {
            Assert.Throws<SshAuthenticationException>(ssh.Connect),
            await Assert.ThrowsAsync<SshAuthenticationException>(() => ssh.ConnectAsync(Token)),
            Assert.Throws<SshAuthenticationException>(sftp.Connect),
            await Assert.ThrowsAsync<SshAuthenticationException>(() => sftp.ConnectAsync(Token)),
            Assert.Throws<SshAuthenticationException>(scp.Connect),
            await Assert.ThrowsAsync<SshAuthenticationException>(() => scp.ConnectAsync(Token)),
        };

        Assert.All(errors, error => Assert.Equal("Permission denied (password).", error.Message));
        Assert.All(new BaseClient[] { ssh, sftp, scp }, client => Assert.False(client.IsConnected));
        if (route == Route.Jump)
        {
            // No IHopFailure on SSH.NET's own exception: the hop is read from the client.
            Assert.All(errors, error => Assert.False(error is IHopFailure));
            Assert.Equal(("pjpar-pw", side.Server.Host), (((SshJumpClient)ssh).Hop.Username, ((SshJumpClient)ssh).Hop.Host));
        }

        // The jump is untouched by its targets' failures.
        using var after = side.Ssh(side.AnyUser());
        after.Connect();
        Assert.Equal("pjpar-any", after.RunCommand("whoami").Result.Trim());
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task A_server_that_disconnects_held_as_the_SSH_NET_type_is_SSH_NETs_exception(Route route)
    {
        var side = await jump.SideAsync(fixture.Lab, route);
        using SshClient ssh = side.Ssh(side.Info("pjpar-off", new PasswordAuthenticationMethod("pjpar-off", side.Password("pjpar-off"))));

        var sync = Assert.Throws<SshConnectionException>(ssh.Connect);
        var async = await Assert.ThrowsAsync<SshConnectionException>(() => ssh.ConnectAsync(Token));

        Assert.All([sync, async], error => Assert.StartsWith("The connection was closed by the server: no authentication methods enabled", error.Message, StringComparison.Ordinal));
        Assert.All([sync, async], error => Assert.Equal(Renci.SshNet.Messages.Transport.DisconnectReason.ProtocolError, error.DisconnectReason));
    }

    /// <summary>
    /// The one failure where holding the jump client as SSH.NET's type loses the reason (pinned, listed in the README):
    /// the jump's refusal to open the channel reaches SSH.NET's own connect only as a connection closed before the
    /// banner (or reset while SSH.NET sends its own). Declared as the jump client (or <c>var</c>) it is a <see cref="JumpChannelException"/> with the jump's
    /// reason (ParityOperationTests).
    /// </summary>
    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task A_closed_port_held_as_the_SSH_NET_type(Route route)
    {
        var side = await jump.SideAsync(fixture.Lab, route);
        using SshClient ssh = side.Ssh(new ConnectionInfo(side.Server.Host, 2399, "pjpar-any", new PasswordAuthenticationMethod("pjpar-any", "x")) { Timeout = TimeSpan.FromSeconds(20) });

        var error = Assert.ThrowsAny<Exception>(ssh.Connect);

        if (route == Route.Plain)
        {
            Assert.Equal("Connection refused", Assert.IsType<System.Net.Sockets.SocketException>(error).Message);
        }
        else
        {
            // Which one depends on whether the jump's refusal closes the connection before SSH.NET sends its banner.
            Assert.True(
                error is System.Net.Sockets.SocketException || error.Message == "The connection to the remote server was closed before a valid SSH identification string was received.",
                $"{error.GetType()}: {error.Message}");
            Assert.False(error is IHopFailure);
        }
    }
}
