using ParamikoJump.Authentication;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// paramiko-jump's "my private key is managed by ssh-agent": Debian's real ssh-agent holds the lab's key and
/// both hops log in with it, found through SSH_AUTH_SOCK as a user's shell would set it.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class AgentTests(LabFixture fixture) : IDisposable
{
    private LabAgent? _agent;

    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 60_000)]
    public async Task Both_hops_log_in_with_the_key_held_by_ssh_agent()
    {
        StartAgentHolding(Lab.KeyFile("ed25519"));
        var bastion = Lab["bastion-password"];
        var target = Lab["target-key"];

        using var jumper = await Hops.ConnectAsync(new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: bastion.Host, port: bastion.Port, username: bastion.User,
            allowAgent: true, lookForKeys: false));
        using var client = await Hops.ConnectAsync(new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: target.Host, port: target.Port, username: target.User,
            allowAgent: true, lookForKeys: false, jumpSession: jumper));

        Assert.Equal(target.User, Hops.Run(client, "whoami"));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_agent_key_plus_a_code_satisfies_a_publickey_and_keyboard_interactive_bastion()
    {
        StartAgentHolding(Lab.KeyFile("rsa"));
        var bastion = Lab["bastion-keymfa"];

        using var client = await Hops.ConnectAsync(new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: bastion.Host, port: bastion.Port, username: bastion.User,
            authHandler: new MagicAuthHandler([bastion.Credentials().Totp()]), allowAgent: true, lookForKeys: false));

        Assert.Equal(bastion.User, Hops.Run(client, "whoami"));
    }

    public void Dispose() => _agent?.Dispose();

    private void StartAgentHolding(string keyFile) => _agent = LabAgent.Holding(keyFile);
}
