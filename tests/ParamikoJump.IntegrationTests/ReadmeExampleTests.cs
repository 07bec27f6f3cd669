using ParamikoJump.Authentication;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>Every example of paramiko-jump's README, in C#, against real servers.</summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class ReadmeExampleTests(LabFixture fixture)
{
    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 60_000)]
    public Task Example_1a_one_jump_with_console_MFA_then_a_target_in_using_blocks() => Task.Run(() =>
    {
        var bastion = Lab["bastion"];
        var secrets = bastion.Credentials("pjmfa");
        var console = new StringWriter();
        var answers = new StringReader($"{secrets.Password}\n{secrets.Totp()}\n");
        var target = Lab["target-password"];

        using var jumper = new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: bastion.Host, port: bastion.Port, username: "pjmfa",
            authHandler: new SimpleAuthHandler(answers, console), lookForKeys: false, allowAgent: false);
        jumper.Connect();
        using var client = new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: target.Host, port: target.Port, username: target.User,
            password: target.Credentials().Password, lookForKeys: false, allowAgent: false, jumpSession: jumper);
        client.Connect();
        var (_, stdout, _) = client.ExecCommand("hostname; echo via-$(echo $SSH_CONNECTION | cut -d' ' -f1)");
        var lines = stdout.ReadLines().ToList();

        Assert.Contains("Password:", console.ToString(), StringComparison.Ordinal);
        Assert.Contains("Verification code:", console.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("via-10.231.2.", lines[1], StringComparison.Ordinal);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task Example_1b_the_same_without_using_closing_by_hand() => Task.Run(() =>
    {
        var jumper = Hops.MfaBastion(Lab);
        jumper.Connect();
        var target = Hops.PasswordTarget(Lab, jumper);
        target.Connect();
        var output = target.ExecCommand("echo one-b").Stdout.ReadToEnd();
        target.Disconnect();
        var targetConnectedAfterDisconnect = target.IsConnected;
        target.Dispose();
        jumper.Disconnect();
        var jumperConnectedAfterDisconnect = jumper.IsConnected;
        jumper.Dispose();

        Assert.Equal("one-b\n", output);
        Assert.False(targetConnectedAfterDisconnect);
        Assert.False(jumperConnectedAfterDisconnect);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public async Task Example_2_one_jump_and_several_targets()
    {
        using var jumper = await Hops.ConnectAsync(Hops.MfaBastion(Lab));
        var keyTarget = Lab["target-key"];
        using var first = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));
        using var second = await Hops.ConnectAsync(new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: keyTarget.Host, port: keyTarget.Port, username: keyTarget.User,
            keyFilenames: [Lab.KeyFile("ed25519")], lookForKeys: false, allowAgent: false, jumpSession: jumper));

        Assert.Equal("pjtarget", Hops.Run(first, "whoami"));
        Assert.Equal("pjtarget", Hops.Run(second, "whoami"));
        Assert.Equal(2, jumper.ForwardedPorts.Count());
    }

    [Fact(Timeout = 90_000)]
    public async Task Example_3_a_five_hop_circuit_built_by_nesting()
    {
        var chain = new List<SshJumpClient>();
        try
        {
            SshJumpClient? previous = null;
            foreach (var id in new[] { "hop1", "hop2", "hop3", "hop4", "hop5" })
            {
                var hop = Lab[id];
                var client = await Hops.ConnectAsync(new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: hop.Host, port: hop.Port, username: hop.User,
                    password: hop.Credentials().Password, lookForKeys: false, allowAgent: false, jumpSession: previous));
                chain.Add(client);
                previous = client;
            }

            var last = chain[^1];
            var connection = Hops.Run(last, "echo $SSH_CONNECTION").Split(' ');

            Assert.Equal(4, last.Hop.Depth);
            Assert.Same(chain[3].Hop, last.Hop.Jump);
            Assert.Equal(Lab["hop5"].Address, connection[2]);
            Assert.NotEqual(Lab["hop1"].Address, connection[0]);
        }
        finally
        {
            foreach (var client in Enumerable.Reverse(chain))
            {
                client.Dispose();
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Magic_handler_answers_a_queued_password_then_code()
    {
        using var jumper = await Hops.ConnectAsync(Hops.MfaBastion(Lab));

        Assert.Equal("pjmfa", Hops.Run(jumper, "whoami"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Key_based_login_to_a_target_through_the_jump()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        var target = Lab["target-key"];
        using var client = await Hops.ConnectAsync(new SshJumpClient(target.Host, target.Port, target.User,
            keys: [new Renci.SshNet.PrivateKeyFile(Lab.KeyFile("rsa"))], lookForKeys: false, allowAgent: false, jumpSession: jumper));

        Assert.Equal("pjtarget", Hops.Run(client, "whoami"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Password_login_directly_and_through_the_jump()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));

        Assert.Equal(Lab["bastion-password"].User, Hops.Run(jumper, "whoami"));
        Assert.Equal("pjtarget", Hops.Run(target, "whoami"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_plain_SSH_NET_client_can_be_the_jump()
    {
        var bastion = Lab["bastion-password"];
        using var plain = new SshClient(bastion.Host, bastion.Port, bastion.User, bastion.Credentials().Password!);
        await plain.ConnectAsync(TestContext.Current.CancellationToken);
        using var target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, plain));

        Assert.Equal("pjtarget", Hops.Run(target, "whoami"));
        Assert.Equal($"{bastion.User}@{bastion.Host}:{bastion.Port}", target.Hop.Jump?.ToString());
    }
}
