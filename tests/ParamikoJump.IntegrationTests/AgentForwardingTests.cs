using System.Diagnostics;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// ssh -A through a jump: a real ssh-agent holds the lab's key on this machine, the target two hops away (the
/// password bastion, then the key-only target) lists it with <c>ssh-add -l</c>, and a further <c>ssh</c> from the
/// target logs in with it; without forwarding the target has no agent.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class AgentForwardingTests(LabFixture fixture) : IDisposable
{
    private LabAgent? _agent;

    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 90_000)]
    public async Task A_target_behind_a_jump_lists_the_forwarded_key_and_logs_in_further_with_it()
    {
        var key = Lab.KeyFile("ed25519");
        StartAgentHolding(key);
        var target = Lab["target-key"];
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var client = await Hops.ConnectAsync(new SshJumpClient(TargetSettings(forwardAgent: true), jumper));

        var listed = await RunAsync(client, "ssh-add -l");
        // From the target, to its own key-only server at its lab address: only the forwarded agent can log in there.
        var further = await RunAsync(client,
            $"ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -p {target.Port} {target.User}@{target.Address} 'echo logged in as $(whoami)'");
        var withoutAgent = await RunAsync(client,
            $"SSH_AUTH_SOCK= ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -p {target.Port} {target.User}@{target.Address} true");

        Assert.Equal(0, listed.Status);
        Assert.Contains(Fingerprint(key), listed.Output, StringComparison.Ordinal);
        Assert.Equal((0, $"logged in as {target.User}"), (further.Status, further.Output.Trim()));
        Assert.NotEqual(0, withoutAgent.Status);
    }

    [Fact(Timeout = 90_000)]
    public async Task Keys_the_application_holds_are_forwarded_with_no_local_agent_and_log_in_further()
    {
        _agent = LabAgent.None();
        var rsa = Lab.KeyFile("rsa");
        var target = Lab["target-key"];
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        var settings = TargetSettings(forwardAgent: true);
        settings.AllowAgent = false;
        settings.KeyFilenames = [Lab.KeyFile("ed25519")];
        settings.ForwardedAgentKeys = [new Renci.SshNet.PrivateKeyFile(rsa)];
        using var client = await Hops.ConnectAsync(new SshJumpClient(settings, jumper));

        var listed = await RunAsync(client, "ssh-add -l");
        // OpenSSH signs with rsa-sha2-512 here: the agent must follow the request's flags.
        var further = await RunAsync(client,
            $"ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -p {target.Port} {target.User}@{target.Address} 'echo logged in as $(whoami)'");
        var removing = await RunAsync(client, "ssh-add -D");

        Assert.Equal(0, listed.Status);
        Assert.Contains(Fingerprint(rsa), listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Fingerprint(Lab.KeyFile("ed25519")), listed.Output, StringComparison.Ordinal);
        Assert.Equal((0, $"logged in as {target.User}"), (further.Status, further.Output.Trim()));
        Assert.NotEqual(0, removing.Status); // the application's keys cannot be removed from the server
    }

    [Fact(Timeout = 90_000)]
    public async Task Without_forwarding_the_target_has_no_agent()
    {
        StartAgentHolding(Lab.KeyFile("ed25519"));
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var client = await Hops.ConnectAsync(new SshJumpClient(TargetSettings(forwardAgent: false), jumper));

        var listed = await RunAsync(client, "echo \"socket=${SSH_AUTH_SOCK:-none}\"; ssh-add -l");

        Assert.Equal(2, listed.Status); // ssh-add: "Could not open a connection to your authentication agent."
        Assert.StartsWith("socket=none", listed.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90_000)]
    public async Task With_no_local_agent_a_forwarding_hop_runs_its_commands_without_one_and_says_so_in_the_log()
    {
        _agent = LabAgent.None();
        using var logs = new CapturingLoggerFactory();
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        var settings = TargetSettings(forwardAgent: true);
        settings.AllowAgent = false;
        settings.KeyFilenames = [Lab.KeyFile("ed25519")];
        settings.LoggerFactory = logs;
        using var client = await Hops.ConnectAsync(new SshJumpClient(settings, jumper));

        var listed = await RunAsync(client, "echo \"socket=${SSH_AUTH_SOCK:-none}\"; ssh-add -l");

        Assert.Equal(2, listed.Status); // ssh-add: "Could not open a connection to your authentication agent."
        Assert.StartsWith("socket=none", listed.Output, StringComparison.Ordinal);
        Assert.Contains("agent forwarding is on but not possible", logs.All, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90_000)]
    public async Task Several_commands_at_once_each_reach_the_agent_and_the_hop_stays_usable()
    {
        var key = Lab.KeyFile("ed25519");
        StartAgentHolding(key);
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var client = await Hops.ConnectAsync(new SshJumpClient(TargetSettings(forwardAgent: true), jumper));

        var runs = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => RunAsync(client, "for i in 1 2 3; do ssh-add -l || exit 9; done")));
        var after = await RunAsync(client, "echo still here");

        Assert.All(runs, run => Assert.Equal(0, run.Status));
        Assert.All(runs, run => Assert.Equal(3, CountOf(run.Output, Fingerprint(key))));
        Assert.Equal("still here", after.Output.Trim());
    }

    public void Dispose() => _agent?.Dispose();

    private static int CountOf(string text, string part) => text.Split(part).Length - 1;

    private static async Task<(int Status, string Output)> RunAsync(SshJumpClient client, string command)
    {
        using var process = await client.ExecCommandAsync(command, TimeSpan.FromSeconds(60));
        process.Stdin.Dispose();
        var output = await process.Stdout.ReadToEndAsync();
        var status = await process.WaitForExitAsync();
        return (status, output);
    }

    private static string Fingerprint(string keyFile)
    {
        using var keygen = Process.Start(new ProcessStartInfo("ssh-keygen", ["-lf", keyFile + ".pub"]) { RedirectStandardOutput = true })!;
        var line = keygen.StandardOutput.ReadToEnd();
        keygen.WaitForExit();
        return line.Split(' ')[1];
    }

    private HopSettings TargetSettings(bool forwardAgent)
    {
        var settings = Hops.SettingsFor(Lab, Lab["target-key"]);
        settings.Password = null;
        settings.AllowAgent = true;
        settings.ForwardAgent = forwardAgent;
        return settings;
    }

    private void StartAgentHolding(string keyFile) => _agent = LabAgent.Holding(keyFile);
}
