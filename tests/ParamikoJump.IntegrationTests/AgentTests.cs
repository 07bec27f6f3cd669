using System.Diagnostics;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// paramiko-jump's "my private key is managed by ssh-agent": Debian's real ssh-agent holds the lab's key and
/// both hops log in with it, found through SSH_AUTH_SOCK as a user's shell would set it.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class AgentTests(LabFixture fixture) : IDisposable
{
    private readonly string _socketDirectory = Directory.CreateTempSubdirectory("pj-agent-").FullName;
    private readonly string? _callersSocket = Environment.GetEnvironmentVariable("SSH_AUTH_SOCK");
    private Process? _agent;

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

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("SSH_AUTH_SOCK", _callersSocket);
        if (_agent is { HasExited: false })
        {
            _agent.Kill();
            _agent.WaitForExit();
        }

        _agent?.Dispose();
        Directory.Delete(_socketDirectory, recursive: true);
    }

    private void StartAgentHolding(string keyFile)
    {
        var socket = Path.Combine(_socketDirectory, "agent.sock");
        _agent = Process.Start(new ProcessStartInfo("ssh-agent", ["-D", "-a", socket]) { RedirectStandardOutput = true })!;
        for (var waited = 0; !File.Exists(socket) && waited < 50; waited++)
        {
            Thread.Sleep(100);
        }

        var add = new ProcessStartInfo("ssh-add", ["-q", keyFile]) { RedirectStandardError = true };
        add.Environment["SSH_AUTH_SOCK"] = socket;
        using var adding = Process.Start(add)!;
        adding.WaitForExit();
        Assert.Equal(0, adding.ExitCode);

        // The collection runs one test at a time, so the process-wide variable is this test's alone.
        Environment.SetEnvironmentVariable("SSH_AUTH_SOCK", socket);
    }
}
