using System.Diagnostics;
using System.Net.Sockets;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>The failures users hit, each with its exact typed error, raised promptly.</summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class FailureTests(LabFixture fixture)
{
    // A generous bound that still tells "failed promptly" from "waited out a 30 s default timeout".
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 60_000)]
    public async Task A_target_is_unreachable_directly_and_fails_at_once()
    {
        var target = Lab["target-password"];
        var watch = Stopwatch.StartNew();

        using var socket = new TcpClient();
        var error = await Assert.ThrowsAsync<SocketException>(async () =>
            await socket.ConnectAsync(target.Address, target.Port, TestContext.Current.CancellationToken));

        Assert.Equal(SocketError.HostUnreachable, error.SocketErrorCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_direct_SshJumpClient_to_a_lab_address_behind_the_jump_fails_at_the_tcp_stage()
    {
        var target = Lab["target-password"];
        using var client = new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: target.Address, username: target.User, password: "unused", lookForKeys: false, allowAgent: false);

        var error = await Assert.ThrowsAsync<HopConnectionException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HopStage.TcpConnect, error.Stage);
        Assert.Contains(target.Address, error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_wrong_target_password_names_the_target_its_jump_and_the_methods_left()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var target = Hops.PasswordTarget(Lab, jumper, password: "not-the-password");
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<HopAuthenticationException>(() => target.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HopStage.Authentication, error.Stage);
        Assert.Same(target.Hop, error.Hop);
        Assert.Contains("targets.pjlab:22", error.Message, StringComparison.Ordinal);
        Assert.Contains($"via {jumper.Hop}", error.Message, StringComparison.Ordinal);
        Assert.Contains("password", error.TriedMethods);
        Assert.Contains("publickey", error.AllowedMethods);
        Assert.Equal( // as README shows it: SSH.NET's own text first, then the hop, the methods and the stage
            $"Permission denied (password). {target.Hop}: Authentication failed. Tried: password; the server still allows: publickey, password. [stage: Authentication]",
            error.Message);
        Assert.DoesNotContain("not-the-password", error.ToString(), StringComparison.Ordinal);
        Assert.True(watch.Elapsed < Prompt, $"took {watch.Elapsed}");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_port_the_jump_cannot_reach_reports_the_jumps_own_reason()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var target = new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: "targets.pjlab", port: 2999, username: "pjtarget", password: "unused",
            lookForKeys: false, allowAgent: false, jumpSession: jumper);

        var error = await Assert.ThrowsAsync<JumpChannelException>(() => target.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HopStage.ChannelOpen, error.Stage);
        Assert.Contains("Connection refused", error.ServerReason, StringComparison.Ordinal);
        Assert.Contains("targets.pjlab:2999", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_name_the_jump_cannot_resolve_reports_the_jumps_own_reason()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var target = new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: "nowhere.pjlab", username: "pjtarget", password: "unused",
            lookForKeys: false, allowAgent: false, jumpSession: jumper);

        var error = await Assert.ThrowsAsync<JumpChannelException>(() => target.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HopStage.ChannelOpen, error.Stage);
        Assert.False(string.IsNullOrEmpty(error.ServerReason));
        Assert.Contains("nowhere.pjlab:22", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_jump_with_forwarding_disabled_refuses_administratively()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab, "bastion-noforward"));
        using var target = Hops.PasswordTarget(Lab, jumper);

        var error = await Assert.ThrowsAsync<JumpChannelException>(() => target.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(1u, error.ReasonCode); // SSH_OPEN_ADMINISTRATIVELY_PROHIBITED
        Assert.Equal(HopStage.ChannelOpen, error.Stage);
    }

    [Fact(Timeout = 60_000)]
    public void A_jump_that_is_not_connected_or_disposed_is_refused_at_construction()
    {
        var notConnected = Hops.PasswordBastion(Lab);

        var before = Assert.Throws<JumpNotConnectedException>(() => Hops.PasswordTarget(Lab, notConnected));
        notConnected.Dispose();
        var after = Assert.Throws<JumpNotConnectedException>(() => Hops.PasswordTarget(Lab, notConnected));

        Assert.Contains("not connected", before.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("disposed", after.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_jump_dropped_by_its_server_while_a_target_streams_ends_the_stream_with_a_typed_error()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));
        using var ticking = target.ExecCommand("while true; do echo tick; sleep 0.1; done");
        Assert.Equal("tick", ticking.Stdout.ReadLines().First());

        // Kill the jump's server-side session process: the connection drops as when a bastion reboots.
        var watch = Stopwatch.StartNew();
        Hops.KillServerSession(jumper);
        var error = Assert.ThrowsAny<SshException>(() =>
        {
            foreach (var _ in ticking.Stdout.ReadLines())
            {
            }

            ticking.WaitForExit();
        });

        Assert.Equal(HopStage.Session, error.Failure().Stage);
        Assert.Same(target.Hop, error.Failure().Hop);
        Assert.True(watch.Elapsed < Prompt, $"took {watch.Elapsed}");
        Assert.ThrowsAny<SshException>(() => target.ExecCommand("true"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Disposing_the_jump_makes_a_connected_target_fail_fast()
    {
        var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));
        var watch = Stopwatch.StartNew();

        jumper.Dispose();
        var error = Assert.ThrowsAny<SshException>(() => target.ExecCommand("echo still-here").WaitForExit());

        Assert.Same(target.Hop, error.Failure().Hop);
        Assert.True(watch.Elapsed < Prompt, $"took {watch.Elapsed}");
    }
}
